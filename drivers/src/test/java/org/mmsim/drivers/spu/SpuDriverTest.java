package org.mmsim.drivers.spu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.memory.Mmu;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.uapi.Signal;

/**
 * The spu device: local-store faults per state and era, context switches that zap every mapping of the outgoing
 * context and move its contents, the problem-state wait, ptrace across a switch (B5), and errors.
 */
class SpuDriverTest {
    private static final long LS = SpuDriver.LS_PAGES * PAGE;

    private Kernel k;
    private Task p;
    private Task q;
    private SpuDriver spu;

    SpuDriverTest() {
        boot("6.18");
    }

    /** A fresh machine of {@code profile}, with two processes and the spu driver alone. */
    private SpuDriverTest boot(String profile) {
        spu = new SpuDriver();
        k = TestKernels.boot(TestKernels.profile(profile), TestKernels.FRAMES, 0, List.of(spu));
        p = k.spawn("p");
        q = k.spawn("q");
        return this;
    }

    private int create(Task t) {
        return (int) k.fileSyscalls().open(t, "/dev/" + SpuDriver.DEVICE, Fcntl.O_RDWR).run();
    }

    private long mapLs(Task t, int fd) {
        return k.syscalls().mmap(t, 0, LS, RW, Mman.MAP_SHARED, fd, 0).run();
    }

    private KernelCall<Void> run(Task t, int fd) {
        return k.fileSyscalls().ioctl(t, fd, SpuDriver.SPU_RUN, 0);
    }

    private long load(Task t, long addr) {
        Mmu.Access a = k.syscalls().load(t, addr).complete();
        assertThat(a.signal()).isZero();
        return a.value();
    }

    private void store(Task t, long addr, long value) {
        assertThat(k.syscalls().store(t, addr, value).complete().signal()).isZero();
    }

    private SpuContext ctx(Task t, int fd) {
        return (SpuContext) t.files().get(fd).privateData();
    }

    private SpuDriver driver() {
        return spu;
    }

    @Test
    void theFaultMapsTheSavedImageCachedAndThePhysicalLocalStoreNoncached() {
        int x = create(p);
        long l = mapLs(p, x);
        SpuContext cx = ctx(p, x);

        assertThat(load(p, l)).isZero();
        long saved = p.mm().pte(l);
        assertThat(Pte.pfn(saved)).isEqualTo(cx.backing);
        assertThat(Pte.special(saved)).isTrue();
        assertThat(saved & Pte.PCD).isZero();
        assertThat(p.mm().vmaAt(l).flags() & (org.mmsim.kernel.mm.VmFlags.VM_IO
                | org.mmsim.kernel.mm.VmFlags.VM_PFNMAP)).isEqualTo(org.mmsim.kernel.mm.VmFlags.VM_IO
                | org.mmsim.kernel.mm.VmFlags.VM_PFNMAP);

        assertThat(run(p, x).run()).isZero();
        assertThat(p.mm().pte(l)).as("spu_unmap_mappings of the incoming context").isZero();
        assertThat(load(p, l + PAGE)).isZero();
        long live = p.mm().pte(l + PAGE);
        assertThat(Pte.pfn(live)).isEqualTo(driver().physLs(0, 1));
        assertThat(live & Pte.PCD).isNotZero();
        assertThat(cx.loaded()).isTrue();
    }

    @Test
    void aSwitchZapsEveryMappingOfTheOutgoingContextInEveryProcess() {
        int x = create(p);
        long l1 = mapLs(p, x);
        long l2 = mapLs(p, x);
        assertThat(run(p, x).run()).isZero();
        store(p, l1, 0x11);
        long child = k.syscalls().fork(p, "c").run();
        Task c = k.tasks().byPid((int) child);
        assertThat(load(c, l2)).isEqualTo(0x11);
        assertThat(load(c, l1)).isEqualTo(0x11);
        assertThat(load(p, l2 + PAGE)).isZero();
        int y = create(q);
        long m = mapLs(q, y);
        assertThat(load(q, m)).isZero();

        assertThat(run(q, y).run()).isZero();

        for (Task t : List.of(p, c)) {
            for (long a : new long[] {l1, l1 + PAGE, l2, l2 + PAGE}) {
                assertThat(t.mm().pte(a)).as("%s %#x", t.comm(), a).isZero();
            }
        }
        assertThat(q.mm().pte(m)).as("the incoming context's pte to its image").isZero();
        assertThat(load(c, l2)).isEqualTo(0x11);
        assertThat(Pte.pfn(c.mm().pte(l2))).isEqualTo(ctx(p, x).backing);
    }

