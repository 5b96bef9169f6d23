package io.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.event.Event;
import org.junit.jupiter.api.Test;

class PartitionKeysTest {

    private final PartitionKeys byUser = new PartitionKeys(false);
    private final PartitionKeys byMessage = new PartitionKeys(true);

    @Test
    void userIdThenAnonymousIdThenMessageId() {
        assertThat(byUser.of(event("m1", "user_1", "anon_1"))).isEqualTo("user_1");
        assertThat(byUser.of(event("m1", null, "anon_1"))).isEqualTo("anon_1");
        assertThat(byUser.of(event("m1", "", "anon_1"))).isEqualTo("anon_1");
        assertThat(byUser.of(event("m1", null, null))).isEqualTo("m1");
    }

    @Test
    void useMessageIdIgnoresTheUser() {
        assertThat(byMessage.of(event("m1", "user_1", "anon_1"))).isEqualTo("m1");
    }

    @Test
    void keysUpTo256CharactersAreKeptAndLongerOnesBecomeTheirSha256() {
        String longest = "k".repeat(256);
        assertThat(byUser.of(event("m1", longest, null))).isEqualTo(longest);

        // Expected values from Python: hashlib.sha256(key.encode("utf-8")).hexdigest()
        assertThat(byUser.of(event("m1", "a".repeat(300), null)))
                .isEqualTo("9835fa6bf4e20a9b9ea812506302e98982721a6cf8d2cae67af57129bf21ae90");
        assertThat(byUser.of(event("m1", "\u00e9".repeat(300), null)))
                .isEqualTo("7250b66610f8b7dbd6f5e5426d2143bcba6d826cedb4bea8a358695da78db023");
        assertThat(byMessage.of(event("m".repeat(257), "user_1", null))).hasSize(64);
    }

    private static Event event(String messageId, String userId, String anonymousId) {
        return TestEvents.track(messageId, userId, anonymousId, "{}");
    }
}
