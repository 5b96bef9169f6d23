package io.sluice.kafka;

import io.sluice.spi.read.Arrival;
import io.sluice.spi.read.ArrivalReader;
import io.sluice.spi.read.ReadFrom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/** Reads the topic back with a consumer in no group: every partition, from the start or the end. */
final class KafkaReader implements ArrivalReader {

    private final KafkaConsumer<byte[], byte[]> consumer;

    private KafkaReader(KafkaConsumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    static KafkaReader open(KafkaSettings settings, ReadFrom from) {
        KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(settings);
        try {
            List<PartitionInfo> partitions = consumer.partitionsFor(settings.topic(), Duration.ofSeconds(30));
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException(settings.target() + ": the topic does not exist");
            }
            List<TopicPartition> assigned = partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(assigned);
            if (from == ReadFrom.EARLIEST) {
                consumer.seekToBeginning(assigned);
            } else {
                consumer.seekToEnd(assigned);
                // Fix the end now, so that what arrives after open() is read.
                assigned.forEach(consumer::position);
            }
            return new KafkaReader(consumer);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    @Override
    public List<Arrival> poll(Duration wait) {
        List<Arrival> arrivals = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait)) {
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("partition", Integer.toString(record.partition()));
            attributes.put("offset", Long.toString(record.offset()));
            attributes.put("key", record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8));
            for (Header header : record.headers()) {
                attributes.put("header." + header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            arrivals.add(new Arrival(record.value() == null ? new byte[0] : record.value(), attributes));
        }
        return arrivals;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