    @Test
    void theLocalStoreSurvivesSaveAndRestore() {
        int x = create(p);
        long l = mapLs(p, x);
        int y = create(q);
        long m = mapLs(q, y);
        SpuDriver d = driver();
        assertThat(run(p, x).run()).isZero();
        store(p, l, 0x11);
        store(p, l + 8, 0x12);
        store(p, l + PAGE, 0x13);
        assertThat(run(q, y).run()).isZero();
        store(q, m, 0x22);

        SpuContext cx = ctx(p, x);
        assertThat(k.exports().deviceRead(cx.backing, 0)).isEqualTo(0x11);
        assertThat(k.exports().deviceRead(cx.backing, 1)).isEqualTo(0x12);
        assertThat(k.exports().deviceRead(cx.backing + 1, 0)).isEqualTo(0x13);
        assertThat(k.exports().deviceRead(d.physLs(0, 0), 0)).isEqualTo(0x22);
        assertThat(load(p, l + 8)).isEqualTo(0x12);

        assertThat(run(p, x).run()).isZero();
        assertThat(k.exports().deviceRead(d.physLs(0, 0), 0)).isEqualTo(0x11);
        assertThat(k.exports().deviceRead(d.physLs(0, 1), 0)).isEqualTo(0x13);
        assertThat(load(p, l)).isEqualTo(0x11);
        assertThat(load(p, l + PAGE)).isEqualTo(0x13);
        assertThat(load(q, m)).isEqualTo(0x22);
        assertThat(run(p, x).run()).as("already loaded").isZero();
    }

    /** The device tells the isolation invariant who owns each frame as contexts move. */
    @Test
    void theOwnersFollowTheSwitch() {
        int x = create(p);
        int y = create(q);
        SpuDriver d = driver();
        SpuContext cx = ctx(p, x);
        SpuContext cy = ctx(q, y);
        var owners = k.deviceMemories().stream().filter(m -> m.name().equals("spu")).findFirst().orElseThrow();
        assertThat(owners.owner(d.physLs(0, 0))).isEqualTo(-1);
        assertThat(owners.owner(cx.backing)).isEqualTo(cx.id);
        assertThat(run(p, x).run()).isZero();
        assertThat(owners.owner(d.physLs(0, 1))).isEqualTo(cx.id);
        assertThat(owners.owner(cx.backing)).as("a loaded context's image is stale").isEqualTo(-1);
        assertThat(run(q, y).run()).isZero();
        assertThat(owners.owner(d.physLs(0, 0))).isEqualTo(cy.id);
        assertThat(owners.owner(cx.backing + 1)).isEqualTo(cx.id);
        long l = mapLs(p, x);
        assertThat(owners.objectAt(p.mm(), l + PAGE)).isEqualTo(cx.id);
        assertThat(owners.objectAt(q.mm(), l)).isEqualTo(-1);
    }

    /**
     * A fault while a switch holds the state mutex sleeps in spu_acquire, and once the switch is done maps what it
     * left: the saved image of the context switched out.
     */
    @Test
    void aFaultDuringASwitchWaitsForTheStateMutex() {
        int x = create(p);
        long l = mapLs(p, x);
        int y = create(q);
        assertThat(run(p, x).run()).isZero();
        store(p, l, 0x11);
        assertThat(k.syscalls().munmap(p, l, LS).run()).isZero();
        long l2 = mapLs(p, x);

        KernelCall<Void> sw = run(q, y);
        sw.step();
        assertThat(ctx(p, x).stateMutex.acquire().available()).isFalse();
        KernelCall<Mmu.Access> ld = k.syscalls().load(p, l2);
        ld.step();
        assertThat(ld.done()).isFalse();
        assertThat(ld.blockedOn()).isNotNull();
        assertThat(ld.blockedOn().lock()).contains("spu state_mutex");
        while (!sw.done()) {
            sw.step();
        }
        assertThat(sw.ret()).isZero();
        assertThat(ld.blockedOn()).isNull();
        while (!ld.done()) {
            ld.step();
        }
        assertThat(ld.result().value()).isEqualTo(0x11);
        assertThat(Pte.pfn(p.mm().pte(l2))).isEqualTo(ctx(p, x).backing);
        assertThat(Invariants.checkStep(k)).isEmpty();
    }

