package io.sluice.runner.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.spec.SpecJson;
import io.sluice.core.spool.Backlog;
import io.sluice.runner.routing.Pipeline;
import io.sluice.runner.routing.Route;
import io.sluice.spi.Health;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code GET /health}: {@code {"status":"ok|degraded|shutting_down","destinations":[{"source","name","type",
 * "enabled","status","message","bufferedEvents","backlogEvents","backlogBytes","oldestEventAgeSeconds"}],"instance",
 * "adminStore":{"store","status":"ok|unreachable","message"}}} from each destination's own {@code health()}. Holds
 * names and the destinations' messages only, never settings.
 */
final class HealthReport {

    private final Pipeline pipeline;
    private final NodeStatus node;

    HealthReport(Pipeline pipeline, NodeStatus node) {
        this.pipeline = pipeline;
        this.node = node;
    }

    record Result(boolean healthy, ObjectNode body) {}

    Result check(boolean accepting) {
        ObjectNode body = SpecJson.MAPPER.createObjectNode();
        ArrayNode destinations = SpecJson.MAPPER.createArrayNode();
        boolean healthy = accepting;
        for (Route route : pipeline.routes()) {
            Health health = route.health();
            Backlog backlog = route.backlog();
            // A destination switched off that holds nothing more is the operator's choice, not a fault.
            healthy &= health.isHealthy() || (!route.enabled() && backlog.events() == 0);
            destinations.addObject()
                    .put("source", route.source())
                    .put("name", route.name())
                    .put("type", route.type())
                    .put("enabled", route.enabled())
                    .put("status", health.status().name().toLowerCase(Locale.ROOT))
                    .put("message", health.message())
                    .put("bufferedEvents", route.bufferedEvents())
                    .put("backlogEvents", backlog.events())
                    .put("backlogBytes", backlog.bytes())
                    .put("oldestEventAgeSeconds", backlog.oldest()
                            .map(o -> Math.max(0, Duration.between(o, Instant.now()).toSeconds())).orElse(0L));
        }
        body.put("status", !accepting ? "shutting_down" : healthy ? "ok" : "degraded");
        body.put("instance", node.instanceId());
        Optional<String> storeProblem = node.storeProblem().get();
        body.putObject("adminStore").put("store", node.store())
                .put("status", storeProblem.isPresent() ? "unreachable" : "ok")
                .put("message", storeProblem.orElse(""));
        body.set("destinations", destinations);
        return new Result(healthy, body);
    }
}
