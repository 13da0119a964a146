package org.mmsim.kernel.check;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;

/** The built-in invariants, checked after every step, and the final leak check. */
public final class Invariants {
    private static final List<Invariant> BUILT_IN = List.of(
            new AccountingInvariant(),
            new IsolationInvariant(),
            new PinCoherenceInvariant(),
            new DeviceCoherenceInvariant(),
            new DeviceIsolationInvariant(),
            new NoLostWriteInvariant(),
            new FilesystemStateInvariant(),
            new StablePagesInvariant(),
            new PinTrackingSoundInvariant());

    private Invariants() {}

    /** The invariants the kernel itself defines. */
    public static List<Invariant> all() {
        return BUILT_IN;
    }

    /** Check every built-in invariant. */
    public static List<Violation> checkStep(Kernel kernel) {
        return checkStep(kernel, List.of());
    }

    /**
     * Check every built-in invariant, then {@code extra} (those devices contribute); the violations in that order, in
     * a list of their own (an unmodifiable empty one if there are none: the usual case, after every explored step).
     */
    public static List<Violation> checkStep(Kernel kernel, List<Invariant> extra) {
        List<Violation> out = checkEach(kernel, BUILT_IN, null);
        out = checkEach(kernel, extra, out);
        return out == null ? List.of() : out;
    }

    /**
     * {@code out} with {@code v} added, made when first needed: a check runs after every explored step and almost
     * always finds nothing, so it should make no list then (it returns {@code List.of()}).
     */
    static List<Violation> add(List<Violation> out, Violation v) {
        List<Violation> list = out == null ? new ArrayList<>() : out;
        list.add(v);
        return list;
    }

    /** {@code out} (made when first needed) with the violations of {@code invariants} added. */
    private static List<Violation> checkEach(Kernel kernel, List<Invariant> invariants, List<Violation> out) {
        for (int i = 0; i < invariants.size(); i++) {
            List<Violation> found = invariants.get(i).check(kernel);
            if (!found.isEmpty()) {
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.addAll(found);
            }
        }
        return out;
    }

    /**
     * After every process has exited and every pipe and GUP reference is released, every frame must be free: anything
     * still allocated leaked.
     */
    public static List<Violation> checkAllFree(Kernel kernel) {
        List<Violation> out = new ArrayList<>();
        int[] ranges = kernel.pageAlloc().everAllocatedRanges();
        // a loop, not a stream: the explorer checks this at every final state
        for (int z = 0; z < ranges.length && out.size() < 8; z += 2) {
            for (int pfn = ranges[z]; pfn < ranges[z + 1] && out.size() < 8; pfn++) {
                if (kernel.frames().refcount(pfn) != 0) {
                    out.add(new Violation("accounting", String.format(
                            "pfn %d leaked: refcount %d, mapcount %d after everything was released", pfn,
                            kernel.frames().refcount(pfn), kernel.frames().mapcount(pfn))));
                }
            }
        }
        return out;
    }
}
