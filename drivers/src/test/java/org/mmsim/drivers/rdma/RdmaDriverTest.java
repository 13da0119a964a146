package org.mmsim.drivers.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.TestKernels.FRAMES;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.file;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.open;
import static org.mmsim.kernel.testing.TestKernels.profile;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code /dev/rdma}: pinned MRs pin and charge, ODP MRs map the CPU's frame without a reference, follow every
 * invalidation, retry when one slips in between the fault and the programming, fail with -EFAULT where nothing is
 * mapped, and deregistration (or close) releases what registration took.
 */
class RdmaDriverTest {
    private static final int ACCESS = RdmaDriver.IB_ACCESS_LOCAL_WRITE | RdmaDriver.IB_ACCESS_REMOTE_WRITE
            | RdmaDriver.IB_ACCESS_REMOTE_READ;

    private final Kernel k = boot("6.18");
    private final Task t = k.spawn("p");

    private static Kernel boot(String profile) {
        return TestKernels.boot(profile(profile), FRAMES, 0, List.of(new RdmaDriver()));
    }

    private static int regMr(Kernel k, Task t, long addr, long len, int mode, long[] ret) {
        int fd = open(k, t, "/dev/" + RdmaDriver.DEVICE, Fcntl.O_RDWR);
        ret[0] = k.fileSyscalls().ioctl(t, fd, RdmaDriver.RDMA_REG_MR, addr, len, mode, ACCESS).run();
        return fd;
    }

    private int regMr(long addr, long len, int mode) {
        long[] ret = new long[1];
        int fd = regMr(k, t, addr, len, mode, ret);
        assertThat(ret[0]).as("REG_MR").isZero();
        return fd;
    }

    private long read(int fd, long off) {
        return k.fileSyscalls().ioctl(t, fd, RdmaDriver.RDMA_READ, off).run();
    }

    private Mr mr(int fd) {
        return ((RdmaDriver.Context) file(t, fd).privateData()).mr;
    }

    private int cpuPfn(long addr) {
        return Pte.pfn(t.mm().pte(addr));
    }

    /** Step {@code call} until its point mentions {@code what}; returns the points passed. */
    private static List<String> stepUntil(KernelCall<?> call, String what) {
        List<String> points = new ArrayList<>();
        while (!call.done() && !call.point().contains(what)) {
            call.step();
            points.add(call.point());
        }
        return points;
    }

