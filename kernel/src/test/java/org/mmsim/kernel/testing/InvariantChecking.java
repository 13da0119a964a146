package org.mmsim.kernel.testing;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.trace.Tracer;

/**
 * The validator that runs every built-in invariant ({@link Invariants#checkStep}) after every kernel call a test
 * makes, and fails the test with an {@link AssertionError} naming the call and each violation. It is on for every
 * JUnit Jupiter test of the module (registered through {@code META-INF/services} with extension autodetection), so
 * a test does not ask for it: it opts out with {@link InvariantsNotChecked}, saying why, for every machine or for
 * those of the profiles that have the bug it shows.
 *
 * <p>How it hears of calls: every machine {@link TestKernels} boots carries the {@link #observer} of this class,
 * which the kernel's tracer tells whenever a call run from outside the kernel ({@code run()}, {@code complete()})
 * returns. The observer asks, at that moment, whether the test now running has checking on: machines made in field
 * initialisers exist before {@code beforeEach}, and the same machine may outlive its test. Checking is per thread,
 * on from {@code beforeEach} to {@code afterEach}; jqwik properties, which JUnit Jupiter does not run, are never
 * checked this way.
 *
 * <p>The checks must not disturb what a test observes: footprint tracking is suspended while they run (they read
 * every frame). They do consume the isolation invariant's observation log, as the explorer's per-step check does.
 */
public final class InvariantChecking implements BeforeEachCallback, AfterEachCallback {
    /** What the test running on a thread has checked: nothing, or every machine but those of some profiles. */
    private record Checking(boolean on, Set<String> exemptProfiles) {
        static final Checking OFF = new Checking(false, Set.of());

        boolean checks(String profile) {
            return on && !exemptProfiles.contains(profile);
        }
    }

    private static final ThreadLocal<Checking> STATE = ThreadLocal.withInitial(() -> Checking.OFF);

    @Override
    public void beforeEach(ExtensionContext context) {
        STATE.set(optOut(context)
                .map(o -> o.profiles().length == 0 ? Checking.OFF : new Checking(true, Set.of(o.profiles())))
                .orElse(new Checking(true, Set.of())));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        STATE.set(Checking.OFF);
    }

    /** Whether the test running on this thread has its calls checked (on the machines of at least some profiles). */
    public static boolean on() {
        return STATE.get().on();
    }

    /** Whether the test running on this thread has the calls on a machine running {@code profile} checked. */
    public static boolean checks(String profile) {
        return STATE.get().checks(profile);
    }

    /** The opt-out of the test of {@code context}, if any: on the method, its class or an outer class. */
    static Optional<InvariantsNotChecked> optOut(ExtensionContext context) {
        Optional<InvariantsNotChecked> onMethod =
                AnnotationSupport.findAnnotation(context.getTestMethod(), InvariantsNotChecked.class);
        if (onMethod.isPresent()) {
            return onMethod;
        }
        for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
            Optional<InvariantsNotChecked> onClass = AnnotationSupport.findAnnotation(c, InvariantsNotChecked.class);
            if (onClass.isPresent()) {
                return onClass;
            }
        }
        return Optional.empty();
    }

    /** What {@link TestKernels} attaches to {@code kernel}: check it after each call while checking is on. */
    public static Tracer.CallObserver observer(Kernel kernel) {
        return call -> {
            if (checks(kernel.profile().name())) {
                check(kernel, call);
            }
        };
    }

    /**
     * Run every built-in invariant on {@code kernel}, which has just returned from {@code call}, with footprint
     * tracking suspended.
     *
     * @throws Violated naming the call and every violation, if any invariant does not hold
     */
    public static void check(Kernel kernel, String call) {
        Footprint footprint = kernel.mm().footprint();
        boolean tracking = footprint.on();
        footprint.track(false);
        List<Violation> violations;
        try {
            violations = Invariants.checkStep(kernel);
        } finally {
            footprint.track(tracking);
        }
        if (!violations.isEmpty()) {
            throw new Violated(String.format("after %s under %s, %d invariant violation%s:%n  %s", call,
                    kernel.profile(), violations.size(), violations.size() == 1 ? "" : "s",
                    violations.stream().map(Violation::toString).collect(Collectors.joining("\n  "))));
        }
    }

    /** The failure this validator reports: an invariant did not hold after a kernel call. */
    public static final class Violated extends AssertionError {
        private static final long serialVersionUID = 1L;

        Violated(String message) {
            super(message);
        }
    }
}
