package io.sluice.runner.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's files: plain HTML, CSS and JavaScript from the class path, with no build step and
 * nothing from elsewhere. Scripts are files, never inline, so the pages run under
 * {@code Content-Security-Policy: default-src 'self'}.
 */
public final class DashboardPages {

    /** A file to serve. */
    public record Page(String contentType, byte[] body) {}

    private static final Map<String, String> FILES = Map.of(
            "/index.html", "text/html; charset=utf-8",
            "/login.html", "text/html; charset=utf-8",
            "/app.js", "text/javascript; charset=utf-8",
            "/settings-form.js", "text/javascript; charset=utf-8",
            "/style.css", "text/css; charset=utf-8",
            "/favicon.svg", "image/svg+xml");

    private final Map<String, Page> pages;

    public DashboardPages() {
        this.pages = FILES.entrySet().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(
                Map.Entry::getKey, e -> new Page(e.getValue(), read(e.getKey().substring(1)))));
    }

    /** The file at {@code path} ({@code /app.js}), if it is one of the dashboard's. */
    public Optional<Page> find(String path) {
        return Optional.ofNullable(pages.get(path));
    }

    /** The login form, with a message when the last attempt failed. */
    public Page login(Optional<String> message) {
        String html = new String(pages.get("/login.html").body(), StandardCharsets.UTF_8);
        String notice = message.map(m -> "<p class=\"login-error\" role=\"alert\">" + escape(m) + "</p>").orElse("");
        return new Page(FILES.get("/login.html"), html.replace("<!--notice-->", notice).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] read(String name) {
        try (InputStream in = DashboardPages.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard file " + name + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
