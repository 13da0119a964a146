package org.mmsim.kernel.mm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.profile;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.uapi.Signal;

/**
 * Device mappings across the history of the fault handler (mm/memory.c {@code do_no_page}, {@code do_no_pfn},
 * {@code __do_fault}), {@code unmap_mapping_range}, special ptes, and ptrace through {@code vm_ops->access}.
 */
class DeviceFaultTest {
    private TestDevice dev;
    private Kernel k;
    private Task p;
    private long a;

    private void boot(KernelProfile profile) {
        dev = new TestDevice();
        k = Kernel.boot(profile, 1 << 10, 0, List.of(dev));
        p = k.spawn("p");
        int fd = TestKernels.open(k, p, "/dev/testdev", Fcntl.O_RDWR);
        a = k.syscalls().mmap(p, 0, TestDevice.PAGES * PAGE, RW, Mman.MAP_SHARED, fd, 0).run();
        assertThat(a).isPositive();
    }

    private void boot(String name) {
        boot(profile(name));
    }

    private KernelCall<Mmu.Access> loadStopped(Task t, long addr) {
        KernelCall<Mmu.Access> load = k.syscalls().load(t, addr);
        load.step();
        assertThat(load.done()).as("the fault stopped between the handler and the pte").isFalse();
        return load;
    }

    /** The object moves: unmap every mapping of it (a point per pte), then switch its placement. */
    private void move() {
        k.exports().unmapMappingRange(dev.mapping, 0, 0, false).run();
        dev.inPages = !dev.inPages;
    }

    @Test
    void doNoPfnMapsAPfnLookedUpBeforeAnUnmapThatRanMeanwhile() {
        boot(profile("2.6.19").with(Switch.DRIVER_FAULT, "nopfn"));
        KernelCall<Mmu.Access> load = loadStopped(p, a);
        assertThat(load.point()).contains("->nopfn returned pfn " + dev.rawBase);
        move();
        load.run();
        assertThat(load.result().signal()).isZero();
        assertThat(Pte.pfn(p.mm().pte(a))).as("seed 000: no truncate logic in do_no_pfn").isEqualTo(dev.rawBase);
        assertThat(Pte.special(p.mm().pte(a))).isTrue();
    }

    @Test
    void doNoPageRechecksTruncateCountAndRetries() {
        boot("2.6.19");
        dev.inPages = true;
        KernelCall<Mmu.Access> load = loadStopped(p, a);
        int looked = dev.pageBase;
        assertThat(k.frames().refcount(looked)).as("the driver's and ->nopage's reference").isEqualTo(2);
        long before = dev.mapping.truncateCount();
        k.exports().unmapMappingRange(dev.mapping, 0, 0, false).run();
        assertThat(dev.mapping.truncateCount()).isEqualTo(before + 1);
        load.run();
        assertThat(load.result().signal()).isZero();
        assertThat(Pte.pfn(p.mm().pte(a))).isEqualTo(looked);
        assertThat(k.frames().refcount(looked)).as("the stale lookup's reference dropped, the retry's is the pte's")
                .isEqualTo(2);
        assertThat(k.frames().mapcount(looked)).isOne();
    }

