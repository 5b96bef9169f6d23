package io.sluice.runner.cli;

import io.sluice.kinesis.KinesisClients;
import io.sluice.runner.kinesis.KinesisTail;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.KinesisClientBuilder;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/** {@code sluice tail}: prints a Kinesis stream's records as they arrive. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Follows every shard of a Kinesis stream and prints one JSON line per record: "
                + "{\"shardId\",\"partitionKey\",\"sequenceNumber\",\"approximateArrivalTimestamp\",\"encoding\",\"event\"}.",
                "Payloads are decoded per record: Base64 text of JSON (Segment's format) or raw JSON.",
                "Credentials come from the AWS default chain unless given; against a local endpoint "
                        + "(127.0.0.1, localhost) without credentials, dummy ones are used."})
final class TailCommand implements Callable<Integer> {

    @Option(names = "--stream", paramLabel = "NAME", required = true, description = "The stream's name or ARN.")
    String stream;

    @Option(names = "--region", paramLabel = "REGION",
            description = "The AWS region (default: the SDK's region chain, or us-east-1 with --endpoint).")
    String region;

    @Option(names = "--endpoint", paramLabel = "URL", description = "A Kinesis endpoint, e.g. a local kinesalite.")
    URI endpoint;

    @Option(names = "--from", paramLabel = "POSITION", defaultValue = "latest",
            description = "trim-horizon (everything the stream holds) or latest (only new records; default).")
    String from;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0",
            description = "Stop after N records (default: no limit).")
    long max;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long, e.g. 30s. With --max, not reaching N records by then is an error (exit 1).")
    Duration timeout;

    @Option(names = "--access-key-id", paramLabel = "ID", description = "AWS access key ID (default: the SDK's chain).")
    String accessKeyId;

    @Option(names = "--secret-access-key", paramLabel = "KEY",
            description = "AWS secret access key; prefer the AWS_SECRET_ACCESS_KEY environment variable.")
    String secretAccessKey;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        KinesisTail.From position = switch (from.toLowerCase(Locale.ROOT)) {
            case "trim-horizon", "trim_horizon" -> KinesisTail.From.TRIM_HORIZON;
            case "latest" -> KinesisTail.From.LATEST;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--from must be trim-horizon or latest");
        };
        if (max < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max must not be negative");
        }
        if ((accessKeyId == null) != (secretAccessKey == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--access-key-id and --secret-access-key go together");
        }
        PrintWriter out = spec.commandLine().getOut();
        long printed;
        try (KinesisClient client = client()) {
            KinesisTail tail = new KinesisTail(client, new KinesisTail.Options(stream, position, max,
                    Optional.ofNullable(timeout)), line -> {
                        out.println(line);
                        out.flush();
                    });
            printed = tail.run();
        } catch (ResourceNotFoundException e) {
            throw new IllegalArgumentException("stream " + stream + " not found: " + e.awsErrorDetails().errorMessage());
        }
        if (max > 0 && printed < max) {
            spec.commandLine().getErr().printf("sluice tail: %d of %d record(s) arrived before the timeout%n", printed, max);
            spec.commandLine().getErr().flush();
            return 1;
        }
        return 0;
    }

    private KinesisClient client() {
        KinesisClientBuilder builder = KinesisClient.builder()
                .httpClientBuilder(Apache5HttpClient.builder())
                .credentialsProvider(credentials());
        if (region != null) {
            builder.region(Region.of(region));
        } else if (endpoint != null) {
            builder.region(Region.US_EAST_1);
        }
        return KinesisClients.build(builder, Optional.ofNullable(endpoint));
    }

    private AwsCredentialsProvider credentials() {
        if (accessKeyId != null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey));
        }
        if (endpoint != null && isLoopback(endpoint) && System.getenv("AWS_ACCESS_KEY_ID") == null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private static boolean isLoopback(URI uri) {
        if (uri.getHost() == null) {
            return false;
        }
        try {
            return InetAddress.getByName(uri.getHost()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
