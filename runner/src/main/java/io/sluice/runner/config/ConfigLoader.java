package io.sluice.runner.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.sluice.core.delivery.DeliveryPolicy;
import io.sluice.core.spool.SpoolPolicy;
import io.sluice.runner.plugins.Plugin;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.secrets.SecretKeys;
import io.sluice.spi.settings.InvalidSettingsException;
import io.sluice.spi.settings.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a YAML configuration, substitutes {@code ${env:NAME}} references, and validates it in
 * one pass that collects every error: unknown or mistyped fields, duplicate source and
 * destination names, duplicate or empty write keys, the port range, unknown destination types,
 * and each destination's settings against its provider's schema.
 *
 * <p>Errors name paths such as {@code sources[0].destinations[1].settings.region}; they never
 * hold a write key or a secret setting's value.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new YAMLMapper();

    private static final Set<String> ROOT_FIELDS = Set.of("server", "deadLetter", "spool", "delivery", "sources", "admin");
    private static final Set<String> ADMIN_FIELDS = Set.of("enabled", "host", "port", "token", "stateFile", "keyFile",
            "previousKeyFiles", "sessionTimeoutMinutes", "rebuildTimeoutMs", "store", "storeUser", "storePassword");
    /** This node's name in /health, the dashboard and /metrics, when {@code server.instanceId} is not given. */
    public static final String INSTANCE_ID_ENV = "SLUICE_INSTANCE_ID";
    /** The admin token, when {@code admin.token} is not given. */
    public static final String ADMIN_TOKEN_ENV = "SLUICE_ADMIN_TOKEN";
    /** The key that encrypts stored secrets (base64 of 32 bytes), when {@code admin.keyFile} is not given. */
    public static final String SECRET_KEY_ENV = "SLUICE_SECRET_KEY";
    /** Earlier keys, separated by commas, that only decrypt: for rotation. */
    public static final String PREVIOUS_SECRET_KEYS_ENV = "SLUICE_SECRET_KEY_PREVIOUS";
    private static final Set<String> SPOOL_FIELDS = Set.of("enabled", "path", "maxBytes", "fsync", "fsyncIntervalMs");
    private static final Set<String> SERVER_FIELDS = Set.of("host", "port", "shutdownTimeoutMs", "publicUrl", "instanceId");
    private static final Set<String> DEAD_LETTER_FIELDS = Set.of("path");
    private static final Set<String> DELIVERY_FIELDS = Set.of("maxBufferedBytes", "lingerMs", "maxInFlightRequests",
            "maxBacklogBytes", "whenFull");
    private static final Set<String> SOURCE_FIELDS = Set.of("name", "writeKey", "destinations", "allowedOrigins");
    private static final Set<String> DESTINATION_FIELDS = Set.of("type", "name", "settings", "delivery");

    /**
     * Every key the file may hold, by the path of the mapping that holds it ({@code ""} is the root;
     * {@code []} stands for any list item). docs/configuration.md is checked against it.
     */
    public static final Map<String, Set<String>> KEYS = Map.of(
            "", ROOT_FIELDS,
            "server", SERVER_FIELDS,
            "deadLetter", DEAD_LETTER_FIELDS,
            "spool", SPOOL_FIELDS,
            "delivery", DELIVERY_FIELDS,
            "sources[]", SOURCE_FIELDS,
            "sources[].destinations[]", DESTINATION_FIELDS,
            "sources[].destinations[].delivery", DELIVERY_FIELDS,
            "admin", ADMIN_FIELDS);

    private static final java.util.regex.Pattern INSTANCE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final PluginRegistry registry;
    private final EnvSubstitution env;
    private final Function<String, String> environment;

    public ConfigLoader(PluginRegistry registry) {
        this(registry, System::getenv);
    }

    public ConfigLoader(PluginRegistry registry, Function<String, String> env) {
        this.registry = registry;
        this.env = new EnvSubstitution(env);
        this.environment = env;
    }

    /** The machine's name: the default instance id (a container's hostname is its own). */
    static String hostName() {
        String name = System.getenv("HOSTNAME");
        if (name == null || name.isBlank()) {
            try {
                name = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                name = "sluice";
            }
        }
        String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "-");
        return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
    }

    public SluiceConfig load(Path file) throws ConfigException {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(file + ": no such file"));
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot be read: " + e.getMessage()));
        }
        return read(yaml, file.toString());
    }

    /** Validates YAML text; {@code origin} names it in a syntax error. */
    public SluiceConfig read(String yaml, String origin) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            // Only the first line and the location: the rest quotes the file, which may hold a secret.
            String first = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("syntax error");
            String at = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ConfigException(List.of(origin + ": not valid YAML" + at + ": " + first));
        }
        return fromTree(root == null ? YAML.createObjectNode() : root);
    }

    /** Validates a configuration already in tree form (the local default builds one). */
    public SluiceConfig fromTree(JsonNode root) throws ConfigException {
        Reader reader = new Reader();
        SluiceConfig config = reader.root(root);
        if (!reader.errors.isEmpty()) {
            throw new ConfigException(reader.errors);
        }
        return config;
    }

    /** One validation pass; collects errors instead of stopping at the first. */
    private final class Reader {
        final List<String> errors = new ArrayList<>();

        SluiceConfig root(JsonNode root) {
            if (!root.isObject()) {
                errors.add("the configuration must be a YAML mapping with server, deadLetter, delivery and sources");
                return null;
            }
            unknownFields(root, "", ROOT_FIELDS);
            SluiceConfig.Server server = server(root.get("server"));
            Path deadLetter = deadLetter(root.get("deadLetter"));
            SluiceConfig.Spool spool = spool(root.get("spool"));
            DeliveryPolicy defaults = delivery(root.get("delivery"), "delivery", DeliveryPolicy.defaults());
            List<SluiceConfig.Source> sources = sources(root.get("sources"), defaults);
            SluiceConfig.Admin admin = admin(root.get("admin"), sources);
            return new SluiceConfig(server, deadLetter, spool, sources, defaults, admin);
        }

        /** The dashboard: on when an admin token is set (here or in {@value #ADMIN_TOKEN_ENV}), unless switched off. */
        SluiceConfig.Admin admin(JsonNode node, List<SluiceConfig.Source> sources) {
            SluiceConfig.Admin d = SluiceConfig.Admin.disabled();
            Optional<Boolean> enabled = Optional.empty();
            String host = d.host();
            int port = d.port();
            Optional<String> token = Optional.ofNullable(environment.apply(ADMIN_TOKEN_ENV)).filter(t -> !t.isBlank());
            String tokenPath = ADMIN_TOKEN_ENV;
            Path stateFile = d.stateFile();
            Optional<String> keyFile = Optional.empty();
            List<String> previousKeyFiles = new ArrayList<>();
            Duration session = d.sessionTimeout();
            Duration rebuild = d.rebuildTimeout();
            Optional<AdminStoreAddress> store = Optional.empty();
            if (object(node, "admin")) {
                unknownFields(node, "admin", ADMIN_FIELDS);
                JsonNode on = node.get("enabled");
                if (on != null && !on.isNull()) {
                    if (on.isBoolean()) {
                        enabled = Optional.of(on.booleanValue());
                    } else {
                        errors.add("admin.enabled: must be true or false");
                    }
                }
                host = text(node.get("host"), "admin.host").orElse(host);
                if (host.isBlank()) {
                    errors.add("admin.host: must not be empty");
                }
                Optional<Long> p = integer(node.get("port"), "admin.port");
                if (p.isPresent()) {
                    if (p.get() < 0 || p.get() > 65535) {
                        errors.add("admin.port: must be between 0 and 65535 (0 picks a free port)");
                    } else {
                        port = p.get().intValue();
                    }
                }
                Optional<String> given = text(node.get("token"), "admin.token");
                if (given.isPresent()) {
                    token = given.filter(t -> !t.isBlank());
                    tokenPath = "admin.token";
                }
                Optional<String> state = text(node.get("stateFile"), "admin.stateFile");
                if (state.isPresent() && state.get().isBlank()) {
                    errors.add("admin.stateFile: must not be empty");
                } else if (state.isPresent()) {
                    stateFile = Path.of(state.get());
                }
                keyFile = text(node.get("keyFile"), "admin.keyFile").filter(f -> !f.isBlank());
                JsonNode previous = node.get("previousKeyFiles");
                if (previous != null && !previous.isNull()) {
                    if (previous.isArray()) {
                        for (int i = 0; i < previous.size(); i++) {
                            text(previous.get(i), "admin.previousKeyFiles[" + i + "]").ifPresent(previousKeyFiles::add);
                        }
                    } else {
                        errors.add("admin.previousKeyFiles: must be a list of files");
                    }
                }
                Optional<Long> minutes = integer(node.get("sessionTimeoutMinutes"), "admin.sessionTimeoutMinutes");
                if (minutes.isPresent()) {
                    if (minutes.get() < 1) {
                        errors.add("admin.sessionTimeoutMinutes: must be at least 1");
                    } else {
                        session = Duration.ofMinutes(minutes.get());
                    }
                }
                Optional<Long> ms = integer(node.get("rebuildTimeoutMs"), "admin.rebuildTimeoutMs");
                if (ms.isPresent()) {
                    if (ms.get() < 0) {
                        errors.add("admin.rebuildTimeoutMs: must not be negative");
                    } else {
                        rebuild = Duration.ofMillis(ms.get());
                    }
                }
                store = store(node);
            }
            if (token.isPresent() && token.get().length() < AdminToken.MIN_LENGTH) {
                errors.add(tokenPath + ": the admin token must be at least " + AdminToken.MIN_LENGTH
                        + " characters; make one with: openssl rand -base64 24");
                token = Optional.empty();
            }
            if (token.isPresent()) {
                byte[] digest = WriteKey.sha256(token.get());
                for (SluiceConfig.Source s : sources) {
                    if (java.security.MessageDigest.isEqual(digest, s.writeKey().digest())) {
                        errors.add(tokenPath + ": the admin token must differ from every write key (it equals the write"
                                + " key of source " + s.name() + ")");
                    }
                }
            }
            if (enabled.orElse(false) && token.isEmpty()) {
                errors.add("admin.enabled: the dashboard needs an admin token: set " + ADMIN_TOKEN_ENV
                        + " or admin.token (e.g. token: ${env:" + ADMIN_TOKEN_ENV + "})");
            }
            SecretKeys keys = secretKeys(keyFile, previousKeyFiles);
            return new SluiceConfig.Admin(enabled.orElse(token.isPresent()) && token.isPresent(), host, port,
                    token.map(AdminToken::new), stateFile, keys, session, rebuild, store);
        }

        /** {@code admin.store: postgresql://host:port/db}, with {@code storeUser} and {@code storePassword}. */
        Optional<AdminStoreAddress> store(JsonNode node) {
            Optional<String> url = text(node.get("store"), "admin.store").filter(u -> !u.isBlank());
            Optional<String> user = text(node.get("storeUser"), "admin.storeUser").filter(u -> !u.isBlank());
            Optional<String> password = text(node.get("storePassword"), "admin.storePassword").filter(p -> !p.isEmpty());
            if (url.isEmpty()) {
                if (user.isPresent() || password.isPresent()) {
                    errors.add("admin.storeUser / admin.storePassword: only apply with admin.store (postgresql://host:port/db)");
                }
                return Optional.empty();
            }
            String problem = "admin.store: must be postgresql://host:port/database (the local file admin.stateFile is the"
                    + " default; credentials go in admin.storeUser and admin.storePassword, e.g. ${env:SLUICE_STORE_PASSWORD})";
            URI uri;
            try {
                uri = new URI(url.get().trim());
            } catch (java.net.URISyntaxException e) {
                errors.add(problem);
                return Optional.empty();
            }
            String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
            if (!"postgresql".equals(uri.getScheme()) || uri.getHost() == null || database.isEmpty()
                    || database.contains("/") || uri.getRawUserInfo() != null || uri.getFragment() != null) {
                errors.add(problem);
                return Optional.empty();
            }
            return Optional.of(new AdminStoreAddress(uri, user, password));
        }

        /** The current key from {@code admin.keyFile} or {@value #SECRET_KEY_ENV}; previous ones from both places. */
        SecretKeys secretKeys(Optional<String> keyFile, List<String> previousKeyFiles) {
            int before = errors.size();
            byte[] current = null;
            List<byte[]> previous = new ArrayList<>();
            try {
                if (keyFile.isPresent()) {
                    current = readKeyFile(keyFile.get(), "admin.keyFile");
                } else {
                    String fromEnv = environment.apply(SECRET_KEY_ENV);
                    if (fromEnv != null && !fromEnv.isBlank()) {
                        current = SecretKeys.decode(fromEnv, SECRET_KEY_ENV);
                    }
                }
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
            for (int i = 0; i < previousKeyFiles.size(); i++) {
                try {
                    previous.add(readKeyFile(previousKeyFiles.get(i), "admin.previousKeyFiles[" + i + "]"));
                } catch (IllegalArgumentException e) {
                    errors.add(e.getMessage());
                }
            }
            String older = environment.apply(PREVIOUS_SECRET_KEYS_ENV);
            if (older != null && !older.isBlank()) {
                try {
                    previous.addAll(SecretKeys.decodeList(older, PREVIOUS_SECRET_KEYS_ENV));
                } catch (IllegalArgumentException e) {
                    errors.add(e.getMessage());
                }
            }
            if (current == null && !previous.isEmpty() && errors.size() == before) {
                errors.add(PREVIOUS_SECRET_KEYS_ENV + " / admin.previousKeyFiles: previous keys only decrypt; set the "
                        + "current key too (" + SECRET_KEY_ENV + " or admin.keyFile)");
            }
            return current == null || errors.size() > before ? SecretKeys.none() : SecretKeys.of(current, previous);
        }

        /** A key file holds the base64 of 32 bytes (or the 32 bytes themselves). */
        byte[] readKeyFile(String file, String path) {
            byte[] content;
            try {
                content = Files.readAllBytes(Path.of(file));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(path + ": the key file " + file + " cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            }
            if (content.length == SecretKeys.KEY_BYTES) {
                String text = new String(content, java.nio.charset.StandardCharsets.ISO_8859_1);
                if (!text.matches("[A-Za-z0-9+/=\\s]+")) {
                    return content;
                }
            }
            return SecretKeys.decode(new String(content, java.nio.charset.StandardCharsets.US_ASCII),
                    path + " (" + file + ")");
        }

        SluiceConfig.Server server(JsonNode node) {
            String host = SluiceConfig.DEFAULT_HOST;
            int port = SluiceConfig.DEFAULT_PORT;
            Duration shutdown = SluiceConfig.DEFAULT_SHUTDOWN_TIMEOUT;
            Optional<URI> publicUrl = Optional.empty();
            String instanceId = Optional.ofNullable(environment.apply(INSTANCE_ID_ENV)).filter(i -> !i.isBlank())
                    .orElseGet(ConfigLoader::hostName);
            if (object(node, "server")) {
                unknownFields(node, "server", SERVER_FIELDS);
                host = text(node.get("host"), "server.host").orElse(host);
                Optional<Long> p = integer(node.get("port"), "server.port");
                if (p.isPresent()) {
                    if (p.get() < 0 || p.get() > 65535) {
                        errors.add("server.port: must be between 0 and 65535 (0 picks a free port)");
                    } else {
                        port = p.get().intValue();
                    }
                }
                Optional<Long> ms = integer(node.get("shutdownTimeoutMs"), "server.shutdownTimeoutMs");
                if (ms.isPresent()) {
                    if (ms.get() < 0) {
                        errors.add("server.shutdownTimeoutMs: must not be negative");
                    } else {
                        shutdown = Duration.ofMillis(ms.get());
                    }
                }
                if (host.isBlank()) {
                    errors.add("server.host: must not be empty");
                }
                publicUrl = text(node.get("publicUrl"), "server.publicUrl").flatMap(this::publicUrl);
                Optional<String> id = text(node.get("instanceId"), "server.instanceId");
                if (id.isPresent() && !INSTANCE_ID.matcher(id.get()).matches()) {
                    errors.add("server.instanceId: must be 1 to 64 letters, digits, '.', '_' or '-'");
                } else if (id.isPresent()) {
                    instanceId = id.get();
                }
            }
            return new SluiceConfig.Server(host, port, shutdown, publicUrl, instanceId);
        }

        /** An absolute http(s) URL with no query: the settings document points libraries at it. */
        Optional<URI> publicUrl(String text) {
            String problem = "server.publicUrl: must be an absolute http or https URL such as https://sluice.example.com"
                    + " (a path prefix is allowed; no query, fragment or user info)";
            try {
                URI uri = new URI(text.trim());
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
                if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                        && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null) {
                    return Optional.of(uri);
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            errors.add(problem);
            return Optional.empty();
        }

        /** {@code "*"}, or a list of origins and {@code "*"}; absent: any origin. */
        AllowedOrigins allowedOrigins(JsonNode node, String path) {
            if (node == null || node.isNull()) {
                return AllowedOrigins.ANY;
            }
            List<String> entries = new ArrayList<>();
            if (node.isTextual()) {
                text(node, path).ifPresent(entries::add);
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    text(node.get(i), path + "[" + i + "]").ifPresent(entries::add);
                }
            } else {
                errors.add(path + ": must be \"*\" or a list of origins such as [\"https://shop.example\"]");
                return AllowedOrigins.ANY;
            }
            boolean valid = true;
            for (int i = 0; i < entries.size(); i++) {
                String entry = entries.get(i).trim();
                if (!entry.equals("*") && AllowedOrigins.normalise(entry).isEmpty()) {
                    errors.add(path + (node.isArray() ? "[" + i + "]" : "") + ": '" + entry + "' is not an origin; write"
                            + " scheme://host[:port] with no path, e.g. https://shop.example, or \"*\" for any origin");
                    valid = false;
                }
            }
            return valid ? AllowedOrigins.of(entries.stream().map(String::trim).toList()) : AllowedOrigins.ANY;
        }

        Path deadLetter(JsonNode node) {
            Path path = SluiceConfig.DEFAULT_DEAD_LETTER;
            if (object(node, "deadLetter")) {
                unknownFields(node, "deadLetter", DEAD_LETTER_FIELDS);
                Optional<String> text = text(node.get("path"), "deadLetter.path");
                if (text.isPresent() && text.get().isBlank()) {
                    errors.add("deadLetter.path: must not be empty");
                } else if (text.isPresent()) {
                    path = Path.of(text.get());
                }
            }
            return path;
        }

        SluiceConfig.Spool spool(JsonNode node) {
            boolean enabled = true;
            Path path = SluiceConfig.DEFAULT_SPOOL;
            SpoolPolicy policy = SpoolPolicy.defaults();
            if (!object(node, "spool")) {
                return new SluiceConfig.Spool(enabled, path, policy);
            }
            unknownFields(node, "spool", SPOOL_FIELDS);
            JsonNode on = node.get("enabled");
            if (on != null && !on.isNull()) {
                if (on.isBoolean()) {
                    enabled = on.booleanValue();
                } else {
                    errors.add("spool.enabled: must be true or false");
                }
            }
            Optional<String> file = text(node.get("path"), "spool.path");
            if (file.isPresent() && file.get().isBlank()) {
                errors.add("spool.path: must not be empty");
            } else if (file.isPresent()) {
                path = Path.of(file.get());
            }
            Optional<Long> maxBytes = integer(node.get("maxBytes"), "spool.maxBytes");
            if (maxBytes.isPresent()) {
                if (maxBytes.get() < 1) {
                    errors.add("spool.maxBytes: must be at least 1");
                } else {
                    policy = policy.withMaxBytes(maxBytes.get());
                }
            }
            Optional<String> fsync = text(node.get("fsync"), "spool.fsync");
            Optional<Long> interval = integer(node.get("fsyncIntervalMs"), "spool.fsyncIntervalMs");
            if (interval.isPresent() && interval.get() < 1) {
                errors.add("spool.fsyncIntervalMs: must be at least 1");
                interval = Optional.empty();
            }
            Duration every = interval.map(Duration::ofMillis).orElse(policy.fsyncInterval());
            if (fsync.isPresent()) {
                switch (fsync.get()) {
                    case "always" -> policy = policy.withFsync(SpoolPolicy.Fsync.ALWAYS, every);
                    case "interval" -> policy = policy.withFsync(SpoolPolicy.Fsync.INTERVAL, every);
                    default -> errors.add("spool.fsync: must be always or interval");
                }
            } else {
                policy = policy.withFsync(policy.fsync(), every);
            }
            return new SluiceConfig.Spool(enabled, path, policy);
        }

        DeliveryPolicy delivery(JsonNode node, String path, DeliveryPolicy base) {
            if (!object(node, path)) {
                return base;
            }
            unknownFields(node, path, DELIVERY_FIELDS);
            DeliveryPolicy policy = base;
            Optional<Long> bytes = integer(node.get("maxBufferedBytes"), path + ".maxBufferedBytes");
            if (bytes.isPresent()) {
                if (bytes.get() < 1) {
                    errors.add(path + ".maxBufferedBytes: must be at least 1");
                } else {
                    policy = policy.withMaxBufferedBytes(bytes.get());
                }
            }
            Optional<Long> linger = integer(node.get("lingerMs"), path + ".lingerMs");
            if (linger.isPresent()) {
                if (linger.get() < 0) {
                    errors.add(path + ".lingerMs: must not be negative");
                } else {
                    policy = policy.withLinger(Duration.ofMillis(linger.get()));
                }
            }
            Optional<Long> inFlight = integer(node.get("maxInFlightRequests"), path + ".maxInFlightRequests");
            if (inFlight.isPresent()) {
                if (inFlight.get() < 1 || inFlight.get() > 10_000) {
                    errors.add(path + ".maxInFlightRequests: must be between 1 and 10000");
                } else {
                    policy = policy.withMaxInFlightRequests(inFlight.get().intValue());
                }
            }
            Optional<Long> backlog = integer(node.get("maxBacklogBytes"), path + ".maxBacklogBytes");
            long maxBacklog = policy.maxBacklogBytes();
            if (backlog.isPresent()) {
                if (backlog.get() < 1) {
                    errors.add(path + ".maxBacklogBytes: must be at least 1");
                } else {
                    maxBacklog = backlog.get();
                }
            }
            DeliveryPolicy.WhenFull whenFull = policy.whenFull();
            Optional<String> full = text(node.get("whenFull"), path + ".whenFull");
            if (full.isPresent()) {
                switch (full.get()) {
                    case "block" -> whenFull = DeliveryPolicy.WhenFull.BLOCK;
                    case "deadLetter" -> whenFull = DeliveryPolicy.WhenFull.DEAD_LETTER;
                    default -> errors.add(path + ".whenFull: must be block or deadLetter");
                }
            }
            return policy.withBacklog(maxBacklog, whenFull);
        }

        List<SluiceConfig.Source> sources(JsonNode node, DeliveryPolicy defaults) {
            List<SluiceConfig.Source> sources = new ArrayList<>();
            if (node == null || node.isNull() || (node.isArray() && node.isEmpty())) {
                errors.add("sources: at least one source is required");
                return sources;
            }
            if (!node.isArray()) {
                errors.add("sources: must be a list of sources");
                return sources;
            }
            Map<String, String> sourceNames = new HashMap<>();
            Map<String, String> destinationNames = new HashMap<>();
            List<String> keyPaths = new ArrayList<>();
            List<byte[]> keyDigests = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                String path = "sources[" + i + "]";
                JsonNode s = node.get(i);
                if (!s.isObject()) {
                    errors.add(path + ": must be a mapping with name, writeKey and destinations");
                    continue;
                }
                unknownFields(s, path, SOURCE_FIELDS);
                String name = requiredText(s.get("name"), path + ".name");
                if (name != null) {
                    String first = sourceNames.putIfAbsent(name, path);
                    if (first != null) {
                        errors.add(path + ".name: source name '" + name + "' is already used by " + first);
                    }
                }
                String key = requiredText(s.get("writeKey"), path + ".writeKey");
                if (key != null) {
                    byte[] digest = WriteKey.sha256(key);
                    for (int k = 0; k < keyDigests.size(); k++) {
                        if (java.security.MessageDigest.isEqual(digest, keyDigests.get(k))) {
                            errors.add(path + ".writeKey: the same write key is used by " + keyPaths.get(k)
                                    + "; each source needs its own");
                        }
                    }
                    keyPaths.add(path);
                    keyDigests.add(digest);
                }
                List<SluiceConfig.Destination> destinations =
                        destinations(s.get("destinations"), path, name, defaults, destinationNames);
                AllowedOrigins origins = allowedOrigins(s.get("allowedOrigins"), path + ".allowedOrigins");
                if (name != null && key != null) {
                    sources.add(new SluiceConfig.Source(name, new WriteKey(key), destinations, origins));
                }
            }
            return sources;
        }

        List<SluiceConfig.Destination> destinations(JsonNode node, String sourcePath, String sourceName,
                                                    DeliveryPolicy defaults, Map<String, String> names) {
            List<SluiceConfig.Destination> destinations = new ArrayList<>();
            String listPath = sourcePath + ".destinations";
            if (node == null || node.isNull() || (node.isArray() && node.isEmpty())) {
                errors.add(listPath + ": at least one destination is required");
                return destinations;
            }
            if (!node.isArray()) {
                errors.add(listPath + ": must be a list of destinations");
                return destinations;
            }
            for (int i = 0; i < node.size(); i++) {
                String path = listPath + "[" + i + "]";
                JsonNode d = node.get(i);
                if (!d.isObject()) {
                    errors.add(path + ": must be a mapping with type and settings");
                    continue;
                }
                unknownFields(d, path, DESTINATION_FIELDS);
                String type = requiredText(d.get("type"), path + ".type");
                Optional<String> explicitName = text(d.get("name"), path + ".name");
                if (explicitName.isPresent() && explicitName.get().isBlank()) {
                    errors.add(path + ".name: must not be empty");
                }
                DeliveryPolicy policy = delivery(d.get("delivery"), path + ".delivery", defaults);
                Map<String, Object> raw = settings(d.get("settings"), path + ".settings");
                if (type == null) {
                    continue;
                }
                String name = explicitName.orElse(sourceName + "/" + type);
                String first = names.putIfAbsent(name, path);
                if (first != null) {
                    errors.add(path + ": destination name '" + name + "' is already used by " + first
                            + "; give one of them its own name: field");
                }
                Optional<Plugin> plugin = registry.find(type);
                if (plugin.isEmpty()) {
                    errors.add(path + ".type: unknown destination type '" + type + "'; known types are: "
                            + (registry.ids().isEmpty() ? "(none)" : String.join(", ", registry.ids())));
                    continue;
                }
                Settings settings;
                try {
                    settings = plugin.get().provider().settingsSchema().parse(raw);
                } catch (InvalidSettingsException e) {
                    e.errors().forEach(error -> errors.add(path + ".settings." + error.message()));
                    continue;
                } catch (RuntimeException e) {
                    // A broken plugin; its message might quote a setting, so name the failure only.
                    errors.add(path + ".settings: the " + type + " plugin failed to check them ("
                            + e.getClass().getName() + ", from " + plugin.get().describe() + ")");
                    continue;
                }
                destinations.add(new SluiceConfig.Destination(name, type, settings, policy));
            }
            return destinations;
        }

        Map<String, Object> settings(JsonNode node, String path) {
            Map<String, Object> raw = new LinkedHashMap<>();
            if (!object(node, path)) {
                return raw;
            }
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                Object value = plain(field.getValue(), path + "." + field.getKey());
                if (value != null) {
                    raw.put(field.getKey(), value);
                }
            }
            return raw;
        }

        /** A settings value as the schema reads it: String, Long, Boolean, Double, or lists and maps of them. */
        Object plain(JsonNode node, String path) {
            return PlainValues.of(node, path, (text, at) -> env.apply(text, at, errors));
        }

        boolean object(JsonNode node, String path) {
            if (node == null || node.isNull()) {
                return false;
            }
            if (!node.isObject()) {
                errors.add(path + ": must be a mapping");
                return false;
            }
            return true;
        }

        void unknownFields(JsonNode node, String path, Set<String> known) {
            node.fieldNames().forEachRemaining(f -> {
                if (!known.contains(f)) {
                    errors.add((path.isEmpty() ? "" : path + ".") + f + ": unknown field; known fields are "
                            + String.join(", ", known.stream().sorted().toList()));
                }
            });
        }

        Optional<String> text(JsonNode node, String path) {
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            if (!node.isValueNode() || node.isBinary()) {
                errors.add(path + ": must be text");
                return Optional.empty();
            }
            return Optional.of(env.apply(node.asText(), path, errors));
        }

        String requiredText(JsonNode node, String path) {
            Optional<String> value = text(node, path);
            if (value.isEmpty()) {
                if (node == null || node.isNull()) {
                    errors.add(path + ": is required");
                }
                return null;
            }
            if (value.get().isBlank()) {
                errors.add(path + ": must not be empty");
                return null;
            }
            return value.get();
        }

        Optional<Long> integer(JsonNode node, String path) {
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                return Optional.of(node.longValue());
            }
            if (node.isTextual()) {
                int before = errors.size();
                String text = env.apply(node.textValue(), path, errors).trim();
                if (errors.size() > before) {
                    return Optional.empty(); // the missing variable is the error to report
                }
                try {
                    return Optional.of(Long.parseLong(text));
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            errors.add(path + ": must be a whole number");
            return Optional.empty();
        }
    }

    /** An empty YAML mapping, for building configurations in code. */
    public static ObjectNode newTree() {
        return YAML.createObjectNode();
    }
}
