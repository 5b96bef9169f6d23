package io.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Destination;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kinesis.model.Record;

@ExtendWith(KinesaliteExtension.class)
class ExactlyOnceTest {

    private static final int EVENTS = 10_000;

    @Test
    void tenThousandEventsAcrossFourShardsEachArriveExactlyOnce(TestKinesis kinesis) throws Exception {
        String stream = kinesis.newStream(4);
        List<Event> events = IntStream.range(0, EVENTS)
                .mapToObj(i -> TestEvents.track(String.format("msg-%05d", i), "user-" + (i % 997)))
                .toList();

        EngineRun.Result result;
        try (Destination destination = TestKinesis.open(kinesis.settings(stream))) {
            result = EngineRun.deliverAll(destination, events, 5);
        }

        assertThat(result.count(Outcome.Delivered.class)).isEqualTo(EVENTS);
        List<Record> records = kinesis.awaitRecords(stream, EVENTS);
        Map<String, Long> copies = records.stream()
                .map(r -> TestEvents.messageId(r, PayloadEncoding.BASE64))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(records).hasSize(EVENTS);
        assertThat(copies).hasSize(EVENTS).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        assertThat(copies.keySet()).containsAll(events.stream().map(Event::messageId).toList());
        // The keys spread the records over every shard.
        assertThat(result.outcomes().values().stream()
                .map(o -> ((Outcome.Delivered) o).receipt().get("shardId")).distinct()).hasSize(4);
    }
}
