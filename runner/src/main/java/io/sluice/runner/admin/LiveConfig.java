package io.sluice.runner.admin;

import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.routing.Pipeline;
import io.sluice.runner.routing.Route;
import io.sluice.runner.routing.Source;
import io.sluice.spi.settings.Setting;
import io.sluice.spi.settings.SettingType;
import io.sluice.spi.settings.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the running pipeline match the configuration file with the stored changes on top, by
 * difference: destinations added, rebuilt (type, settings or delivery changed), switched on or off,
 * or removed; the others are left alone, events and all. Used when another node changed the shared
 * store, and when SIGHUP re-reads the configuration file. Sources themselves (their write keys and
 * origins) and the other sections are read at start only: a change there is logged as needing a
 * restart. Callers hold {@link DestinationAdmin}'s lock, so a change is never applied twice.
 */
final class LiveConfig {

    private static final Logger LOG = LoggerFactory.getLogger(LiveConfig.class);

    private final PluginRegistry registry;
    private final Pipeline pipeline;
    private final AdminState state;
    private volatile SluiceConfig configured;

    LiveConfig(SluiceConfig configured, PluginRegistry registry, Pipeline pipeline, AdminState state) {
        this.configured = configured;
        this.registry = registry;
        this.pipeline = pipeline;
        this.state = state;
    }

    /** The configuration as the file last gave it. */
    SluiceConfig configured() {
        return configured;
    }

    /**
     * Takes a re-read configuration file: its destinations apply at once; what can only change with
     * a restart is logged.
     *
     * @return what could not be applied without a restart (empty when everything was)
     */
    List<String> reload(SluiceConfig file) {
        List<String> needRestart = restartOnly(configured, file);
        needRestart.forEach(what -> LOG.warn("configuration reload: {} changed; that takes a restart", what));
        // Sources are the running ones: each takes its destinations from the new file; one the file
        // dropped keeps its old ones until the restart.
        Map<String, SluiceConfig.Source> reread = new HashMap<>();
        file.sources().forEach(s -> reread.put(s.name(), s));
        configured = configured.withSources(configured.sources().stream()
                .map(s -> reread.getOrDefault(s.name(), s)).toList());
        apply();
        return needRestart;
    }

    /** Applies the stored changes again, when another node changed them. */
    void refresh() {
        if (state.refresh()) {
            apply();
        }
    }

    /** Brings the pipeline to what the file and the stored changes say; one failing destination does not stop the rest. */
    private void apply() {
        AdminState.Applied wanted;
        try {
            wanted = state.apply(configured, registry);
        } catch (IllegalStateException e) {
            LOG.error("the configuration with the stored changes is not valid, so nothing changes: {}", e.getMessage());
            return;
        }
        Duration timeout = configured.admin().rebuildTimeout();
        List<String> changed = new ArrayList<>();
        Set<String> kept = new HashSet<>();
        for (SluiceConfig.Source s : wanted.config().sources()) {
            Optional<Source> running = pipeline.source(s.name());
            if (running.isEmpty()) {
                continue;
            }
            for (SluiceConfig.Destination d : s.destinations()) {
                kept.add(d.name());
                boolean on = !wanted.disabled().contains(d.name());
                Optional<Route> route = running.get().route(d.name());
                try {
                    if (route.isEmpty()) {
                        pipeline.add(s.name(), d, on);
                        changed.add("added " + d.name());
                    } else if (!same(route.get().definition(), d)) {
                        pipeline.replace(s.name(), d, on, timeout);
                        changed.add("rebuilt " + d.name());
                    } else if (route.get().enabled() != on) {
                        pipeline.setEnabled(s.name(), d.name(), on);
                        changed.add((on ? "switched on " : "switched off ") + d.name());
                    }
                } catch (RuntimeException e) {
                    LOG.error("{}: the change cannot be applied on this node: {}", d.name(), e.getMessage());
                }
            }
        }
        for (Route route : pipeline.routes()) {
            if (!kept.contains(route.name())) {
                try {
                    int left = pipeline.remove(route.source(), route.name(), timeout);
                    changed.add("removed " + route.name() + (left > 0 ? " (" + left + " event(s) dead-lettered)" : ""));
                } catch (RuntimeException e) {
                    LOG.error("{}: cannot be removed on this node: {}", route.name(), e.getMessage());
                }
            }
        }
        if (!changed.isEmpty()) {
            LOG.info("applied the latest configuration: {}", String.join(", ", changed));
        }
    }

    /** Whether a running destination already is {@code wanted}: same type, settings and delivery. */
    static boolean same(SluiceConfig.Destination running, SluiceConfig.Destination wanted) {
        return running.type().equals(wanted.type()) && Objects.equals(running.delivery(), wanted.delivery())
                && values(running.settings()).equals(values(wanted.settings()));
    }

    /** Every setting's value, secrets revealed: compared in memory, never shown. */
    private static Map<String, Object> values(Settings settings) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Object> visible = settings.masked();
        for (Setting setting : settings.schema().settings()) {
            Object value = visible.get(setting.name());
            if (setting.isSecret() && setting.type() == SettingType.MAP) {
                Map<String, String> revealed = new LinkedHashMap<>();
                settings.secretMap(setting.name()).forEach((k, v) -> revealed.put(k, v.reveal()));
                value = revealed;
            } else if (setting.isSecret()) {
                value = settings.secret(setting.name()).map(s -> (Object) s.reveal()).orElse(null);
            }
            values.put(setting.name(), value);
        }
        return values;
    }

    /** What differs between two configurations outside the destinations. */
    private static List<String> restartOnly(SluiceConfig before, SluiceConfig after) {
        List<String> changed = new ArrayList<>();
        if (!before.server().equals(after.server())) {
            changed.add("server");
        }
        if (!before.deadLetter().equals(after.deadLetter())) {
            changed.add("deadLetter");
        }
        if (!before.spool().equals(after.spool())) {
            changed.add("spool");
        }
        if (!Objects.equals(before.delivery(), after.delivery())) {
            changed.add("delivery (the defaults for destinations added later)");
        }
        if (!sameAdmin(before.admin(), after.admin())) {
            changed.add("admin");
        }
        Map<String, SluiceConfig.Source> old = new HashMap<>();
        before.sources().forEach(s -> old.put(s.name(), s));
        for (SluiceConfig.Source s : after.sources()) {
            SluiceConfig.Source was = old.remove(s.name());
            if (was == null) {
                changed.add("sources: " + s.name() + " is new");
            } else if (!java.security.MessageDigest.isEqual(was.writeKey().digest(), s.writeKey().digest())
                    || !was.allowedOrigins().toString().equals(s.allowedOrigins().toString())) {
                changed.add("sources: the write key or allowed origins of " + s.name());
            }
        }
        old.keySet().forEach(name -> changed.add("sources: " + name + " was removed"));
        return changed;
    }

    /** Admin settings compared by what a reader can see (the token and keys compare by reference otherwise). */
    private static boolean sameAdmin(SluiceConfig.Admin a, SluiceConfig.Admin b) {
        return a.enabled() == b.enabled() && a.host().equals(b.host()) && a.port() == b.port()
                && a.stateFile().equals(b.stateFile()) && a.store().map(Object::toString).equals(b.store().map(Object::toString))
                && a.sessionTimeout().equals(b.sessionTimeout()) && a.rebuildTimeout().equals(b.rebuildTimeout());
    }
}
