package io.sluice.runner.http;

import io.sluice.runner.config.WriteKey;
import io.sluice.runner.routing.Source;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the source a write key belongs to. Keys are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, against every configured key without stopping at a match, so the
 * time taken says nothing about how much of a key was right.
 */
public final class WriteKeyAuthenticator {

    /** What an {@code Authorization} header said. */
    public sealed interface Credentials {
        /** No header: the key may be in the body. */
        record Absent() implements Credentials {}

        /** A well-formed Basic header with an empty password. */
        record Key(String writeKey) implements Credentials {
            @Override
            public String toString() {
                return "Key[******]";
            }
        }

        /** A header that is not {@code Basic base64(key:)}; {@code why} never holds the key. */
        record Malformed(String why) implements Credentials {}
    }

    private final List<Source> sources;
    private final List<byte[]> digests;

    public WriteKeyAuthenticator(List<Source> sources) {
        this.sources = List.copyOf(sources);
        this.digests = sources.stream().map(s -> s.writeKey().digest()).toList();
    }

    public Optional<Source> authenticate(String writeKey) {
        if (writeKey == null || writeKey.isEmpty()) {
            return Optional.empty();
        }
        byte[] given = WriteKey.sha256(writeKey);
        Source found = null;
        for (int i = 0; i < digests.size(); i++) {
            if (MessageDigest.isEqual(given, digests.get(i)) && found == null) {
                found = sources.get(i);
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Reads an {@code Authorization} header as Segment's libraries send it: HTTP Basic with the
     * write key as the user name and an empty password ({@code key:}); {@code key} with no colon
     * is taken too.
     */
    public static Credentials parse(String authorization) {
        if (authorization == null) {
            return new Credentials.Absent();
        }
        String header = authorization.trim();
        int space = header.indexOf(' ');
        if (space < 0 || !header.substring(0, space).toLowerCase(Locale.ROOT).equals("basic")) {
            return new Credentials.Malformed("only HTTP Basic authentication is supported");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(space + 1).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Credentials.Malformed("the Basic credentials are not valid base64");
        }
        int colon = decoded.indexOf(':');
        String user = colon < 0 ? decoded : decoded.substring(0, colon);
        String password = colon < 0 ? "" : decoded.substring(colon + 1);
        if (!password.isEmpty()) {
            return new Credentials.Malformed("the password must be empty: send the write key as the user name");
        }
        if (user.isEmpty()) {
            return new Credentials.Malformed("the user name must be the write key");
        }
        return new Credentials.Key(user);
    }
}
