package io.sluice.core.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.spec.RequestException;
import io.sluice.core.spec.SpecJson;
import io.sluice.spi.event.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever arrives, the intake answers with events or Spec errors, never with another exception. */
class IntakePropertiesTest {

    final Intake intake = new Intake(Clock.systemUTC());

    @Property(tries = 1000)
    void randomTextNeverThrowsAnythingButARequestError(@ForAll String body) {
        readBoth(body.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 1000)
    void randomBytesNeverThrowAnythingButARequestError(@ForAll byte[] body) {
        readBoth(body);
    }

    @Property(tries = 1000)
    void randomJsonNeverThrowsAnythingButARequestError(@ForAll("calls") String call) {
        readBoth(call.getBytes(StandardCharsets.UTF_8));
        readBoth(("{\"batch\":[" + call + "," + call + "],\"context\":" + call + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 1000)
    void truncatedAndMutatedExamplesNeverThrowAnythingButARequestError(
            @ForAll("examples") String example, @ForAll("cuts") int cut, @ForAll char replacement) {
        int at = Math.floorMod(cut, example.length());
        readBoth(example.substring(0, at).getBytes(StandardCharsets.UTF_8));
        String mutated = example.substring(0, at) + replacement + example.substring(Math.min(example.length(), at + 1));
        readBoth(mutated.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 300)
    void acceptedEventsAreValidJsonWithTheirMessageId(@ForAll("calls") String call) throws Exception {
        IntakeResult result;
        try {
            result = intake.readBatch(("{\"batch\":[" + call + "]}").getBytes(StandardCharsets.UTF_8));
        } catch (RequestException e) {
            return;
        }
        for (AcceptedEvent accepted : result.accepted()) {
            assertThat(SpecJson.MAPPER.readTree(accepted.event().jsonText()).get("messageId").asText())
                    .isEqualTo(accepted.event().messageId());
        }
    }

    private void readBoth(byte[] body) {
        for (EventType type : EventType.values()) {
            try {
                IntakeResult result = intake.readCall(body, type);
                assertThat(result.accepted().size() + result.rejected().size()).isEqualTo(1);
            } catch (RequestException expected) {
                assertThat(expected.error().message()).isNotBlank();
            }
        }
        try {
            intake.readBatch(body);
        } catch (RequestException expected) {
            assertThat(expected.error().message()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> examples() {
        return Arbitraries.of(Fixtures.CALLS).map(Fixtures::text);
    }

    @Provide
    Arbitrary<Integer> cuts() {
        return Arbitraries.integers().between(0, 5000);
    }

    @Provide
    Arbitrary<String> calls() {
        Arbitrary<String> keys = Arbitraries.of("type", "userId", "anonymousId", "event", "groupId", "previousId",
                "properties", "traits", "context", "integrations", "messageId", "timestamp", "sentAt",
                "originalTimestamp", "writeKey", "All", "batch", "x");
        Arbitrary<String> types = Arbitraries.of("\"identify\"", "\"track\"", "\"page\"", "\"screen\"", "\"group\"", "\"alias\"", "\"Track\"");
        Arbitrary<String> values = json(3).injectDuplicates(0.1);
        Arbitrary<String> member = Combinators.combine(keys, Arbitraries.oneOf(values, types)).as((k, v) -> "\"" + k + "\":" + v);
        return member.list().ofMaxSize(10).map(members -> "{" + String.join(",", members) + "}");
    }

    private Arbitrary<String> json(int depth) {
        Arbitrary<String> scalars = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(20).map(IntakePropertiesTest::quote),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf).filter(s -> !s.contains("Infinity") && !s.contains("NaN")),
                Arbitraries.bigIntegers().between(java.math.BigInteger.TEN.pow(30).negate(), java.math.BigInteger.TEN.pow(30)).map(String::valueOf),
                Arbitraries.of("true", "false", "null", "\"2024-05-01T12:00:00Z\"", "\"2024-13-45\"", "1e999", "-0"));
        if (depth == 0) {
            return scalars;
        }
        Arbitrary<String> inner = json(depth - 1);
        Arbitrary<String> arrays = inner.list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]");
        Arbitrary<String> objects = Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(6), inner)
                .as((k, v) -> quote(k) + ":" + v).list().ofMaxSize(4).map(items -> "{" + String.join(",", items) + "}");
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, scalars),
                net.jqwik.api.Tuple.of(2, arrays),
                net.jqwik.api.Tuple.of(2, objects));
    }

    private static String quote(String s) {
        try {
            return SpecJson.MAPPER.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
