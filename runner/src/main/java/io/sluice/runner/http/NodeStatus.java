package io.sluice.runner.http;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which node this is, and whether the admin store it shares with the others can be reached, for
 * {@code /health}. The store being away does not stop routing, so it does not make the node unhealthy.
 *
 * @param instanceId   {@code server.instanceId}
 * @param store        where the admin state is kept: a file, or a {@code postgresql://} URL (never a password)
 * @param storeProblem why the store cannot be reached now; empty while it can
 */
public record NodeStatus(String instanceId, String store, Supplier<Optional<String>> storeProblem) {
}
