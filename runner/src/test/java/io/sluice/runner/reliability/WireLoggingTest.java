package io.sluice.runner.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The AWS SDK's wire logging is off by default, and stays off when an operator turns Sluice's own
 * logging up: the production logback configuration, loaded into a separate context, with
 * {@code SLUICE_LOG_LEVEL} at each level, keeps every logger that can print requests, headers,
 * signatures or payloads at WARN or quieter.
 */
class WireLoggingTest {

    static final List<String> WIRE_LOGGERS = List.of(
            "software.amazon.awssdk.request",            // the SDK's request/response log
            "software.amazon.awssdk.requestId",
            "software.amazon.awssdk.auth.signer",        // canonical requests, string to sign
            "software.amazon.awssdk.http.auth.aws.internal.signer",
            "software.amazon.awssdk.http.nio.netty",
            "software.amazon.awssdk.http.apache5",
            "io.netty.handler.logging.LoggingHandler",   // Netty's wire dump
            "org.apache.http.wire",
            "org.apache.http.headers",
            "org.apache.hc.client5.http.wire",
            "org.apache.hc.client5.http.headers");

    @ParameterizedTest
    @ValueSource(strings = {"INFO", "DEBUG", "TRACE", "ALL"})
    void wireLoggersStayAtWarnOrQuieter(String sluiceLevel) throws Exception {
        LoggerContext context = new LoggerContext();
        context.putProperty("SLUICE_LOG_LEVEL", sluiceLevel);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(Path.of("src/main/resources/logback.xml").toFile());
        Map<String, Level> levels = new TreeMap<>();
        WIRE_LOGGERS.forEach(name -> levels.put(name, context.getLogger(name).getEffectiveLevel()));
        Level sluice = context.getLogger("io.sluice.runner").getEffectiveLevel();
        context.stop();
        Figures.of("wire-logging-" + sluiceLevel).put("inputs", levels.size()).put("sluiceLevel", sluice)
                .put("levels", levels.values().stream().distinct().toList().toString().replace(" ", "")).print();
        assertThat(sluice.toString()).as("the operator's level applies to Sluice").isEqualTo(sluiceLevel);
        levels.forEach((name, level) -> assertThat(level.isGreaterOrEqual(Level.WARN)).as(name + " is " + level).isTrue());
    }
}
