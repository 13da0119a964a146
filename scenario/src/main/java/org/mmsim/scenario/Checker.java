package org.mmsim.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Profiles;

/**
 * Runs scenarios under kernels and holds each result to its expectation.
 *
 * <p>A result is ok when the outcome is what the expectation says and, in addition, no invariant was violated,
 * unless the expectation itself says the bad outcome is reachable ({@code allowed}, {@code sometimes},
 * {@code always}): then the violations are the bug being demonstrated and are reported without failing. Under
 * a kernel with no expectation only violations fail. Where the scenario records what the real kernel is known to
 * do ({@code known}), the outcome must agree with that too: a model that meets its own expectation but not Linux
 * is wrong.
 *
 * <p>Every scenario so far is sequential and runs once; the explorer will add the interleavings of thread blocks.
 */
public final class Checker {
    private Checker() {}

    /** Every {@code .mms} file under {@code paths} (files taken as given, directories searched), sorted. */
    public static List<Path> findScenarios(List<Path> paths) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> f.toString().endsWith(".mms") && Files.isRegularFile(f)).sorted().forEach(out::add);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The kernels a scenario runs under: those its expectations name, or {@code requested} when given
     * ({@code all} meaning every profile).
     */
    public static List<String> kernels(Scenario s, List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            return s.expectations().stream().map(Expectation::kernel).toList();
        }
        if (requested.size() == 1 && requested.get(0).equals("all")) {
            return Profiles.names();
        }
        return requested;
    }

    /**
     * Check {@code s} under each of {@code kernels}, with {@code overrides} (from the command line) applied on top
     * of the scenario's own {@code set} lines.
     *
     * @throws IllegalArgumentException if a kernel name or override is unknown
     */
    public static List<Result> check(Scenario s, List<String> kernels, Map<String, String> overrides)
            throws ScenarioException {
        List<Result> out = new ArrayList<>();
        for (String kernel : kernels) {
            out.add(check(s, kernel, overrides));
        }
        return out;
    }

    public static Result check(Scenario s, String kernel, Map<String, String> overrides) throws ScenarioException {
        KernelProfile profile = profile(s, kernel, overrides);
        Execution e = Runner.run(s, profile, false);
        long satisfied = e.conditionHolds() ? 1 : 0;
        Outcome outcome = Outcome.of(satisfied, 1);
        Expectation exp = s.expectations().stream().filter(x -> x.kernel().equals(kernel)).findFirst().orElse(null);
        Known known = s.known().stream().filter(x -> x.kernel().equals(kernel)).findFirst().orElse(null);
        boolean ok = exp == null ? e.violations().isEmpty()
                : exp.admits(outcome) && (e.violations().isEmpty() || exp.expectsBug());
        ok &= known == null || known.admits(outcome);
        return new Result(s, kernel, outcome, 1, satisfied, exp, known, ok, e.violations());
    }

    /**
     * The profile for {@code kernel}: the named profile, then the scenario's {@code set} lines, then the kernel
     * name's own bracketed settings, then {@code overrides} from the command line; the later wins.
     */
    public static KernelProfile profile(Scenario s, String kernel, Map<String, String> overrides) {
        return KernelSpec.resolve(kernel, s.overrides(), overrides);
    }
}