    @ParameterizedTest
    @ValueSource(strings = {"5.7", "5.8", "5.9", "5.11", "5.19", "6.18"})
    void aPinnedMrPinsEveryPageAndChargesMemlock(String profile) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 2, RW);
        write(k, t, a, 0x11);
        write(k, t, a + PAGE, 0x22);
        int pfn0 = Pte.pfn(t.mm().pte(a));
        int pfn1 = Pte.pfn(t.mm().pte(a + PAGE));
        long[] ret = new long[1];
        int fd = regMr(k, t, a, 2 * PAGE, RdmaDriver.MODE_PINNED, ret);
        assertThat(ret[0]).isZero();

        assertThat(k.frames().refcount(pfn0)).isEqualTo(1 + 1024);
        assertThat(k.frames().refcount(pfn1)).isEqualTo(1 + 1024);
        assertThat(k.exports().userLockedVm()).as("ib_umem_get charges mm->pinned_vm only").isZero();
        assertThat(t.mm().pinnedVm()).isEqualTo(2);
        assertThat(k.fileSyscalls().ioctl(t, fd, RdmaDriver.RDMA_READ, PAGE).run()).isEqualTo(0x22);
        assertThat(k.fileSyscalls().ioctl(t, fd, RdmaDriver.RDMA_WRITE, 8, 0x33).run()).isZero();
        assertThat(load(k, t, a + 8)).isEqualTo(0x33);

        assertThat(k.fileSyscalls().ioctl(t, fd, RdmaDriver.RDMA_DEREG_MR).run()).isZero();
        assertThat(k.frames().refcount(pfn0)).isEqualTo(1);
        assertThat(k.frames().refcount(pfn1)).isEqualTo(1);
        assertThat(k.exports().userLockedVm()).isZero();
        assertThat(t.mm().pinnedVm()).isZero();
        assertThat(k.fileSyscalls().ioctl(t, fd, RdmaDriver.RDMA_READ, 0).run()).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void aPinnedMrBeforeFollPinTakesPlainReferences() {
        Kernel old = boot("4.9");
        Task p = old.spawn("p");
        long a = mmapAnon(old, p, 1, RW);
        write(old, p, a, 0x11);
        int pfn = Pte.pfn(p.mm().pte(a));
        long[] ret = new long[1];
        regMr(old, p, a, PAGE, RdmaDriver.MODE_PINNED, ret);
        assertThat(ret[0]).isZero();
        assertThat(old.frames().refcount(pfn)).isEqualTo(2);
        assertThat(p.mm().pinnedVm()).isEqualTo(1);
    }

    @Test
    void aPinnedMrOverRlimitMemlockIsEnomemAndPinsNothing() {
        long a = mmapAnon(k, t, 2, RW);
        write(k, t, a, 0x11);
        assertThat(k.syscalls().setrlimitMemlock(t, PAGE).run()).isZero();
        long[] ret = new long[1];
        int fd = regMr(k, t, a, 2 * PAGE, RdmaDriver.MODE_PINNED, ret);
        assertThat(ret[0]).isEqualTo(-Errno.ENOMEM);
        assertThat(k.frames().refcount(cpuPfn(a))).isEqualTo(1);
        assertThat(k.exports().userLockedVm()).isZero();
        assertThat(mr(fd)).isNull();
    }

    @Test
    void theMemlockChargeOfAPinnedMrIsEachProcesssOwn() {
        Task q = k.spawn("q");
        long a = mmapAnon(k, t, 2, RW);
        long b = mmapAnon(k, q, 2, RW);
        assertThat(k.syscalls().setrlimitMemlock(t, 2 * PAGE).run()).isZero();
        assertThat(k.syscalls().setrlimitMemlock(q, 2 * PAGE).run()).isZero();
        long[] ret = new long[1];
        regMr(k, t, a, 2 * PAGE, RdmaDriver.MODE_PINNED, ret);
        assertThat(ret[0]).isZero();
        regMr(k, q, b, 2 * PAGE, RdmaDriver.MODE_PINNED, ret);
        assertThat(ret[0]).as("q's pinned_vm is 0 + 2, at its limit").isZero();
        assertThat(t.mm().pinnedVm()).isEqualTo(2);
        assertThat(q.mm().pinnedVm()).isEqualTo(2);
        assertThat(k.exports().userLockedVm()).isZero();

        long c = mmapAnon(k, t, 1, RW);
        regMr(k, t, c, PAGE, RdmaDriver.MODE_PINNED, ret);
        assertThat(ret[0]).as("a third page for t is over its limit").isEqualTo(-Errno.ENOMEM);
        assertThat(t.mm().pinnedVm()).isEqualTo(2);
    }

    @Test
    void aPinnedMrOfAHoleFailsAndReleasesItsPartialPins() {
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, 0x11);
        long[] ret = new long[1];
        int fd = regMr(k, t, a, 2 * PAGE, RdmaDriver.MODE_PINNED, ret);   // the second page is not mapped
        assertThat(ret[0]).isEqualTo(-Errno.EFAULT);
        assertThat(k.frames().refcount(cpuPfn(a))).isEqualTo(1);
        assertThat(k.exports().userLockedVm()).isZero();
        assertThat(t.mm().pinnedVm()).isZero();
        assertThat(mr(fd)).isNull();
    }

    /** mlx5's pagefault_real_mr asks for a writable page on a writable MR, whatever the access. */
    @Test
    void anOdpReadOfAWritableMrFaultsThePageInForWriting() {
        long a = mmapAnon(k, t, 1, RW);
        int fd = regMr(a, PAGE, RdmaDriver.MODE_ODP);

        assertThat(read(fd, 0)).isZero();

        assertThatPte(t, a).isWritable();
        assertThat(cpuPfn(a)).as("do_anonymous_page for a write: a page of its own, not the zero page")
                .isNotEqualTo(PageAlloc.ZERO_PFN);
        assertThat(mr(fd).dev[0] & HmmRange.WRITE).isNotZero();

        long ro = mmapAnon(k, t, 1, Mman.PROT_READ);
        int rofd = regMr(ro, PAGE, RdmaDriver.MODE_ODP);
        assertThat(read(rofd, 0)).as("hmm_vma_fault: a write fault on a VMA without VM_WRITE").isEqualTo(-Errno.EPERM);
        int readOnly = open(k, t, "/dev/" + RdmaDriver.DEVICE, Fcntl.O_RDWR);
        assertThat(k.fileSyscalls().ioctl(t, readOnly, RdmaDriver.RDMA_REG_MR, ro, PAGE, RdmaDriver.MODE_ODP,
                RdmaDriver.IB_ACCESS_REMOTE_READ).run()).isZero();
        assertThat(read(readOnly, 0)).as("a read-only MR faults for reading").isZero();
    }

    @Test
    void anOdpFaultMapsTheCpuFrameWithoutAReference() {
        long a = mmapAnon(k, t, 2, RW);
        write(k, t, a, 0x11);
        int pfn = cpuPfn(a);
        int fd = regMr(a, 2 * PAGE, RdmaDriver.MODE_ODP);
        Mr mr = mr(fd);
        assertThat(mr.dev).containsExactly(0, 0);
        assertThat(k.exports().userLockedVm()).isZero();

        assertThat(read(fd, 0)).isEqualTo(0x11);
        assertThat(mr.dev[0] & HmmRange.PFN_MASK).isEqualTo(pfn);
        assertThat(mr.dev[0] & HmmRange.VALID).isNotZero();
        assertThat(mr.dev[1]).isZero();
        assertThat(k.frames().refcount(pfn)).isEqualTo(1);
        assertThat(violatedInvariants(k)).isEmpty();

        // a write faults the untouched second page in writable and lands in the process's memory
        assertThat(k.fileSyscalls().ioctl(t, fd, RdmaDriver.RDMA_WRITE, PAGE + 8, 0x44).run()).isZero();
        assertThat(load(k, t, a + PAGE + 8)).isEqualTo(0x44);
        assertThat(mr.dev[1] & HmmRange.WRITE).isNotZero();
    }

    @Test
    void munmapInvalidatesTheDevicePteAndMovesTheSequence() {
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, 0x11);
        int fd = regMr(a, PAGE, RdmaDriver.MODE_ODP);
        Mr mr = mr(fd);
        assertThat(read(fd, 0)).isEqualTo(0x11);
        long seq = mr.mni.invalidateSeq();

        assertThat(k.syscalls().munmap(t, a, PAGE).run()).isZero();
        assertThat(mr.dev[0]).isZero();
        assertThat(mr.mni.invalidateSeq()).isNotEqualTo(seq);
        assertThat(read(fd, 0)).isEqualTo(-Errno.EFAULT);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void anInvalidationBetweenTheFaultAndTheProgrammingSendsTheDriverBackToReadBegin() {
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, 0x11);
        int fd = regMr(a, PAGE, RdmaDriver.MODE_ODP);
        Mr mr = mr(fd);
        KernelCall<?> call = k.fileSyscalls().ioctl(t, fd, RdmaDriver.RDMA_READ, 0);
        stepUntil(call, "hmm_range_fault: pfn");

        fork(k, t, "c");                      // write-protects the pte: PROTECTION_PAGE invalidation
        write(k, t, a, 0x22);                 // the parent's COW (or reuse): whatever the pte maps now
        assertThat(mr.dev[0]).isZero();

        List<String> points = stepUntil(call, "returned");
        assertThat(points.get(0)).contains("mmu_interval_read_retry: invalidated, again");
        assertThat(call.ret()).isEqualTo(0x22);
        assertThat(mr.dev[0] & HmmRange.PFN_MASK).isEqualTo(cpuPfn(a));
        assertThat(violatedInvariants(k)).isEmpty();
    }

    /** The MR a raced read went through and what the read returned. */
    private record Race(Mr mr, long ret) {}

    /**
     * An MR of {@code mode} over a page holding 0x11, and a RDMA_READ of it that a munmap races between
     * {@code hmm_range_fault} and the programming.
     */
    private Race readRacingMunmap(int mode) {
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, 0x11);
        int fd = regMr(a, PAGE, mode);
        KernelCall<?> call = k.fileSyscalls().ioctl(t, fd, RdmaDriver.RDMA_READ, 0);
        stepUntil(call, "hmm_range_fault: pfn");
        assertThat(k.syscalls().munmap(t, a, PAGE).run()).isZero();
        stepUntil(call, "returned");
        return new Race(mr(fd), call.ret());
    }

    @Test
    void aMunmapBetweenTheFaultAndTheProgrammingEndsInEfault() {
        Race race = readRacingMunmap(RdmaDriver.MODE_ODP);
        assertThat(race.ret()).isEqualTo(-Errno.EFAULT);
        assertThat(race.mr().dev[0]).isZero();
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void theNoRetryDriverProgramsAStaleFrameAndTheInvariantCatchesIt() {
        Race race = readRacingMunmap(RdmaDriver.MODE_ODP_NORETRY);
        assertThat(race.ret()).isEqualTo(0x11);
        assertThat(race.mr().valid(0)).isTrue();
        assertThat(violatedInvariants(k)).contains("device-coherence");
    }

    @Test
    void deregAndCloseRemoveTheNotifierAndDropTheDevicePtes() {
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, 0x11);
        int fd = regMr(a, PAGE, RdmaDriver.MODE_ODP);
        Mr mr = mr(fd);
        assertThat(read(fd, 0)).isEqualTo(0x11);
        assertThat(k.fileSyscalls().ioctl(t, fd, RdmaDriver.RDMA_DEREG_MR).run()).isZero();
        assertThat(mr.dead).isTrue();
        assertThat(mr.mni).isNull();
        assertThat(mr.dev[0]).isZero();
        assertThat(k.fileSyscalls().ioctl(t, fd, RdmaDriver.RDMA_DEREG_MR).run()).isEqualTo(-Errno.EINVAL);

        int fd2 = regMr(a, PAGE, RdmaDriver.MODE_PINNED);
        Mr pinned = mr(fd2);
        assertThat(k.frames().refcount(cpuPfn(a))).isEqualTo(1 + 1024);
        assertThat(k.fileSyscalls().close(t, fd2).run()).isZero();
        assertThat(pinned.dead).isTrue();
        assertThat(pinned.pages.released()).isTrue();
        assertThat(k.frames().refcount(cpuPfn(a))).isEqualTo(1);
        assertThat(k.exports().userLockedVm()).isZero();
    }

    @Test
    void badRequestsFail() {
        long a = mmapAnon(k, t, 1, RW);
        int fd = regMr(a, PAGE, RdmaDriver.MODE_ODP);
        assertThat(read(fd, 4)).isEqualTo(-Errno.EINVAL);
        assertThat(read(fd, PAGE)).isEqualTo(-Errno.EINVAL);
        assertThat(read(fd, 16)).isEqualTo(-Errno.EINVAL);     // beyond the modelled words of the page
        assertThat(read(fd, Long.MAX_VALUE - 7)).as("no overflow").isEqualTo(-Errno.EINVAL);
        long[] ret = new long[1];
        assertThat(k.fileSyscalls().ioctl(t, fd, RdmaDriver.RDMA_REG_MR, a, PAGE, 0, ACCESS).run())
                .isEqualTo(-Errno.EBUSY);
        regMr(k, t, a, 0, RdmaDriver.MODE_ODP, ret);
        assertThat(ret[0]).isEqualTo(-Errno.EINVAL);
        assertThat(k.fileSyscalls().ioctl(t, fd, 99).run()).isEqualTo(-Errno.ENOTTY);
    }

    @Test
    void aCopyWithAFaultInFlightGoesOnAsTheOriginal() {
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, 0x11);
        int fd = regMr(a, PAGE, RdmaDriver.MODE_ODP);
        KernelCall<?> call = k.fileSyscalls().ioctl(t, fd, RdmaDriver.RDMA_READ, 0);
        stepUntil(call, "hmm_range_fault: pfn");

        org.mmsim.kernel.state.Copier c = new org.mmsim.kernel.state.Copier();
        Kernel copy = k.copy(c);
        KernelCall<?> callCopy = c.copy(call);
        assertThat(copy.fingerprint()).isEqualTo(k.fingerprint());
        assertThat(callCopy.fingerprint()).isEqualTo(call.fingerprint());
        Task ct = copy.tasks().byPid(t.pid());

        assertThat(copy.syscalls().munmap(ct, a, PAGE).run()).isZero();    // only in the copy
        stepUntil(callCopy, "returned");
        stepUntil(call, "returned");
        assertThat(callCopy.ret()).isEqualTo(-Errno.EFAULT);
        assertThat(call.ret()).isEqualTo(0x11);
        assertThat(mr(fd).valid(0)).isTrue();
        assertThat(((RdmaDriver.Context) file(ct, fd).privateData()).mr.valid(0)).isFalse();
    }
}