    /** A load of the problem-state area of a saved context sleeps until the context is loaded. */
    @Test
    void theProblemStateAreaWaitsUntilTheContextIsLoaded() {
        int x = create(p);
        long s = k.syscalls().mmap(p, 0, PAGE, RW, Mman.MAP_SHARED, x, SpuDriver.PS_PGOFF * PAGE).run();
        assertThat(s).isPositive();
        KernelCall<Mmu.Access> ld = k.syscalls().load(p, s);
        ld.step();
        assertThat(ld.done()).isFalse();
        assertThat(ld.blockedOn()).isNotNull();
        assertThat(run(p, x).run()).isZero();
        assertThat(ld.blockedOn()).isNull();
        while (!ld.done()) {
            ld.step();
        }
        assertThat(ld.result().value()).isEqualTo(ctx(p, x).id);
        assertThat(p.mm().pte(s) & Pte.PCD).isNotZero();
    }

    /**
     * B5 under 2.6.19: GUP takes the struct page of the physical local store for the debugger; the switch runs
     * between get_user_pages and the copy; the copy reads the other context's data, which the isolation invariant
     * names.
     */
    @Test
    @InvariantsNotChecked(value = "B5: ptrace reads another context's local store under 2.6.19", profiles = "2.6.19")
    void ptraceAcrossASwitchReadsTheOtherContextUnder2619() {
        SpuDriverTest s = new SpuDriverTest().boot("2.6.19");
        assertThat(s.b5()).isEqualTo(0x22);
        List<Violation> v = Invariants.checkStep(s.k);
        assertThat(v).extracting(Violation::invariant).contains("device-isolation");
    }

    /** The same race with raw pfns: 2.6.23 has no ->access (-EIO); from 2.6.27 ->access reads X where it is. */
    @Test
    void ptraceAcrossASwitchNeverReadsTheOtherContextLater() {
        SpuDriverTest s23 = new SpuDriverTest().boot("2.6.23");
        assertThat(s23.b5()).isEqualTo(-Errno.EIO);
        SpuDriverTest s27 = new SpuDriverTest().boot("2.6.27");
        assertThat(s27.b5()).isEqualTo(0x11);
        assertThat(new SpuDriverTest().boot("6.18").b5()).isEqualTo(0x11);
        assertThat(Invariants.checkStep(s27.k)).isEmpty();
    }

    /** X loaded with 0x11, Y saved with 0x22; a debugger's read of P's LS stepped to its copy, Y run, the copy. */
    private long b5() {
        int x = create(p);
        long l = mapLs(p, x);
        int y = create(q);
        long m = mapLs(q, y);
        assertThat(run(q, y).run()).isZero();
        store(q, m, 0x22);
        assertThat(run(p, x).run()).isZero();
        store(p, l, 0x11);
        Task dbg = k.spawn("gdb");
        KernelCall<WordRead> peek = k.syscalls().procMemRead(dbg, p, l);
        while (!peek.done() && !peek.point().contains("device pfn")) {
            peek.step();
        }
        KernelCall<Void> sw = run(q, y);
        while (!sw.done()) {
            sw.step();
        }
        assertThat(sw.ret()).isZero();
        while (!peek.done()) {
            peek.step();
        }
        WordRead r = peek.result();
        return r.ret() == 8 ? r.value() : -Errno.EIO;
    }

    @Test
    void errors() {
        int x = create(p);
        assertThat(k.fileSyscalls().ioctl(p, x, SpuDriver.SPU_RUN, 5).run()).as("no SPU 5").isEqualTo(-Errno.EINVAL);
        assertThat(k.fileSyscalls().ioctl(p, x, 0x1234, 0).run()).isEqualTo(-Errno.ENOTTY);
        assertThat(k.syscalls().mmap(p, 0, LS, RW, Mman.MAP_PRIVATE, x, 0).run()).isEqualTo(-Errno.EINVAL);
        long big = k.syscalls().mmap(p, 0, LS + PAGE, RW, Mman.MAP_SHARED, x, 0).run();
        assertThat(big).as("spufs_mem_mmap does not check the size").isPositive();
        assertThat(TestKernels.loadSignal(k, p, big + LS)).as("spufs_mem_mmap_fault past the local store")
                .isEqualTo(Signal.SIGBUS);
        assertThat(k.syscalls().mmap(p, 0, 2 * PAGE, RW, Mman.MAP_SHARED, x, (SpuDriver.PS_PGOFF - 1) * PAGE).run())
                .as("a mapping of mem running into the model's psmap offset").isEqualTo(-Errno.EINVAL);
        for (int i = 1; i < SpuDriver.MAX_CONTEXTS; i++) {
            assertThat(create(p)).isPositive();
        }
        assertThat(create(p)).as("->open's -ENOSPC, which open() returns").isEqualTo(-Errno.ENOSPC);
    }
}
