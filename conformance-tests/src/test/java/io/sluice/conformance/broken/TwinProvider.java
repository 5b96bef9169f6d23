package io.sluice.conformance.broken;

import io.sluice.conformance.memory.InMemoryProvider;

/** A second provider class claiming the reference's id, listed only where a duplicate is wanted. */
public final class TwinProvider extends InMemoryProvider {}
