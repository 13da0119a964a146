package org.mmsim.kernel.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.PRIVATE_ANON;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.exit;
import static org.mmsim.kernel.testing.TestKernels.file;
import static org.mmsim.kernel.testing.TestKernels.inode;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.pipe;
import static org.mmsim.kernel.testing.TestKernels.pipeOf;
import static org.mmsim.kernel.testing.TestKernels.pwrite;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.fs.Inode;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantChecking;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@link Kernel#fingerprint()}: machines in equal states hash equal however they got there, and every change a
 * kernel call (or a single field) makes shows in the hash.
 */
class FingerprintTest {
    private static final long D0 = 0xD0;
    private static final long D1 = 0xD1;
    private static final long D2 = 0xD2;
    private static final String FILE = Vfs.path(FsType.EXT4, "f");

    /**
     * A small machine: processes p and q with two private anonymous pages each (the first written), an ext4 file of
     * two pages that p has open as {@code f}, maps shared and has written through, and a pipe p has open.
     */
    record Machine(Kernel k, Task p, Task q, long a, long b, int f, long fa, int[] pipe) {}

    static Machine machine(String profile) {
        Kernel k = boot(profile);
        Task p = k.spawn("p");
        Task q = k.spawn("q");
        long a = mmapAnon(k, p, 2, RW);
        long b = mmapAnon(k, q, 2, RW);
        write(k, p, a, D0);
        write(k, q, b, D1);
        int f = creat(k, p, FsType.EXT4, "f", 2 * PAGE);
        long fa = mmapFile(k, p, f, 2, RW, Mman.MAP_SHARED);
        write(k, p, fa, D2);
        return new Machine(k, p, q, a, b, f, fa, pipe(k, p));
    }

    static Machine machine() {
        return machine("6.18");
    }

    static Iterable<String> allProfiles() {
        return Profiles.names();
    }

