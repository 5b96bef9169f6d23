package io.sluice.runner.bench;

import java.util.List;

/** The median of a benchmark's rounds: one disturbed round moves it less than a mean or a best. */
final class Median {

    private Median() {}

    static double of(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
