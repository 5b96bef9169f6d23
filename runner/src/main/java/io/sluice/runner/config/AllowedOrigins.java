package io.sluice.runner.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The browser origins a source takes calls from ({@code sources[].allowedOrigins}): any origin
 * ({@code "*"}, the default), or a set of exact origins such as {@code https://shop.example}. An
 * empty set lets no browser send for the source, which suits a source fed only by servers.
 *
 * <p>Origins are compared as browsers write them in the {@code Origin} header: scheme and host in
 * lower case, the port only when it is not the scheme's default, no path.
 */
public final class AllowedOrigins {

    public static final AllowedOrigins ANY = new AllowedOrigins(true, Set.of());

    private final boolean any;
    private final Set<String> origins;

    private AllowedOrigins(boolean any, Set<String> origins) {
        this.any = any;
        this.origins = Set.copyOf(origins);
    }

    /**
     * @param origins each {@code "*"} or an origin that {@link #normalise} accepts
     * @throws IllegalArgumentException for an entry that is neither
     */
    public static AllowedOrigins of(Collection<String> origins) {
        Set<String> normalised = new TreeSet<>();
        for (String origin : origins) {
            if (origin.equals("*")) {
                return ANY;
            }
            normalised.add(normalise(origin).orElseThrow(() -> new IllegalArgumentException("not an origin: " + origin)));
        }
        return new AllowedOrigins(false, normalised);
    }

    /** What every one of {@code all} allows: the answer to a preflight, which carries no write key. */
    public static AllowedOrigins union(Collection<AllowedOrigins> all) {
        Set<String> origins = new TreeSet<>();
        for (AllowedOrigins each : all) {
            if (each.any) {
                return ANY;
            }
            origins.addAll(each.origins);
        }
        return new AllowedOrigins(false, origins);
    }

    /** Whether a request with this {@code Origin} header value may be answered for a browser. */
    public boolean allows(String origin) {
        return any || normalise(origin).map(origins::contains).orElse(false);
    }

    /** The exact origins allowed; empty when any origin is. */
    public Set<String> origins() {
        return origins;
    }

    /**
     * {@code scheme://host[:port]} in the form a browser sends it, or empty for anything else
     * (a path, a query, user info, the opaque origin {@code null}).
     */
    public static Optional<String> normalise(String origin) {
        if (origin == null || origin.isBlank()) {
            return Optional.empty();
        }
        String text = origin.trim();
        if (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null
                || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return Optional.empty();
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AllowedOrigins o && o.any == any && o.origins.equals(origins);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(any) * 31 + origins.hashCode();
    }

    @Override
    public String toString() {
        return any ? "*" : origins.toString();
    }
}
