package io.sluice.conformance;

import java.util.List;
import java.util.Objects;

/** The outcome of every check of one run of the suite, as {@link ConformanceRunner} returns it. */
public final class ConformanceReport {

    public enum Status { PASSED, FAILED, SKIPPED }

    /**
     * One check.
     *
     * @param name    the check's method name, e.g. {@code spec_trackExampleDelivered}
     * @param status  passed, failed, or skipped (with the reason in {@code message})
     * @param message why it failed or was skipped; empty when it passed
     * @param notes   what the check said about itself, e.g. which opted-out behaviour it asserted
     */
    public record Check(String name, Status status, String message, List<String> notes) {
        public Check {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(status, "status");
            message = message == null ? "" : message;
            notes = List.copyOf(notes);
        }
    }

    private final String subject;
    private final List<Check> checks;

    ConformanceReport(String subject, List<Check> checks) {
        this.subject = subject;
        this.checks = List.copyOf(checks);
    }

    /** What was tested, e.g. {@code kinesis (Amazon Kinesis)}. */
    public String subject() {
        return subject;
    }

    /** Every check, in the order it ran. */
    public List<Check> checks() {
        return checks;
    }

    public long count(Status status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }

    /** True when every check ran and passed: a skipped check is not a pass. */
    public boolean passed() {
        return count(Status.FAILED) == 0 && count(Status.SKIPPED) == 0 && count(Status.PASSED) > 0;
    }

    /**
     * The report as text: a line per check ({@code PASS}, {@code FAIL} or {@code SKIP}, then its name),
     * failure messages and notes indented below it, and a closing line
     * {@code N passed, N failed, N skipped}; when a check was skipped, a line before it says the
     * destination is not proven.
     */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append("Sluice conformance suite: ").append(subject).append('\n');
        for (Check check : checks) {
            String tag = switch (check.status()) {
                case PASSED -> "PASS";
                case FAILED -> "FAIL";
                case SKIPPED -> "SKIP";
            };
            out.append(tag).append("  ").append(check.name());
            if (check.status() == Status.SKIPPED && !check.message().isEmpty()) {
                out.append(": ").append(check.message());
            }
            out.append('\n');
            if (check.status() == Status.FAILED) {
                indent(out, check.message());
            }
            check.notes().forEach(n -> indent(out, "note: " + n));
        }
        if (count(Status.SKIPPED) > 0) {
            out.append("NOT PROVEN: ").append(count(Status.SKIPPED))
                    .append(" check(s) did not run; each SKIP line says why\n");
        }
        out.append(count(Status.PASSED)).append(" passed, ").append(count(Status.FAILED)).append(" failed, ")
                .append(count(Status.SKIPPED)).append(" skipped\n");
        return out.toString();
    }

    @Override
    public String toString() {
        return render();
    }

    private static void indent(StringBuilder out, String text) {
        for (String line : text.split("\n")) {
            out.append("      ").append(line).append('\n');
        }
    }
}
