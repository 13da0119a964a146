package org.mmsim.scenario;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmsim.drivers.Drivers;
import org.mmsim.explore.Explorer;
import org.mmsim.explore.Options;
import org.mmsim.explore.Report;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.api.DeviceCheck;
import org.mmsim.kernel.bug.Violation;
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
 * <p>A sequential scenario runs once; one with concurrent thread blocks is explored: every interleaving of its
 * threads at the kernel's preemption points ({@link ScenarioModel}).
 */
public final class Checker {
    private Checker() {}

    /**
     * The invariants beyond the kernel's own, by name with one line each: those the devices register (booting a
     * machine with every driver to ask them) and those of the user-space libraries the scenario language provides.
     */
    public static Map<String, String> otherInvariants() {
        Map<String, String> out = new LinkedHashMap<>();
        Kernel k = Kernel.boot(Profiles.byName("6.18"), 16, 0,
                Drivers.all());
        for (DeviceCheck c : k.deviceChecks()) {
            out.put(c.name(), c.doc() + " (a device's)");
        }
        out.put(RcacheOps.INVARIANT, RcacheOps.INVARIANT_DOC + " (the registration cache's)");
        return out;
    }

    /**
     * Every {@code .mms} file under {@code paths} (files taken as given, directories searched), sorted. A directory
     * below a given one that cannot be read, or that vanishes while it is searched (another program's temporary
     * files), is skipped: it holds no scenario the user can have meant.
     */
    public static List<Path> findScenarios(List<Path> paths) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                List<Path> found = new ArrayList<>();
                Files.walkFileTree(p, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                        if (f.toString().endsWith(".mms") && Files.isRegularFile(f)) {
                            found.add(f);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                        if (f.equals(p)) {
                            throw e;
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e) {
                        return FileVisitResult.CONTINUE;
                    }
                });
                found.sort(null);
                out.addAll(found);
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
        return check(s, kernels, overrides, Options.defaults());
    }

    /** As {@link #check(Scenario, List, Map)}, exploring concurrent scenarios with {@code options}. */
    public static List<Result> check(Scenario s, List<String> kernels, Map<String, String> overrides,
            Options options) throws ScenarioException {
        List<Result> out = new ArrayList<>();
        for (String kernel : kernels) {
            out.add(check(s, kernel, overrides, options));
        }
        return out;
    }

    public static Result check(Scenario s, String kernel, Map<String, String> overrides) throws ScenarioException {
        return check(s, kernel, overrides, Options.defaults());
    }

    /**
     * Check {@code s} under one kernel: a sequential scenario runs once; one with concurrent threads is explored
     * ({@link Explorer}) with {@code options}, and its outcome is read from the distinct final states: never if
     * none satisfies the condition, always if all do, sometimes otherwise; inconclusive if a budget stopped the
     * search before that was settled.
     */
    public static Result check(Scenario s, String kernel, Map<String, String> overrides, Options options)
            throws ScenarioException {
        KernelProfile profile = profile(s, kernel, overrides);
        Expectation exp = s.expectations().stream().filter(x -> x.kernel().equals(kernel)).findFirst().orElse(null);
        Known known = s.known().stream().filter(x -> x.kernel().equals(kernel)).findFirst().orElse(null);
        if (!ScenarioModel.concurrent(s)) {
            Execution e;
            try {
                e = Runner.run(s, profile, false,
                        Budget.of(options.maxSeconds(), options.heapFraction(), options.clock()));
            } catch (Budget.Exhausted x) {
                List<Violation> vs = x.partial() == null ? List.of() : x.partial().violations();
                return new Result(s, kernel, Outcome.INCONCLUSIVE, 0, 0, exp, known,
                        judge(exp, known, Outcome.INCONCLUSIVE, vs), vs, 1, 0, 0, null, x.reason());
            }
            long satisfied = e.conditionHolds() ? 1 : 0;
            Outcome outcome = Outcome.of(satisfied, 1);
            return new Result(s, kernel, outcome, 1, satisfied, exp, known, judge(exp, known, outcome, e.violations()),
                    e.violations(), 1, 0, 0, e.conditionHolds() ? new int[0] : null, null);
        }
        Report r;
        try {
            r = explore(s, profile, options.withMode(Options.Mode.EXHAUSTIVE));
        } catch (Budget.Exhausted x) { // in the script before the first group of threads
            return new Result(s, kernel, Outcome.INCONCLUSIVE, 0, 0, exp, known,
                    judge(exp, known, Outcome.INCONCLUSIVE, List.of()), List.of(), 0, 0, 0, null, x.reason());
        }
        Outcome outcome = outcome(r);
        List<Violation> violations = violations(s, profile, r);
        return new Result(s, kernel, outcome, r.executions(), r.positive(), exp, known,
                judge(exp, known, outcome, violations), violations, r.states(), r.depth(),
                r.elapsedNanos() / 1e9, r.witness(), r.stopReason());
    }

    /** Explore {@code s} under {@code profile}; scenario errors found while stepping come out as thrown. */
    public static Report explore(Scenario s, KernelProfile profile, Options options) throws ScenarioException {
        try {
            return Explorer.explore(new ScenarioModel(s, profile, options.reduction(),
                    Budget.of(options.maxSeconds(), options.heapFraction(), options.clock())), options);
        } catch (ScenarioError e) {
            throw e.cause();
        }
    }

    /** The outcome a search supports: see {@link #check(Scenario, String, Map, Options)}. */
    public static Outcome outcome(Report r) {
        boolean somePositive = r.positiveFinalStates() > 0;
        boolean someNegative = r.finalStates() > r.positiveFinalStates();
        if (somePositive && someNegative) {
            return Outcome.SOMETIMES;
        }
        if (!r.complete()) {
            return Outcome.INCONCLUSIVE;
        }
        return somePositive ? Outcome.ALWAYS : Outcome.NEVER;
    }

    /**
     * The violations a search found, each with the step of its shortest schedule at which it was first seen
     * (found by replaying that schedule), and a deadlock as a violation of its own.
     */
    public static List<Violation> violations(Scenario s, KernelProfile profile, Report r) throws ScenarioException {
        List<Violation> out = new ArrayList<>();
        for (Map.Entry<String, int[]> e : r.violations().entrySet()) {
            Execution ex = Runner.replay(s, profile, false, e.getValue()).execution();
            for (Violation v : ex.violations()) {
                if ((v.invariant() + ": " + v.message()).equals(e.getKey())) {
                    out.add(v);
                    break;
                }
            }
        }
        if (r.deadlockSchedule() != null) {
            out.add(new Violation("deadlock", "no thread can run and some have not finished, after "
                    + r.deadlockSchedule().length + " steps").atStep(r.deadlockSchedule().length));
        }
        return out;
    }

    /**
     * Whether a result holds: the outcome is what the expectation and the known fact say, and there is no
     * violation unless the expectation says the bug is reachable. An inconclusive outcome fails nothing by
     * itself (the caller reports it separately, exit 4), but its violations still count.
     */
    private static boolean judge(Expectation exp, Known known, Outcome outcome, List<Violation> violations) {
        if (outcome == Outcome.INCONCLUSIVE) {
            return violations.isEmpty() || (exp != null && exp.expectsBug());
        }
        boolean ok = exp == null ? violations.isEmpty()
                : exp.admits(outcome) && (violations.isEmpty() || exp.expectsBug());
        return ok && (known == null || known.admits(outcome));
    }

    /**
     * The profile for {@code kernel}: the named profile, then the scenario's {@code set} lines, then the kernel
     * name's own bracketed settings, then {@code overrides} from the command line; the later wins.
     */
    public static KernelProfile profile(Scenario s, String kernel, Map<String, String> overrides) {
        return KernelSpec.resolve(kernel, s.overrides(), overrides);
    }
}
