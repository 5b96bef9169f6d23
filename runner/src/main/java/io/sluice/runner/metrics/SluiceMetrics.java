package io.sluice.runner.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Sluice's Prometheus metrics, in a registry of its own (not the global default, so two servers in
 * one JVM, as in tests, do not share counts). Labels are source names, destination names, error
 * codes and status codes: configuration names and fixed vocabularies, never a key or a setting.
 */
public final class SluiceMetrics {

    /** A destination's live numbers, read at scrape time. */
    public interface DestinationGauge {
        String destinationName();

        long bufferedEvents();

        long bufferedBytes();

        long backlogEvents();

        long backlogBytes();

        double oldestEventAgeSeconds();

        boolean healthy();
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final Counter accepted = Counter.builder()
            .name("sluice_events_accepted_total")
            .help("Events accepted from a source and handed to its destinations")
            .labelNames("source")
            .register(registry);
    private final Counter rejected = Counter.builder()
            .name("sluice_events_rejected_total")
            .help("Calls refused at intake because they broke the Segment Spec, by first error code")
            .labelNames("source", "code")
            .register(registry);
    private final Counter delivered = Counter.builder()
            .name("sluice_events_delivered_total")
            .help("Events a destination accepted")
            .labelNames("destination")
            .register(registry);
    private final Counter retried = Counter.builder()
            .name("sluice_events_retried_total")
            .help("Retryable delivery failures; the event is sent again")
            .labelNames("destination")
            .register(registry);
    private final Counter failed = Counter.builder()
            .name("sluice_events_failed_total")
            .help("Events that will never be delivered and went to the dead-letter file")
            .labelNames("destination")
            .register(registry);
    private final Histogram latency = Histogram.builder()
            .name("sluice_delivery_latency_seconds")
            .help("Time from accepting an event to its destination confirming it")
            .labelNames("destination")
            .classicOnly()
            .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600)
            .register(registry);
    private final Counter requests = Counter.builder()
            .name("sluice_http_requests_total")
            .help("HTTP requests answered, by endpoint and status code")
            .labelNames("endpoint", "status")
            .register(registry);

    private final PluginMetricSeries plugins = new PluginMetricSeries(registry);

    /** Where a destination instance publishes its plugin's own metrics, labelled with its name. */
    public io.sluice.spi.metrics.PluginMetrics forPlugin(String destination) {
        return plugins.forDestination(destination);
    }

    /** Reports buffers and health of the destinations {@code gauges} lists at each scrape. */
    public void watch(Supplier<Collection<? extends DestinationGauge>> gauges) {
        GaugeWithCallback.builder()
                .name("sluice_destination_buffered_events")
                .help("Events in a destination's memory window: queued, waiting to retry, or in flight")
                .labelNames("destination")
                .callback(cb -> gauges.get().forEach(g -> cb.call(g.bufferedEvents(), g.destinationName())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_destination_buffered_bytes")
                .help("Event bytes in a destination's memory window (maxBufferedBytes bounds it)")
                .labelNames("destination")
                .callback(cb -> gauges.get().forEach(g -> cb.call(g.bufferedBytes(), g.destinationName())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_destination_backlog_events")
                .help("Events routed to a destination and not yet delivered or dead-lettered, in memory or on disk")
                .labelNames("destination")
                .callback(cb -> gauges.get().forEach(g -> cb.call(g.backlogEvents(), g.destinationName())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_destination_backlog_bytes")
                .help("Payload bytes of a destination's backlog (each event is stored once; this counts the ones it still needs)")
                .labelNames("destination")
                .callback(cb -> gauges.get().forEach(g -> cb.call(g.backlogBytes(), g.destinationName())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_destination_oldest_event_age_seconds")
                .help("Age of the oldest event a destination has not delivered yet; 0 when it has none")
                .labelNames("destination")
                .callback(cb -> gauges.get().forEach(g -> cb.call(g.oldestEventAgeSeconds(), g.destinationName())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_destination_healthy")
                .help("1 when the destination reports itself healthy, else 0")
                .labelNames("destination")
                .callback(cb -> gauges.get().forEach(g -> cb.call(g.healthy() ? 1 : 0, g.destinationName())))
                .register(registry);
    }

    /** Reports the spool's size, each event's payload counted once, and its bound. */
    public void watchSpool(LongSupplier bytes, long maxBytes) {
        GaugeWithCallback.builder()
                .name("sluice_spool_bytes")
                .help("Payload bytes in the spool, each event counted once whatever the number of its destinations")
                .callback(cb -> cb.call(bytes.getAsLong()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_spool_max_bytes")
                .help("The spool's bound (spool.maxBytes); requests are answered 507 spool_full beyond it")
                .callback(cb -> cb.call(maxBytes))
                .register(registry);
    }

    /** {@code sluice_instance_info{instance_id="..."} 1}: which node these numbers are (join on the scrape's instance). */
    public void instance(String instanceId) {
        io.prometheus.metrics.core.metrics.Info.builder()
                .name("sluice_instance")
                .help("This node's instance id (server.instanceId); the other series count this node alone")
                .labelNames("instance_id")
                .register(registry)
                .setLabelValues(instanceId);
    }

    public void accepted(String source, long events) {
        accepted.labelValues(source).inc(events);
    }

    public void rejected(String source, String code) {
        rejected.labelValues(source, code).inc();
    }

    public void delivered(String destination, Duration latency) {
        delivered.labelValues(destination).inc();
        this.latency.labelValues(destination).observe(latency.toNanos() / 1e9);
    }

    public void retried(String destination) {
        retried.labelValues(destination).inc();
    }

    public void failed(String destination) {
        failed.labelValues(destination).inc();
    }

    public void request(String endpoint, int status) {
        requests.labelValues(endpoint, Integer.toString(status)).inc();
    }

    /** Makes a source's and its destinations' series appear at zero before the first event. */
    public void initialise(String source, List<String> destinations) {
        accepted.labelValues(source);
        for (String d : destinations) {
            delivered.labelValues(d);
            retried.labelValues(d);
            failed.labelValues(d);
        }
    }

    public String contentType() {
        return writer.getContentType();
    }

    /** Every metric in the Prometheus text format. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
