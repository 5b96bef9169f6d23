package io.sluice.conformance.memory;

import io.sluice.spi.read.Arrival;
import io.sluice.spi.read.ArrivalReader;
import io.sluice.spi.read.ReadFrom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.sluice.spi.Destination;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.settings.Setting;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import io.sluice.spi.settings.Validators;
import java.util.function.Function;

/**
 * The reference plugin the suite's own tests pass: a correct destination writing to an
 * {@link InMemoryService}. Its settings use every setting type, so every derived check has
 * something to work on. The non-default constructor builds the broken variants.
 */
public class InMemoryProvider implements DestinationProvider {

    public static final String ID = "in-memory";
    public static final String INTEGRATION_NAME = "In Memory";

    public static final Setting TARGET = Setting.string("target").required()
            .validator(Validators.matches("target_name", "[a-z0-9-]{1,64}", "1 to 64 lower-case letters, digits or '-'"))
            .description("The in-memory target to write to.");
    public static final Setting API_TOKEN = Setting.secret("apiToken").required()
            .description("The token the target expects. Never shown or logged.");
    public static final Setting MAX_EVENT_BYTES = Setting.integer("maxEventBytes").defaultValue(65_536)
            .validator(Validators.between(1, 1_048_576))
            .description("The largest event, in bytes; larger events are rejected before sending.");
    public static final Setting FORMAT = Setting.enumeration("format", "json").defaultValue("json")
            .description("How events are written; JSON is the only format.");
    public static final Setting VERIFY = Setting.bool("verify").defaultValue(true)
            .description("Whether to check the target exists when opening.");
    public static final Setting ENDPOINT = Setting.uri("endpoint").optional()
            .description("Where a remote target would be; unused in memory.");
    public static final Setting ROLE_ARN = Setting.arn("roleArn").optional()
            .description("A role a remote target would assume; unused in memory.");

    public static final Setting HEADERS = Setting.map("headers").sensitive().optional()
            .description("Headers a remote target would be sent, e.g. Authorization; their values are secret.");

    public static final SettingsSchema SCHEMA = build(null);

    private final String integrationName;
    private final SettingsSchema schema;
    private final Function<Settings, ? extends Destination> factory;

    public InMemoryProvider() {
        this(INTEGRATION_NAME, SCHEMA, InMemoryDestination::new);
    }

    public InMemoryProvider(String integrationName, SettingsSchema schema, Function<Settings, ? extends Destination> factory) {
        this.integrationName = integrationName;
        this.schema = schema;
        this.factory = factory;
    }

    /** This provider with another destination behind it. */
    public static InMemoryProvider with(Function<Settings, ? extends Destination> factory) {
        return new InMemoryProvider(INTEGRATION_NAME, SCHEMA, factory);
    }

    /** The reference schema with {@code setting} added, or put in place of the setting of the same name. */
    public static SettingsSchema schemaWith(Setting setting) {
        return build(java.util.Objects.requireNonNull(setting));
    }

    private static SettingsSchema build(Setting setting) {
        SettingsSchema.Builder builder = SettingsSchema.builder();
        boolean replaced = false;
        for (Setting s : new Setting[] {TARGET, API_TOKEN, MAX_EVENT_BYTES, FORMAT, VERIFY, ENDPOINT, ROLE_ARN, HEADERS}) {
            if (setting != null && s.name().equals(setting.name())) {
                builder.add(setting);
                replaced = true;
            } else {
                builder.add(s);
            }
        }
        if (setting != null && !replaced) {
            builder.add(setting);
        }
        return builder.build();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String integrationName() {
        return integrationName;
    }

    @Override
    public String description() {
        return "Writes events to a store in memory; the conformance suite's reference plugin.";
    }

    @Override
    public SettingsSchema settingsSchema() {
        return schema;
    }

    @Override
    public Destination create(Settings settings) {
        return factory.apply(settings);
    }

    /** Reads the target's store: what {@code sluice conformance} reads back with. */
    @Override
    public Optional<ArrivalReader> reader(Settings settings, ReadFrom from) {
        String name = settings.string(TARGET.name());
        return Optional.of(new ArrivalReader() {
            private int next = from == ReadFrom.EARLIEST ? 0
                    : InMemoryService.find(name).map(s -> s.records().size()).orElse(0);

            @Override
            public List<Arrival> poll(Duration wait) {
                List<byte[]> records = InMemoryService.find(name).map(InMemoryService::records).orElse(List.of());
                List<Arrival> arrivals = new ArrayList<>();
                for (; next < records.size(); next++) {
                    arrivals.add(new Arrival(records.get(next), Map.of("sequence", String.valueOf(next))));
                }
                return arrivals;
            }

            @Override
            public void close() {}
        });
    }
}
