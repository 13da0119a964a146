package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.KernelAssertions.pfnAt;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.RW;
import static org.mmsim.kernel.TestKernels.boot;
import static org.mmsim.kernel.TestKernels.mmapAnon;
import static org.mmsim.kernel.TestKernels.mmapFile;
import static org.mmsim.kernel.TestKernels.pwrite;
import static org.mmsim.kernel.TestKernels.write;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmsim.kernel.profile.Profiles;

/**
 * {@link Kernel#fingerprint()}: machines in equal states hash equal however they got there, and every change a
 * kernel call (or a single field) makes shows in the hash.
 */
class FingerprintTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;
    private static final long D2 = 0xD2;

    /**
     * A small machine: processes p and q with two private anonymous pages each (the first written), and an ext4
     * file of two pages that p maps shared and has written through.
     */
    record Machine(Kernel k, Task p, Task q, long a, long b, OpenFile f, long fa, Pipe pipe) {}

    static Machine machine(String profile) {
        Kernel k = boot(profile);
        Task p = k.spawn("p");
        Task q = k.spawn("q");
        long a = mmapAnon(k, p, 2, RW);
        long b = mmapAnon(k, q, 2, RW);
        write(k, p, a, D0);
        write(k, q, b, D1);
        OpenFile f = k.creat(FsType.EXT4, "f", 2 * PAGE);
        long fa = mmapFile(k, p, f, 2, RW, Mman.MAP_SHARED);
        write(k, p, fa, D2);
        return new Machine(k, p, q, a, b, f, fa, k.pipe());
    }

    static Machine machine() {
        return machine("6.18");
    }

    static Iterable<String> allProfiles() {
        return Profiles.names();
    }

    /** One step of every kind the kernel has, in an order where each one changes the state. */
    private static Map<String, Consumer<Machine>> everyKindOfCall() {
        Map<String, Consumer<Machine>> steps = new LinkedHashMap<>();
        steps.put("store to a present page", m -> write(m.k(), m.p(), m.a(), 1));
        steps.put("load that faults in the zero page", m -> assertThat(m.k().load(m.q(), m.b() + PAGE)).isZero());
        steps.put("mprotect", m -> assertThat(m.k().mprotect(m.q(), m.b(), PAGE, Mman.PROT_READ)).isZero());
        steps.put("madvise DONTNEED", m -> assertThat(m.k().madvise(m.p(), m.a(), PAGE, Mman.MADV_DONTNEED)).isZero());
        steps.put("store that faults", m -> write(m.k(), m.p(), m.a(), 2));
        steps.put("fork", m -> assertThat(m.k().fork(m.p(), "child")).isNotNull());
        steps.put("GUP pin", m -> assertThat(m.k().gup(m.p(), m.a(), 1, Kernel.FOLL_WRITE, true, false).nr()).isOne());
        steps.put("GUP release", m -> {
            assertThat(m.k().gupHolders()).hasSize(1);
            assertThat(m.k().release(m.k().gupHolders().get(0), false)).isZero();
        });
        steps.put("pipe write", m -> assertThat(m.k().pipeWrite(m.pipe(), 3)).isEqualTo(8));
        steps.put("pwrite to a file", m -> pwrite(m.k(), m.f(), PAGE, 4));
        steps.put("fsync", m -> assertThat(m.k().fsync(m.f())).isZero());
        steps.put("unlink", m -> assertThat(m.k().unlink(m.f().inode())).isZero());
        steps.put("clear_refs 4", m -> assertThat(m.k().clearRefs(m.p(), 4)).isZero());
        steps.put("pipe read", m -> assertThat(m.k().pipeRead(m.pipe(), 0).value()).isEqualTo(3));
        steps.put("exit", m -> m.k().exit(m.q()));
        return steps;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allProfiles")
    void twoKernelsDrivenThroughTheSameCallsHaveEqualFingerprints(String profile) {
        Machine first = machine(profile);
        Machine second = machine(profile);
        assertThat(second.k().fingerprint()).isEqualTo(first.k().fingerprint());

        for (Map.Entry<String, Consumer<Machine>> step : everyKindOfCall().entrySet()) {
            boolean firstAsExpected = asExpected(step.getValue(), first);
            boolean secondAsExpected = asExpected(step.getValue(), second);

            assertThat(secondAsExpected).as("%s behaves the same", step.getKey()).isEqualTo(firstAsExpected);
            assertThat(second.k().fingerprint()).as("after %s", step.getKey()).isEqualTo(first.k().fingerprint());
        }
    }

    /** Run one step; false if it did not do what it does on 6.18 (an older profile may refuse it). */
    private static boolean asExpected(Consumer<Machine> step, Machine m) {
        try {
            step.accept(m);
            return true;
        } catch (AssertionError differentInThisProfile) {
            return false;
        }
    }

    @Test
    void everyKindOfCallChangesTheFingerprint() {
        Machine m = machine();
        List<Long> seen = new ArrayList<>(List.of(m.k().fingerprint()));
        for (Map.Entry<String, Consumer<Machine>> step : everyKindOfCall().entrySet()) {
            long before = m.k().fingerprint();
            step.getValue().accept(m);
            long after = m.k().fingerprint();
            assertThat(after).as("fingerprint after %s", step.getKey()).isNotEqualTo(before);
            assertThat(seen).as("%s reached a state with the fingerprint of an earlier one", step.getKey())
                    .doesNotContain(after);
            seen.add(after);
        }
    }

    @Test
    void theFingerprintIsAPureFunctionOfTheState() {
        Machine m = machine();
        long fp = m.k().fingerprint();

        assertThat(m.k().fingerprint()).isEqualTo(fp);
        assertThat(m.k().load(m.p(), m.a())).as("a load of a present, young page").isEqualTo(D0);
        assertThat(m.k().fingerprint()).as("a pure read leaves the state as it was").isEqualTo(fp);
    }

    @Test
    void loadsOfPresentPagesByTwoProcessesCommute() {
        Machine pFirst = machine();
        Machine qFirst = machine();

        pFirst.k().load(pFirst.p(), pFirst.a());
        pFirst.k().load(pFirst.q(), pFirst.b());
        qFirst.k().load(qFirst.q(), qFirst.b());
        qFirst.k().load(qFirst.p(), qFirst.a());

        assertThat(qFirst.k().fingerprint()).isEqualTo(pFirst.k().fingerprint());
    }

    @Test
    void mprotectsOfTwoProcessesCommute() {
        Machine pFirst = machine();
        Machine qFirst = machine();
        long before = pFirst.k().fingerprint();

        pFirst.k().mprotect(pFirst.p(), pFirst.a(), PAGE, Mman.PROT_READ);
        pFirst.k().mprotect(pFirst.q(), pFirst.b(), 2 * PAGE, Mman.PROT_NONE);
        qFirst.k().mprotect(qFirst.q(), qFirst.b(), 2 * PAGE, Mman.PROT_NONE);
        qFirst.k().mprotect(qFirst.p(), qFirst.a(), PAGE, Mman.PROT_READ);

        assertThat(pFirst.k().fingerprint()).isNotEqualTo(before).isEqualTo(qFirst.k().fingerprint());
    }

    @Test
    void faultsInEitherOrderAssignDifferentPfnsAndFingerprintsTellThemApart() {
        Machine pFirst = machine();
        Machine qFirst = machine();

        write(pFirst.k(), pFirst.p(), pFirst.a() + PAGE, 5);
        write(pFirst.k(), pFirst.q(), pFirst.b() + PAGE, 6);
        write(qFirst.k(), qFirst.q(), qFirst.b() + PAGE, 6);
        write(qFirst.k(), qFirst.p(), qFirst.a() + PAGE, 5);

        assertThat(pfnAt(qFirst.p(), qFirst.a() + PAGE)).isNotEqualTo(pfnAt(pFirst.p(), pFirst.a() + PAGE));
        assertThat(qFirst.k().fingerprint()).isNotEqualTo(pFirst.k().fingerprint());
    }

    @Test
    void storesOfTwoProcessesDoNotCommuteBecauseTheClockStampsThem() {
        Machine pFirst = machine();
        Machine qFirst = machine();

        write(pFirst.k(), pFirst.p(), pFirst.a(), 5);
        write(pFirst.k(), pFirst.q(), pFirst.b(), 6);
        write(qFirst.k(), qFirst.q(), qFirst.b(), 6);
        write(qFirst.k(), qFirst.p(), qFirst.a(), 5);

        assertThat(qFirst.k().fingerprint()).as("write times differ").isNotEqualTo(pFirst.k().fingerprint());
    }

    @Test
    void changingOnlyOneContentWordChangesTheFingerprintAndRestoringItRestoresIt() {
        Machine m = machine();
        int pfn = pfnAt(m.p(), m.a());
        long fp = m.k().fingerprint();

        m.k().frames.setWord(pfn, PageFrames.PAGE_WORDS - 1, 1);
        assertThat(m.k().fingerprint()).isNotEqualTo(fp);

        m.k().frames.setWord(pfn, PageFrames.PAGE_WORDS - 1, 0);
        assertThat(m.k().fingerprint()).isEqualTo(fp);
    }

    @Test
    void changingOnlyOnePteBitChangesTheFingerprint() {
        Machine m = machine();
        long pte = m.p().mm().pte(m.a());
        long fp = m.k().fingerprint();

        m.p().mm().setPte(m.a(), pte ^ Pte.SOFT_DIRTY);
        assertThat(m.k().fingerprint()).isNotEqualTo(fp);

        m.p().mm().setPte(m.a(), pte);
        assertThat(m.k().fingerprint()).isEqualTo(fp);
    }

    /** Single-field changes, one per kind of state, each made on a fresh machine. */
    static Stream<Arguments> singleFieldChanges() {
        Map<String, Consumer<Machine>> changes = new LinkedHashMap<>();
        changes.put("refcount", m -> m.k().frames.setRefcount(pfnOfA(m), 2));
        changes.put("mapcount", m -> m.k().frames.setMapcount(pfnOfA(m), 2));
        changes.put("page flags", m -> m.k().frames.setFlags(pfnOfA(m),
                m.k().frames.flags(pfnOfA(m)) ^ PageFlags.PG_REFERENCED));
        changes.put("mapping", m -> m.k().frames.setMapping(pfnOfA(m), 99, m.k().frames.index(pfnOfA(m))));
        changes.put("index", m -> m.k().frames.setMapping(pfnOfA(m), m.k().frames.mapping(pfnOfA(m)), 99));
        changes.put("writer", m -> m.k().frames.setWriter(pfnOfA(m), 2, m.k().frames.writeTime(pfnOfA(m))));
        changes.put("write time", m -> m.k().frames.setWriter(pfnOfA(m), 1, 99));
        changes.put("zero page", m -> m.k().frames.setRefcount(PageAlloc.ZERO_PFN, 5));
        changes.put("allocator free stack", m -> {
            int pfn = m.k().alloc.allocPage(PageAlloc.GFP_KERNEL);
            m.k().alloc.putPage(pfn);
        });
        changes.put("PF_MEMALLOC_PIN", m -> m.k().alloc.memallocPin = true);
        changes.put("mm flags", m -> m.p().mm().flags |= Mm.MMF_HAS_PINNED);
        changes.put("rss", m -> m.p().mm().rssFile++);
        changes.put("hiwater", m -> m.p().mm().hiwaterRss += 7);
        changes.put("pinned_vm", m -> m.p().mm().pinnedVm++);
        changes.put("rlimit", m -> m.p().mm().rlimitMemlock++);
        changes.put("write_protect_seq", m -> m.p().mm().writeProtectSeq++);
        changes.put("mmap_lock reader", m -> m.p().mm().mmapLockReaders++);
        changes.put("mmap_lock writer", m -> m.p().mm().mmapLockWriter = true);
        changes.put("PTL", m -> m.q().mm().ptlHeld = true);
        changes.put("mmap_base", m -> m.q().mm().mmapBase -= PAGE);
        changes.put("mm_users", m -> m.q().mm().users++);
        changes.put("vma end", m -> m.q().mm().vmaAt(m.b()).end += PAGE);
        changes.put("vma flags", m -> m.q().mm().vmaAt(m.b()).flags ^= VmFlags.VM_SOFTDIRTY);
        changes.put("vma pgoff", m -> m.q().mm().vmaAt(m.b()).pgoff++);
        changes.put("vma anon_vma", m -> m.q().mm().vmaAt(m.b()).anonVma = m.p().mm().vmaAt(m.a()).anonVma);
        changes.put("anon_vma list order", m -> m.p().mm().vmaAt(m.a()).anonVma.vmas().add(0,
                m.q().mm().vmaAt(m.b())));
        changes.put("inode size", m -> m.f().inode().size++);
        changes.put("inode count", m -> m.f().inode().count++);
        changes.put("page cache", m -> m.f().inode().pages.put(7L, 1));
        changes.put("disk block", m -> m.f().inode().disk.put(0L, new long[PageFrames.PAGE_WORDS]));
        changes.put("i_mmap", m -> m.f().inode().iMmap.clear());
        changes.put("file closed", m -> m.f().closed = true);
        changes.put("pipe closed", m -> m.pipe().closed = true);
        changes.put("pipe buffer", m -> m.pipe().bufs.add(new Pipe.Buffer(pfnOfA(m), 1, false)));
        changes.put("task exited", m -> m.q().mm = null);
        changes.put("user->locked_vm", m -> m.k().userLockedVm++);
        changes.put("next anon_vma id", m -> m.k().nextAnonVmaId++);
        changes.put("next MMIO pfn", m -> m.k().nextMmioPfn++);
        changes.put("next pid", m -> m.k().nextPid++);
        changes.put("nr_foll_pin_acquired", m -> m.k().nrFollPinAcquired++);
        changes.put("nr_foll_pin_released", m -> m.k().nrFollPinReleased++);
        changes.put("observation", m -> m.k().observations.add(new Observation(2, pfnOfA(m), 1, 1, "load")));
        changes.put("io_uring ring", m -> m.k().ioUringSetup(m.p()));
        return changes.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    private static int pfnOfA(Machine m) {
        return pfnAt(m.p(), m.a());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleFieldChanges")
    void changingOneFieldChangesTheFingerprint(String what, Consumer<Machine> change) {
        Machine m = machine();
        long fp = m.k().fingerprint();

        change.accept(m);

        assertThat(m.k().fingerprint()).isNotEqualTo(fp);
    }
}