    @Test
    void nopageAndNopfnErrorsBecomeSignalsAndRefaultRetries() {
        boot("2.6.19");
        dev.error = VmFault.NOPAGE_SIGBUS;
        assertThat(k.syscalls().load(p, a).complete().signal()).isEqualTo(Signal.SIGBUS);
        dev.error = VmFault.NOPAGE_OOM;
        assertThat(k.syscalls().load(p, a).complete().signal()).isEqualTo(Signal.SIGBUS);
        dev.error = VmFault.NOPAGE_REFAULT;
        assertThat(k.exports().vmInsertPfn(p.mm().vmaAt(a), a + PAGE, dev.rawBase)).as("the pte the handler installs itself")
                .isZero();
        assertThat(k.syscalls().load(p, a + PAGE).complete().signal()).as("NOPAGE_REFAULT: the pte the handler set")
                .isZero();
        boot(profile("2.6.19").with(Switch.DRIVER_FAULT, "nopfn"));
        dev.error = VmFault.NOPFN_SIGBUS;
        assertThat(k.syscalls().load(p, a).complete().signal()).isEqualTo(Signal.SIGBUS);
        dev.error = VmFault.NOPFN_OOM;
        assertThat(k.syscalls().load(p, a).complete().signal()).as("VM_FAULT_OOM").isEqualTo(Signal.SIGBUS);
        dev.error = VmFault.NOPFN_REFAULT;
        assertThat(k.exports().vmInsertPfn(p.mm().vmaAt(a), a, dev.rawBase + 1)).isZero();
        assertThat(k.exports().vmInsertPfn(p.mm().vmaAt(a), a, dev.rawBase)).isEqualTo(-Errno.EBUSY);
        k.exports().deviceWrite(dev.rawBase + 1, 0, 77);
        assertThat(k.syscalls().load(p, a).complete()).isEqualTo(new Mmu.Access(77, 0));
    }

    @Test
    void faultInsertsTheCurrentPlacementWithThePauseAsItsWindow() {
        boot("6.18");
        k.exports().deviceWrite(dev.rawBase, 0, 5);
        assertThat(k.syscalls().load(p, a).complete()).isEqualTo(new Mmu.Access(5, 0));
        move();
        dev.pause = true;
        KernelCall<Mmu.Access> load = loadStopped(p, a);
        assertThat(p.mm().mmapLock().readers()).as("the faulting thread holds mmap_lock across the sleep").isOne();
        load.run();
        assertThat(Pte.pfn(p.mm().pte(a))).isEqualTo(dev.pageBase);
        assertThat(p.mm().mmapLock().held()).isFalse();
    }

    @Test
    void faultRetryStartsTheAccessAgainAndSigbusIsASignal() {
        boot("6.18");
        dev.retries = 1;
        assertThat(k.syscalls().load(p, a).complete().signal()).isZero();
        assertThat(Pte.present(p.mm().pte(a))).isTrue();
        dev.error = VmFault.VM_FAULT_SIGBUS;
        assertThat(k.syscalls().load(p, a + PAGE).complete().signal()).isEqualTo(Signal.SIGBUS);
    }

    @Test
    void unmapMappingRangeZapsEveryProcessesMappingsWithAPointPerPte() {
        boot("6.18");
        Task q = k.spawn("q");
        int fd = TestKernels.open(k, q, "/dev/testdev", Fcntl.O_RDWR);
        long b = k.syscalls().mmap(q, 0, TestDevice.PAGES * PAGE, RW, Mman.MAP_SHARED, fd, 0).run();
        for (long off = 0; off < TestDevice.PAGES * PAGE; off += PAGE) {
            k.syscalls().load(p, a + off).run();
            k.syscalls().load(q, b + off).run();
        }
        Task c = TestKernels.fork(k, p, "c");
        assertThat(Pte.pfn(c.mm().pte(a))).as("fork copies special ptes").isEqualTo(dev.rawBase);
        KernelCall<Void> unmap = k.exports().unmapMappingRange(dev.mapping, 0, 0, false);
        int steps = 0;
        while (!unmap.done()) {
            unmap.step();
            steps++;
        }
        assertThat(steps).as("a point before each of the 3 VMAs and after each pte but the last of a VMA")
                .isEqualTo(1 + 3 * TestDevice.PAGES);
        for (Mm mm : List.of(p.mm(), q.mm(), c.mm())) {
            long base = mm == q.mm() ? b : a;
            assertThat(mm.pte(base)).isZero();
            assertThat(mm.pte(base + PAGE)).isZero();
        }
    }

    @Test
    void specialPtesAreInvisibleToGupAndRmap() {
        boot("6.18");
        k.syscalls().load(p, a).run();
        assertThat(k.syscalls().getUserPages(p, a, 1, 0).run()).isEqualTo(-Errno.EFAULT);
        assertThat(k.frames().mapcount(dev.rawBase)).as("no rmap").isZero();
        assertThat(k.frames().refcount(dev.rawBase)).as("no struct page refcount").isZero();
    }

