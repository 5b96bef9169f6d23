package io.sluice.runner.config;

import java.net.URI;
import java.util.Optional;

/**
 * Where the shared admin store is ({@code admin.store: postgresql://host:port/db}) and who Sluice
 * logs in as. {@link #toString()} shows the address only: never the password.
 *
 * @param url      {@code postgresql://host[:port]/database[?parameters]}
 * @param user     {@code admin.storeUser}; empty: the driver's default
 * @param password {@code admin.storePassword}, usually {@code ${env:...}}
 */
public record AdminStoreAddress(URI url, Optional<String> user, Optional<String> password) {

    /** The address as the PostgreSQL JDBC driver takes it. */
    public String jdbcUrl() {
        return "jdbc:" + url;
    }

    @Override
    public String toString() {
        return url + user.map(u -> " as " + u).orElse("") + (password.isPresent() ? " (password ******)" : "");
    }
}
