package io.sluice.runner.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.spec.SpecError;
import io.sluice.core.spec.SpecJson;
import io.sluice.runner.metrics.SluiceMetrics;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes JSON answers in Segment's shape and counts every answer by endpoint and status. */
final class HttpResponses {

    /** The endpoint label for {@code sluice_http_requests_total}: a fixed vocabulary, never a raw path. */
    static final AttachmentKey<String> ENDPOINT = AttachmentKey.create(String.class);

    private static final ObjectMapper MAPPER = SpecJson.MAPPER;

    private final SluiceMetrics metrics;

    HttpResponses(SluiceMetrics metrics) {
        this.metrics = metrics;
    }

    private static final byte[] SUCCESS = "{\"success\":true}".getBytes(StandardCharsets.UTF_8);

    static ObjectNode success() {
        return MAPPER.createObjectNode().put("success", true);
    }

    /** {@code 200 {"success":true}}, the answer to almost every request: written once, not per request. */
    void success(HttpServerExchange exchange) {
        send(exchange, StatusCodes.OK, "application/json", SUCCESS);
    }

    /** {@code {"success":false,"code":...,"message":...}}, Segment's error shape. */
    static ObjectNode failure(String code, String message) {
        return MAPPER.createObjectNode().put("success", false).put("code", code).put("message", message);
    }

    static ArrayNode errors(List<SpecError> errors) {
        ArrayNode array = MAPPER.createArrayNode();
        for (SpecError e : errors) {
            array.addObject().put("code", e.code().code()).put("path", e.path()).put("message", e.message());
        }
        return array;
    }

    void json(HttpServerExchange exchange, int status, ObjectNode body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        send(exchange, status, "application/json", bytes);
    }

    /** An answer without a body, e.g. 204 to a CORS preflight. */
    void empty(HttpServerExchange exchange, int status) {
        String endpoint = exchange.getAttachment(ENDPOINT);
        metrics.request(endpoint == null ? "other" : endpoint, status);
        exchange.setStatusCode(status);
        exchange.endExchange();
    }

    void send(HttpServerExchange exchange, int status, String contentType, byte[] body) {
        String endpoint = exchange.getAttachment(ENDPOINT);
        metrics.request(endpoint == null ? "other" : endpoint, status);
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        exchange.getResponseSender().send(ByteBuffer.wrap(body));
    }
}