    /** One step of every kind the kernel has, in an order where each one changes the state. */
    static Map<String, Consumer<Machine>> everyKindOfCall() {
        Map<String, Consumer<Machine>> steps = new LinkedHashMap<>();
        steps.put("store to a present page", m -> write(m.k(), m.p(), m.a(), 1));
        steps.put("load that faults in the zero page", m -> assertThat(load(m.k(), m.q(), m.b() + PAGE)).isZero());
        steps.put("mmap", m -> assertThat(m.k().syscalls().mmap(m.q(), 0, PAGE, RW, PRIVATE_ANON).run())
                .isPositive());
        steps.put("mprotect", m -> assertThat(m.k().syscalls().mprotect(m.q(), m.b(), PAGE, Mman.PROT_READ).run())
                .isZero());
        steps.put("madvise DONTNEED", m -> assertThat(m.k().syscalls()
                .madvise(m.p(), m.a(), PAGE, Mman.MADV_DONTNEED).run()).isZero());
        steps.put("store that faults", m -> write(m.k(), m.p(), m.a(), 2));
        steps.put("munmap", m -> assertThat(m.k().syscalls().munmap(m.p(), m.a() + PAGE, PAGE).run()).isZero());
        steps.put("fork", m -> assertThat(m.k().syscalls().fork(m.p(), "child").complete()).isNotNull());
        steps.put("GUP pin", m -> assertThat(m.k().syscalls().pinUserPages(m.p(), m.a(), 1, Foll.FOLL_WRITE)
                .complete().nr()).isOne());
        steps.put("GUP release", m -> {
            assertThat(m.k().gupHolders().held()).hasSize(1);
            assertThat(TestKernels.release(m.k().syscalls(), m.p(), m.k().gupHolders().held().get(0), false).run()).isZero();
        });
        steps.put("pipe write", m -> assertThat(m.k().fileSyscalls().write(m.p(), m.pipe()[1], 3).run())
                .isEqualTo(8));
        steps.put("pwrite to a file", m -> pwrite(m.k(), m.p(), m.f(), PAGE, 4));
        steps.put("fsync", m -> assertThat(m.k().fileSyscalls().fsync(m.p(), m.f()).run()).isZero());
        steps.put("open", m -> assertThat(m.k().fileSyscalls().open(m.q(), FILE, Fcntl.O_RDONLY).run()).isPositive());
        steps.put("unlink", m -> assertThat(m.k().fileSyscalls().unlink(m.p(), FILE).run()).isZero());
        steps.put("clear_refs 4", m -> assertThat(m.k().syscalls().clearRefs(m.p(), 4).run()).isZero());
        steps.put("pipe read", m -> assertThat(m.k().fileSyscalls().read(m.p(), m.pipe()[0], 0).complete().value())
                .isEqualTo(3));
        steps.put("close", m -> assertThat(m.k().fileSyscalls().close(m.p(), m.f()).run()).isZero());
        steps.put("io_uring_setup", m -> assertThat(m.k().fileSyscalls().ioUringSetup(m.q()).run()).isPositive());
        steps.put("exit", m -> exit(m.k(), m.q()));
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

    /**
     * Run one step; false if it did not do what it does on 6.18 (an older profile may refuse it). A broken invariant
     * is not a refusal: it fails the test.
     */
    private static boolean asExpected(Consumer<Machine> step, Machine m) {
        try {
            step.accept(m);
            return true;
        } catch (InvariantChecking.Violated broken) {
            throw broken;
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
        assertThat(load(m.k(), m.p(), m.a())).as("a load of a present, young page").isEqualTo(D0);
        assertThat(m.k().fingerprint()).as("a pure read leaves the state as it was").isEqualTo(fp);
    }

    @Test
    void loadsOfPresentPagesByTwoProcessesCommute() {
        Machine pFirst = machine();
        Machine qFirst = machine();

        load(pFirst.k(), pFirst.p(), pFirst.a());
        load(pFirst.k(), pFirst.q(), pFirst.b());
        load(qFirst.k(), qFirst.q(), qFirst.b());
        load(qFirst.k(), qFirst.p(), qFirst.a());

        assertThat(qFirst.k().fingerprint()).isEqualTo(pFirst.k().fingerprint());
    }

    @Test
    void mprotectsOfTwoProcessesCommute() {
        Machine pFirst = machine();
        Machine qFirst = machine();
        long before = pFirst.k().fingerprint();

        pFirst.k().syscalls().mprotect(pFirst.p(), pFirst.a(), PAGE, Mman.PROT_READ).run();
        pFirst.k().syscalls().mprotect(pFirst.q(), pFirst.b(), 2 * PAGE, Mman.PROT_NONE).run();
        qFirst.k().syscalls().mprotect(qFirst.q(), qFirst.b(), 2 * PAGE, Mman.PROT_NONE).run();
        qFirst.k().syscalls().mprotect(qFirst.p(), qFirst.a(), PAGE, Mman.PROT_READ).run();

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

    /**
     * A store is stamped with its mm's epoch (the forks it completed), not a machine-wide clock, so stores of two
     * processes into pages they have give the same machine in either order: nothing the kernel does can tell.
     */
    @Test
    void storesOfTwoProcessesToPresentPagesCommute() {
        Machine pFirst = machine();
        Machine qFirst = machine();

        write(pFirst.k(), pFirst.p(), pFirst.a(), 5);
        write(pFirst.k(), pFirst.q(), pFirst.b(), 6);
        write(qFirst.k(), qFirst.q(), qFirst.b(), 6);
        write(qFirst.k(), qFirst.p(), qFirst.a(), 5);

        assertThat(qFirst.k().fingerprint()).isEqualTo(pFirst.k().fingerprint());
    }

    /** But a store before its mm's fork and the same store after it differ: the isolation oracle must tell them. */
    @Test
    void aStoreBeforeAForkAndTheSameStoreAfterItDiffer() {
        Machine before = machine();
        Machine after = machine();

        write(before.k(), before.p(), before.a(), 5);
        Task c1 = TestKernels.fork(before.k(), before.p(), "c");
        Task c2 = TestKernels.fork(after.k(), after.p(), "c");
        write(after.k(), after.p(), after.a(), 5);

        assertThat(c1.mm().id()).isEqualTo(c2.mm().id());
        assertThat(after.k().frames().writeEpoch(pfnAt(after.p(), after.a())))
                .isEqualTo(before.k().frames().writeEpoch(pfnAt(c1, before.a())) + 1);
        assertThat(after.k().fingerprint()).isNotEqualTo(before.k().fingerprint());
    }

    @Test
    void changingOnlyOneContentWordChangesTheFingerprintAndRestoringItRestoresIt() {
        Machine m = machine();
        int pfn = pfnAt(m.p(), m.a());
        long fp = m.k().fingerprint();

        m.k().frames().setWord(pfn, Page.PAGE_WORDS - 1, 1);
        assertThat(m.k().fingerprint()).isNotEqualTo(fp);

        m.k().frames().setWord(pfn, Page.PAGE_WORDS - 1, 0);
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

    /**
     * Single-field changes, one per kind of state, each made on a fresh machine: through the kernel's own mutators
     * where one changes just that field, else by reflection.
     */
    static Stream<Arguments> singleFieldChanges() {
        Map<String, Consumer<Machine>> changes = new LinkedHashMap<>();
        changes.put("refcount", m -> frames(m).setRefcount(pfnOfA(m), 2));
        changes.put("mapcount", m -> frames(m).setMapcount(pfnOfA(m), 2));
        changes.put("page flags", m -> frames(m).setFlags(pfnOfA(m),
                frames(m).flags(pfnOfA(m)) ^ PageFlags.PG_REFERENCED));
        changes.put("mapping", m -> frames(m).setMapping(pfnOfA(m), 99, frames(m).index(pfnOfA(m))));
        changes.put("index", m -> frames(m).setMapping(pfnOfA(m), frames(m).mapping(pfnOfA(m)), 99));
        changes.put("data", m -> frames(m).setWord(pfnOfA(m), 1, 7));
        changes.put("writer", m -> frames(m).setWriter(pfnOfA(m), 2, frames(m).writeEpoch(pfnOfA(m))));
        changes.put("write epoch", m -> frames(m).setWriter(pfnOfA(m), 1, 99));
        changes.put("zero page", m -> frames(m).setRefcount(PageAlloc.ZERO_PFN, 5));
        changes.put("allocator free stack", m -> {
            int pfn = m.k().pageAlloc().allocPage(PageAlloc.GFP_KERNEL);
            m.k().pageAlloc().putPage(pfn);
        });
        changes.put("PF_MEMALLOC_PIN", m -> m.k().pageAlloc().memallocPin(true));
        changes.put("mm epoch and lineage", m -> m.k().mm().forked(m.p().mm().id(), m.q().mm().id()));
        changes.put("mm flags", m -> m.p().mm().setFlag(Mm.MMF_HAS_PINNED, "MMF_HAS_PINNED"));
        changes.put("rss", m -> m.p().mm().addRssFile(false, 1));
        changes.put("hiwater", m -> m.p().mm().resetHiwaterRss());
        changes.put("pinned_vm", m -> m.p().mm().addPinnedVm(1));
        changes.put("rlimit", m -> m.p().mm().setRlimitMemlock(m.p().mm().rlimitMemlock() + 1));
        changes.put("write_protect_seq", m -> m.p().mm().writeProtectSeq().writeBegin());
        changes.put("mmap_lock reader", m -> m.p().mm().mmapLock().downRead());
        changes.put("mmap_lock writer", m -> m.p().mm().mmapLock().downWrite());
        changes.put("PTL", m -> m.q().mm().ptl().lock());
        changes.put("mmap_base", m -> set(m.q().mm(), "mmapBase", m.q().mm().mmapBase() - PAGE));
        changes.put("mm_users", m -> m.q().mm().mmget());
        changes.put("mm dead", m -> m.q().mm().markDead());
        changes.put("vma end", m -> set(vmaOfB(m), "end", vmaOfB(m).end() + PAGE));
        changes.put("vma flags", m -> vmaOfB(m).setFlags(vmaOfB(m).flags() ^ VmFlags.VM_SOFTDIRTY));
        changes.put("vma pgoff", m -> set(vmaOfB(m), "pgoff", vmaOfB(m).pgoff() + 1));
        changes.put("vma anon_vma", m -> vmaOfB(m).setAnonVma(m.p().mm().vmaAt(m.a()).anonVma()));
        changes.put("anon_vma list", m -> m.p().mm().vmaAt(m.a()).anonVma().link(vmaOfB(m)));
        changes.put("a new anon_vma", m -> m.k().mm().newAnonVma());
        changes.put("i_size", m -> inodeOfF(m).mapping().setSize(inodeOfF(m).size() + 1));
        changes.put("page cache", m -> inodeOfF(m).mapping().addPage(7L, 1));
        changes.put("evicted", m -> set(inodeOfF(m).mapping(), "evicted", true));
        changes.put("i_mmap", m -> ((Collection<?>) get(inodeOfF(m).mapping(), "iMmap")).clear());
        changes.put("i_count", m -> set(inodeOfF(m), "count", inodeOfF(m).count() + 1));
        changes.put("i_nlink", m -> set(inodeOfF(m), "nlink", 0));
        changes.put("disk block", m -> inodeOfF(m).mapping().aops().writePage(5, new long[Page.PAGE_WORDS]));
        changes.put("f_count", m -> file(m.p(), m.f()).get());
        changes.put("file private_data", m -> file(m.p(), m.f()).setPrivateData(new DriverState()));
        changes.put("fd table", m -> m.q().files().install(file(m.p(), m.f())));
        changes.put("fd table users", m -> m.q().files().share());
        changes.put("names", m -> ((Map<?, ?>) get(m.k().vfs(), "names")).clear());
        changes.put("pipe readers", m -> set(pipeOf(m.p(), m.pipe()[0]), "readers", 0));
        changes.put("pipe buffer", m -> pipeBuffers(m).add(newInstance("org.mmsim.kernel.fs.Pipe$Buffer",
                pfnOfA(m), m.p().mm().id(), false)));
        changes.put("a new pipe", m -> m.k().vfs().pipe());
        changes.put("task exited", m -> set(m.q(), "mm", null));
        changes.put("next pid", m -> set(m.k().tasks(), "nextPid", 99));
        changes.put("user->locked_vm", m -> m.k().mm().addUserLockedVm(1));
        changes.put("nr_foll_pin_acquired", m -> set(m.k().gupHolders(), "nrFollPinAcquired", 5L));
        changes.put("nr_foll_pin_released", m -> set(m.k().gupHolders(), "nrFollPinReleased", 5L));
        changes.put("observation", m -> m.k().mm().observe(m.q().mm().id(), pfnOfA(m), "load"));
        changes.put("io_uring ring", m -> m.k().fileSyscalls().ioUringSetup(m.p()).run());
        changes.put("io_uring registered range", m -> {
            int ring = (int) m.k().fileSyscalls().ioUringSetup(m.p()).run();
            long fp = m.k().fingerprint();
            set(file(m.p(), ring).privateData(), "ubuf", PAGE);
            assertThat(m.k().fingerprint()).isNotEqualTo(fp);
        });
        return changes.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    /** Driver-like private data that is state of its own: a file hashes it. */
    private static final class DriverState implements Hashable {
        @Override
        public void hashInto(StateHasher h) {
            h.add(42);
        }
    }

    private static PageFrames frames(Machine m) {
        return m.k().frames();
    }

    private static int pfnOfA(Machine m) {
        return pfnAt(m.p(), m.a());
    }

    private static Vma vmaOfB(Machine m) {
        return m.q().mm().vmaAt(m.b());
    }

    private static Inode inodeOfF(Machine m) {
        return inode(m.p(), m.f());
    }

    @SuppressWarnings("unchecked")
    private static Collection<Object> pipeBuffers(Machine m) {
        return (Collection<Object>) get(pipeOf(m.p(), m.pipe()[0]), "bufs");
    }

    private static Object newInstance(String className, Object... args) {
        try {
            var c = Class.forName(className).getDeclaredConstructors()[0];
            c.setAccessible(true);
            return c.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot make a " + className, e);
        }
    }

    private static Object get(Object target, String name) {
        try {
            return field(target, name).get(target);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read " + name + " of " + target, e);
        }
    }

    private static void set(Object target, String name, Object value) {
        try {
            field(target, name).set(target, value);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot write " + name + " of " + target, e);
        }
    }

    private static Field field(Object target, String name) throws NoSuchFieldException {
        Field f = target.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f;
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
