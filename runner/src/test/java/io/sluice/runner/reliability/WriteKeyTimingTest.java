package io.sluice.runner.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.config.AllowedOrigins;
import io.sluice.runner.config.WriteKey;
import io.sluice.runner.http.WriteKeyAuthenticator;
import io.sluice.runner.routing.Source;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Write keys are compared in constant time by construction: the authenticator hashes the candidate
 * to a fixed-length SHA-256 digest, compares it with {@code MessageDigest.isEqual} (constant time)
 * against every configured key without stopping at a match. This test checks the behaviour that
 * design relies on (a near miss anywhere in the key, a prefix, a longer key, another source's key)
 * and prints the median time of each kind of guess, for the record only: timings are not asserted,
 * since a shared 2-core machine cannot hold nanosecond differences steady.
 */
class WriteKeyTimingTest {

    @Test
    void nearMissesAreRefusedAndTakeNoLongerThanOthers() {
        String key = "wk-" + "0123456789abcdef".repeat(4);
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sources.add(new Source("s" + i, new WriteKey(i == 5 ? key : key.replace('0', (char) ('a' + i))), List.of(), AllowedOrigins.ANY));
        }
        WriteKeyAuthenticator authenticator = new WriteKeyAuthenticator(sources);
        Map<String, String> guesses = new LinkedHashMap<>();
        guesses.put("exact (source s5)", key);
        guesses.put("first char wrong", "x" + key.substring(1));
        guesses.put("last char wrong", key.substring(0, key.length() - 1) + "x");
        guesses.put("prefix", key.substring(0, key.length() / 2));
        guesses.put("one char longer", key + "x");
        guesses.put("unrelated", "nothing-like-it");

        Map<String, Long> medians = new LinkedHashMap<>();
        for (int round = 0; round < 3; round++) { // the first rounds warm up the JIT
            for (Map.Entry<String, String> guess : guesses.entrySet()) {
                long[] samples = new long[2_000];
                for (int i = 0; i < samples.length; i++) {
                    long start = System.nanoTime();
                    authenticator.authenticate(guess.getValue());
                    samples[i] = System.nanoTime() - start;
                }
                Arrays.sort(samples);
                medians.put(guess.getKey(), samples[samples.length / 2]);
            }
        }
        Figures.of("write-key-timing").put("inputs", guesses.size() * 3 * 2_000L)
                .put("medianNanos", medians.toString().replace(" ", "")).print();

        assertThat(authenticator.authenticate(key)).map(Source::name).contains("s5");
        guesses.entrySet().stream().skip(1).forEach(g ->
                assertThat(authenticator.authenticate(g.getValue())).as(g.getKey()).isEmpty());
        assertThat(authenticator.authenticate(key.replace('0', 'b'))).map(Source::name).contains("s1");
    }
}
