package io.sluice.runner.admin;

import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dashboard sessions by key (the SHA-256 of the cookie's session id, never the id itself) with
 * their expiry. In memory for one node; in the shared store for several, so a login is good on
 * every node and a logout ends it on all of them.
 */
interface SessionStore {

    void put(String key, Instant expires);

    /** The session's expiry, if it exists and has not expired at {@code now}. */
    Optional<Instant> find(String key, Instant now);

    void remove(String key);

    /** Drops expired sessions, and the oldest beyond {@code max}. */
    void sweep(Instant now, int max);

    /** One node's sessions. */
    final class InMemory implements SessionStore {
        private final Map<String, Instant> sessions = new ConcurrentHashMap<>();

        @Override
        public void put(String key, Instant expires) {
            sessions.put(key, expires);
        }

        @Override
        public Optional<Instant> find(String key, Instant now) {
            Instant expires = sessions.get(key);
            if (expires == null) {
                return Optional.empty();
            }
            if (!now.isBefore(expires)) {
                sessions.remove(key);
                return Optional.empty();
            }
            return Optional.of(expires);
        }

        @Override
        public void remove(String key) {
            sessions.remove(key);
        }

        @Override
        public void sweep(Instant now, int max) {
            sessions.values().removeIf(expires -> !now.isBefore(expires));
            while (sessions.size() >= max) {
                Iterator<Map.Entry<String, Instant>> oldest = sessions.entrySet().stream()
                        .sorted(Map.Entry.comparingByValue()).iterator();
                if (!oldest.hasNext()) {
                    break;
                }
                sessions.remove(oldest.next().getKey());
            }
        }
    }
}
