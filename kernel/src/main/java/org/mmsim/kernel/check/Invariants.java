package org.mmsim.kernel.check;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.api.DeviceCheck;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.page.PageAlloc;

/** The built-in invariants, checked after every step, and the final leak check. */
public final class Invariants {
    private static final AccountingInvariant ACCOUNTING = new AccountingInvariant();
    private static final IsolationInvariant ISOLATION = new IsolationInvariant();
    private static final PinCoherenceInvariant PIN_COHERENCE = new PinCoherenceInvariant();
    private static final DeviceCoherenceInvariant DEVICE_COHERENCE = new DeviceCoherenceInvariant();
    private static final DeviceIsolationInvariant DEVICE_ISOLATION = new DeviceIsolationInvariant();
    private static final NoLostWriteInvariant NO_LOST_WRITE = new NoLostWriteInvariant();
    private static final FilesystemStateInvariant FILESYSTEM_STATE = new FilesystemStateInvariant();
    private static final StablePagesInvariant STABLE_PAGES = new StablePagesInvariant();
    private static final PinTrackingSoundInvariant PIN_TRACKING_SOUND = new PinTrackingSoundInvariant();
    private static final CacheAliasInvariant CACHE_ALIAS = new CacheAliasInvariant();
    private static final DmaBufCoherenceInvariant DMABUF_COHERENCE = new DmaBufCoherenceInvariant();
    /** In the order {@link #checkStep} calls them: a new invariant goes in both places. */
    private static final List<Invariant> BUILT_IN = List.of(ACCOUNTING, ISOLATION, PIN_COHERENCE, DEVICE_COHERENCE,
            DEVICE_ISOLATION, NO_LOST_WRITE, FILESYSTEM_STATE, STABLE_PAGES, PIN_TRACKING_SOUND, CACHE_ALIAS,
            DMABUF_COHERENCE);

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
     * Check every built-in invariant, then {@code extra}, then those the machine's drivers registered
     * ({@code DeviceCheck}); the violations in that order, in
     * a list of their own (an unmodifiable empty one if there are none: the usual case, after every explored step).
     */
    public static List<Violation> checkStep(Kernel kernel, List<Invariant> extra) {
        // each built-in called by its own class, in BUILT_IN's order: a call through the list is a dispatch among nine
        // classes after every explored step, which the JIT cannot inline
        List<Violation> out = addAll(null, ACCOUNTING.check(kernel));
        out = addAll(out, ISOLATION.check(kernel));
        out = addAll(out, PIN_COHERENCE.check(kernel));
        out = addAll(out, DEVICE_COHERENCE.check(kernel));
        out = addAll(out, DEVICE_ISOLATION.check(kernel));
        out = addAll(out, NO_LOST_WRITE.check(kernel));
        out = addAll(out, FILESYSTEM_STATE.check(kernel));
        out = addAll(out, STABLE_PAGES.check(kernel));
        out = addAll(out, PIN_TRACKING_SOUND.check(kernel));
        out = addAll(out, CACHE_ALIAS.check(kernel));
        out = addAll(out, DMABUF_COHERENCE.check(kernel));
        out = checkEach(kernel, extra, out);
        List<DeviceCheck> devices = kernel.deviceChecks();
        for (int i = 0; i < devices.size(); i++) {
            DeviceCheck d = devices.get(i);
            List<String> found = d.check();
            for (int j = 0; j < found.size(); j++) {
                out = add(out, new Violation(d.name(), found.get(j)));
            }
        }
        return out == null ? List.of() : out;
    }

    /**
     * Whether the accounting invariant, whenever it checks only what changed since it last ran, also checks
     * everything and fails with an {@link IllegalStateException} if the two differ: for tests, which prove the cheap
     * check the same as the full one over every step of the bundled scenarios. Off by default.
     */
    public static void crossCheckAccounting(boolean on) {
        AccountingInvariant.crossCheck = on;
    }

    /**
     * The invariants that hold at every step, a kernel call suspended half way or not: stable pages (a write to a
     * page under writeback is wrong whenever it lands, and only while a writeback call is suspended between
     * {@code folio_start_writeback} and the end of its I/O can one land).
     */
    public static List<Violation> checkMidCall(Kernel kernel) {
        return STABLE_PAGES.check(kernel);
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

    /** {@code out} (made when first needed) with {@code found} added. */
    private static List<Violation> addAll(List<Violation> out, List<Violation> found) {
        if (found.isEmpty()) {
            return out;
        }
        List<Violation> list = out == null ? new ArrayList<>() : out;
        list.addAll(found);
        return list;
    }

    /** {@code out} (made when first needed) with the violations of {@code invariants} added. */
    private static List<Violation> checkEach(Kernel kernel, List<Invariant> invariants, List<Violation> out) {
        for (int i = 0; i < invariants.size(); i++) {
            out = addAll(out, invariants.get(i).check(kernel));
        }
        return out;
    }

    /**
     * After every process has exited and every pipe and GUP reference is released, every frame must be free: anything
     * still allocated leaked.
     */
    public static List<Violation> checkAllFree(Kernel kernel) {
        List<Violation> out = new ArrayList<>();
        PageAlloc alloc = kernel.pageAlloc();
        int[] ranges = alloc.everAllocatedRanges();
        // a frame of RAM leaves the allocator's count only when its last reference goes: with none counted, only the
        // device pages of the pagemaps after the zones can still be referenced (and a free frame that a reference
        // reached anyway would have no reference the accounting check can name)
        int first = alloc.nrAllocated() == 0 ? alloc.zoneRangeEntries() : 0;
        // a loop, not a stream: the explorer checks this at every final state
        for (int z = first; z < ranges.length && out.size() < 8; z += 2) {
            for (int pfn = ranges[z]; out.size() < 8; pfn++) {
                pfn = kernel.frames().firstReferenced(pfn, ranges[z + 1]);
                if (pfn < 0) {
                    break;
                }
                out.add(new Violation("accounting", String.format(
                        "pfn %d leaked: refcount %d, mapcount %d after everything was released", pfn,
                        kernel.frames().refcount(pfn), kernel.frames().mapcount(pfn))));
            }
        }
        return out;
    }
}
