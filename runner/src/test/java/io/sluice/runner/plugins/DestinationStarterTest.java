package io.sluice.runner.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.spi.Destination;
import io.sluice.spi.DestinationContext;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.Health;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import io.sluice.spi.settings.Setting;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Creating and opening a destination: its context, its failures shown, its secrets blanked centrally. */
class DestinationStarterTest {

    static final String TOKEN = "tok-9f8e7d6c5b4a";
    static final String HEADER = "Bearer hdr-1a2b3c4d5e";
    static final String URL_TOKEN = "urltok-77aa88bb";

    /** A careless webhook-like plugin: it quotes its settings whenever something goes wrong. */
    static final class CarelessProvider implements DestinationProvider {
        final String failAt;
        final AtomicReference<DestinationContext> seen = new AtomicReference<>();

        CarelessProvider(String failAt) {
            this.failAt = failAt;
        }

        @Override
        public String id() {
            return "careless";
        }

        @Override
        public String integrationName() {
            return "Careless";
        }

        @Override
        public SettingsSchema settingsSchema() {
            return SettingsSchema.builder()
                    .add(Setting.uri("url").sensitive().description("Where to post."))
                    .add(Setting.secret("token").description("The token."))
                    .add(Setting.map("headers").sensitive().optional().description("Headers."))
                    .build();
        }

        @Override
        public Destination create(Settings settings) {
            throw new AssertionError("Sluice calls create(settings, context)");
        }

        @Override
        public Destination create(Settings settings, DestinationContext context) {
            seen.set(context);
            String all = settings.uri("url").orElseThrow() + " " + settings.secret("token").orElseThrow().reveal() + " "
                    + settings.secretMap("headers").get("Authorization").reveal();
            if (failAt.equals("create")) {
                throw new IllegalArgumentException("url is wrong: " + all);
            }
            context.metrics().counter("posts_total", "Requests posted").increment(3);
            context.metrics().histogram("post_seconds", "Request time").observe(0.2);
            return new Destination() {
                @Override
                public void open() {
                    if (failAt.equals("open")) {
                        throw new IllegalStateException("cannot reach " + all, new RuntimeException("because " + TOKEN));
                    }
                }

                @Override
                public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
                    return CompletableFuture.completedFuture(List.of(Outcome.retryable("503 from " + all),
                            Outcome.rejected("400 with " + all), Outcome.delivered()));
                }

                @Override
                public Health health() {
                    return Health.unhealthy("401 for " + all);
                }

                @Override
                public void close() {}

                @Override
                public String toString() {
                    return "Careless{" + all + "}";
                }
            };
        }
    }

    static Settings settings(DestinationProvider provider) {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("url", "https://hooks.example.test/in?token=" + URL_TOKEN);
        raw.put("token", TOKEN);
        raw.put("headers", Map.of("Authorization", HEADER));
        return provider.settingsSchema().parse(raw);
    }

    static Plugin plugin(DestinationProvider provider) {
        return new Plugin(provider, "test.jar", DestinationStarterTest.class.getClassLoader());
    }

    @Test
    void whatCreateSaysIsShownWithEverySecretBlanked() {
        CarelessProvider provider = new CarelessProvider("create");

        assertThatThrownBy(() -> DestinationStarter.withoutMetrics().start(plugin(provider), "hooks", settings(provider)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("hooks: the careless destination cannot be created: url is wrong: ")
                .hasMessageContaining("java.lang.IllegalArgumentException, from test.jar")
                .hasMessageContaining("******")
                .hasMessageNotContaining(TOKEN).hasMessageNotContaining(URL_TOKEN).hasMessageNotContaining("hdr-1a2b3c4d5e");
    }

    @Test
    void whatOpenSaysIsShownWithItsCausesAndEverySecretBlanked() {
        CarelessProvider provider = new CarelessProvider("open");

        assertThatThrownBy(() -> DestinationStarter.withoutMetrics().start(plugin(provider), "hooks", settings(provider)))
                .hasMessageStartingWith("hooks: the careless destination cannot be opened: cannot reach ")
                .hasMessageContaining("; caused by because ******")
                .hasMessageNotContaining(TOKEN).hasMessageNotContaining(URL_TOKEN).hasMessageNotContaining("hdr-1a2b3c4d5e");
    }

    @Test
    void healthReasonsAndToStringAreBlankedToo() throws Exception {
        CarelessProvider provider = new CarelessProvider("never");
        Destination destination = DestinationStarter.withoutMetrics().start(plugin(provider), "hooks", settings(provider));
        Event event = Event.builder(EventType.TRACK, "m1", "{}".getBytes(StandardCharsets.UTF_8))
                .timestamp(Instant.EPOCH).receivedAt(Instant.EPOCH).build();

        List<Outcome> outcomes = destination.deliver(List.of(event, event, event)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        String shown = outcomes + " " + destination.health() + " " + destination;

        assertThat(shown).doesNotContain(TOKEN).doesNotContain(URL_TOKEN).doesNotContain("hdr-1a2b3c4d5e")
                .contains("503 from ****** ****** ******").contains("401 for ******");
        assertThat(outcomes.get(2)).isSameAs(Outcome.DELIVERED);
    }

    @Test
    void createGetsTheInstancesNameALoggerAndMetricsExportedWithItsLabel() {
        CarelessProvider provider = new CarelessProvider("never");
        SluiceMetrics metrics = new SluiceMetrics();

        new DestinationStarter(metrics::forPlugin).start(plugin(provider), "web/hooks", settings(provider)).close();

        DestinationContext context = provider.seen.get();
        assertThat(context.instanceName()).isEqualTo("web/hooks");
        assertThat(context.logger().getName()).isEqualTo("sluice.destination.web/hooks");
        String scraped = new String(metrics.scrape(), StandardCharsets.UTF_8);
        assertThat(scraped).contains("sluice_plugin_posts_total{destination=\"web/hooks\"} 3.0")
                .contains("sluice_plugin_post_seconds_count{destination=\"web/hooks\"} 1");
    }

    @Test
    void pluginMetricNamesAreChecked() {
        SluiceMetrics metrics = new SluiceMetrics();
        assertThatThrownBy(() -> metrics.forPlugin("d").counter("Bad-Name", "x")).hasMessageContaining("snake_case");
        metrics.forPlugin("d").counter("calls_total", "Calls");
        assertThatThrownBy(() -> metrics.forPlugin("d").histogram("calls_total", "Calls"))
                .hasMessageContaining("already");
        assertThatThrownBy(() -> metrics.forPlugin("d").counter("calls_total", "Calls").increment(-1))
                .hasMessageContaining("only goes up");
    }
}