    @Test
    void vmInsertPageTakesAReferenceAndAMapcountAndSetsMixedmap() {
        boot("6.18");
        long off = a + PAGE;
        assertThat(k.exports().vmInsertPage(p.mm().vmaAt(off), off, dev.pageBase)).isZero();
        assertThat(p.mm().vmaAt(off).has(VmFlags.VM_MIXEDMAP)).isTrue();
        assertThat(k.frames().refcount(dev.pageBase)).isEqualTo(2);
        assertThat(k.frames().mapcount(dev.pageBase)).isOne();
        assertThat(k.exports().vmInsertPage(p.mm().vmaAt(off), off, dev.pageBase)).isEqualTo(-Errno.EBUSY);
        assertThat(k.exports().vmInsertPage(p.mm().vmaAt(off), off, dev.rawBase)).isEqualTo(-Errno.EINVAL);
        assertThat(k.syscalls().munmap(p, a, 2 * PAGE).run()).isZero();
        assertThat(k.frames().refcount(dev.pageBase)).as("the driver's reference stays").isOne();
    }

    @Test
    void ptraceOfAVmIoMappingIsEioUntilVmOpsAccessAndThenTheDevicesAnswer() {
        boot("2.6.23");
        Task dbg = k.spawn("gdb");
        k.exports().deviceWrite(dev.rawBase, 0, 42);
        assertThat(k.syscalls().procMemRead(dbg, p, a).run()).as("2.6.23: GUP refuses VM_IO, no ->access")
                .isEqualTo(-Errno.EIO);
        boot("2.6.27");
        dbg = k.spawn("gdb");
        k.exports().deviceWrite(dev.rawBase, 0, 42);
        assertThat(k.syscalls().procMemRead(dbg, p, a).complete().value()).isEqualTo(42);
    }

    @Test
    void genericAccessPhysCopiesThroughAStalePfnUntilTheRecheck() {
        for (String name : List.of("5.11", "6.18")) {
            boot(name);
            dev.genericAccess = true;
            Task dbg = k.spawn("gdb");
            k.exports().deviceWrite(dev.rawBase, 0, 1);
            k.exports().deviceWrite(dev.pageBase, 0, 2);
            k.syscalls().load(p, a).run();
            KernelCall<org.mmsim.kernel.mm.WordRead> peek = k.syscalls().procMemRead(dbg, p, a);
            while (!peek.point().startsWith("generic_access_phys")) {
                peek.step();
            }
            move();
            k.exports().deviceWrite(dev.rawBase, 0, 99);
            k.syscalls().load(p, a).run();
            peek.run();
            assertThat(peek.result().value()).as("under %s", name).isEqualTo(name.equals("5.11") ? 99 : 2);
        }
    }

    @Test
    void deviceMemoryIsReservedOnceAndRunsOut() {
        boot("6.18");
        assertThat(dev.pageBase).isEqualTo(dev.rawBase + TestDevice.PAGES);
        assertThat(k.exports().reserveDeviceMemory(Kernel.DEVICE_FRAMES, false)).isEqualTo(-Errno.ENOMEM);
        assertThat(k.pageAlloc().isDevice(dev.rawBase)).isTrue();
        assertThat(k.pageAlloc().isDevice(1)).isFalse();
        assertThat(k.exports().vmfInsertPfn(p.mm().vmaAt(a), a + 9 * PAGE, dev.rawBase))
                .isEqualTo(VmFault.VM_FAULT_SIGBUS);
        int fd = TestKernels.creat(k, p, FsType.EXT4, "f", PAGE);
        long f = TestKernels.mmapFile(k, p, fd, 1, RW, Mman.MAP_SHARED);
        assertThat(k.exports().vmfInsertPfn(p.mm().vmaAt(f), f, dev.rawBase)).as("neither PFNMAP nor MIXEDMAP")
                .isEqualTo(VmFault.VM_FAULT_SIGBUS);
    }
}
