package io.sluice.runner.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.spec.SpecJson;
import io.undertow.server.HttpServerExchange;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The settings document that analytics.js ({@code cdnURL}), analytics-kotlin and analytics-swift
 * ({@code cdnHost}) fetch when they start, at {@code GET /v1/projects/{writeKey}/settings}. Its
 * {@code Segment.io} entry is what points a library's uploads at a host, so answering it from Sluice
 * lets a page or an app be configured with nothing but its write key and Sluice's address.
 *
 * <p>It names no other integration: analytics.js would try to load each one's code from Segment's
 * CDN. {@code metrics.sampleRate: 0} stops the libraries' own telemetry, which would otherwise go to
 * Segment.
 */
final class SettingsDocument {

    private static final String PREFIX = "/v1/projects/";
    private static final String SUFFIX = "/settings";

    private final Optional<URI> publicUrl;

    /** @param publicUrl {@code server.publicUrl}; empty: the scheme and Host of each request */
    SettingsDocument(Optional<URI> publicUrl) {
        this.publicUrl = publicUrl;
    }

    /** The write key a settings path names ({@code /v1/projects/KEY/settings}, trailing slash already cut), or empty. */
    static Optional<String> writeKeyIn(String path) {
        if (!path.startsWith(PREFIX) || !path.endsWith(SUFFIX) || path.length() <= PREFIX.length() + SUFFIX.length()) {
            return Optional.empty();
        }
        String key = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
        return key.contains("/") ? Optional.empty() : Optional.of(key);
    }

    ObjectNode render(String writeKey, HttpServerExchange exchange) {
        ObjectNode root = SpecJson.MAPPER.createObjectNode();
        ObjectNode segment = root.putObject("integrations").putObject("Segment.io");
        segment.put("apiKey", writeKey);
        if (publicUrl.isPresent()) {
            URI url = publicUrl.get();
            String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
            segment.put("apiHost", url.getRawAuthority() + path + "/v1");
            segment.put("protocol", url.getScheme().toLowerCase(Locale.ROOT));
        } else {
            segment.put("apiHost", exchange.getHostAndPort() + "/v1");
            segment.put("protocol", exchange.getRequestScheme());
        }
        root.putObject("plan").putObject("track").putObject("__default").put("enabled", true);
        root.putObject("edgeFunction");
        root.put("analyticsNextEnabled", true);
        root.putObject("middlewareSettings");
        root.putObject("enabledMiddleware");
        root.putObject("metrics").put("sampleRate", 0);
        root.putArray("remotePlugins");
        return root;
    }
}
