package org.mmsim.drivers.dmirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.FRAMES;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.file;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.open;
import static org.mmsim.kernel.testing.TestKernels.profile;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.hmm.HmmRange;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code /dev/hmm_dmirror}: the mirror reads and writes through entries {@code hmm_range_fault} filled without
 * references, its notifier over the whole address space erases them on invalidation, and the errors are hmm's.
 */
class DmirrorDriverTest {
    private final Kernel k = TestKernels.boot(profile("6.18"), FRAMES, 0, List.of(new DmirrorDriver()));
    private final Task t = k.spawn("p");
    private final int fd = open(k, t, "/dev/" + DmirrorDriver.DEVICE, Fcntl.O_RDWR);

    private long read(long addr) {
        return k.fileSyscalls().ioctl(t, fd, DmirrorDriver.HMM_DMIRROR_READ, addr, 1).run();
    }

    private long dwrite(long addr, long value) {
        return k.fileSyscalls().ioctl(t, fd, DmirrorDriver.HMM_DMIRROR_WRITE, addr, 1, value).run();
    }

    private DmirrorDriver.Dmirror mirror() {
        return (DmirrorDriver.Dmirror) file(t, fd).privateData();
    }

    @Test
    void theFirstIoctlBindsTheMirrorWithANotifierOverTheWholeAddressSpace() {
        assertThat(mirror().mm).isNull();
        long a = mmapAnon(k, t, 1, Mman.PROT_READ | Mman.PROT_WRITE);
        write(k, t, a, 0x11);
        assertThat(read(a)).isEqualTo(0x11);
        assertThat(mirror().mm).isSameAs(t.mm());
        assertThat(mirror().mni.start()).isZero();
        assertThat(mirror().mni.last()).isEqualTo(PageTable.TASK_SIZE - 1);
    }

    @Test
    void aReadMapsTheCpuFrameWithoutAReferenceAndMunmapErasesIt() {
        long a = mmapAnon(k, t, 1, Mman.PROT_READ | Mman.PROT_WRITE);
        write(k, t, a + 8, 0x12);
        int pfn = Pte.pfn(t.mm().pte(a));
        assertThat(read(a + 8)).isEqualTo(0x12);
        long e = mirror().pt.get(a);
        assertThat(e & HmmRange.PFN_MASK).isEqualTo(pfn);
        assertThat(k.frames().refcount(pfn)).isEqualTo(1);
        long seq = mirror().mni.invalidateSeq();

        assertThat(k.syscalls().munmap(t, a, PAGE).run()).isZero();
        assertThat(mirror().pt).isEmpty();
        assertThat(mirror().mni.invalidateSeq()).isNotEqualTo(seq);
        assertThat(read(a)).isEqualTo(-Errno.EFAULT);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void aWriteFaultsThePageInWritableAndTheProcessSeesIt() {
        long a = mmapAnon(k, t, 1, Mman.PROT_READ | Mman.PROT_WRITE);
        assertThat(read(a)).isZero();                                   // the zero page, read-only
        assertThat(mirror().pt.get(a) & HmmRange.WRITE).isZero();
        assertThat(dwrite(a, 0x33)).isZero();                           // write fault: a private anon page
        assertThat(mirror().pt.get(a) & HmmRange.WRITE).isNotZero();
        assertThat(load(k, t, a)).isEqualTo(0x33);
    }

    /**
     * A device write fault goes through {@code ->page_mkwrite} as a CPU store does, and sleeps on the page lock there
     * ({@code block_page_mkwrite}: {@code folio_lock}): the fault call waits while another holds the page locked.
     */
    @Test
    void aWriteFaultOnAWriteProtectedSharedFilePageWaitsForThePageLock() {
        int f = TestKernels.creat(k, t, FsType.EXT4, "f", PAGE);
        long a = TestKernels.mmapFile(k, t, f, 1, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED);
        write(k, t, a, 1);
        TestKernels.fsync(k, t, f); // clean and write-protected again: the next write goes through page_mkwrite
        int pfn = Pte.pfn(t.mm().pte(a));
        k.frames().set(pfn, PageFlags.PG_LOCKED); // as a holder of the page lock between its steps
        KernelCall<Void> c = k.fileSyscalls().ioctl(t, fd, DmirrorDriver.HMM_DMIRROR_WRITE, a, 1, 0x44);

        for (int i = 0; i < 8 && !c.done() && c.blockedOn() == null; i++) {
            c.step();
        }

        assertThat(c.done()).isFalse();
        assertThat(c.blockedOn()).as("page_mkwrite's folio_lock").isNotNull();
        k.frames().clear(pfn, PageFlags.PG_LOCKED);
        assertThat(c.run()).isZero();
        assertThat(load(k, t, a)).isEqualTo(0x44);
    }

    @Test
    void hmmErrorsComeBack() {
        long ro = mmapAnon(k, t, 1, Mman.PROT_READ);
        assertThat(dwrite(ro, 1)).isEqualTo(-Errno.EPERM);
        assertThat(read(0x1000)).isEqualTo(-Errno.EFAULT);
        assertThat(read(ro + 16)).isEqualTo(-Errno.EINVAL);
        assertThat(k.fileSyscalls().ioctl(t, fd, DmirrorDriver.HMM_DMIRROR_READ, ro, 2).run())
                .isEqualTo(-Errno.EINVAL);
        assertThat(k.fileSyscalls().ioctl(t, fd, 9, ro, 1).run()).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void anInvalidationBetweenTheFaultAndTheUpdateRetries() {
        long a = mmapAnon(k, t, 2, Mman.PROT_READ | Mman.PROT_WRITE);
        write(k, t, a, 0x11);
        assertThat(read(a + PAGE)).isZero();                            // binds the mirror
        KernelCall<?> call = k.fileSyscalls().ioctl(t, fd, DmirrorDriver.HMM_DMIRROR_READ, a, 1);
        while (!call.point().contains("hmm_range_fault: pfn")) {
            call.step();
        }
        assertThat(k.syscalls().madvise(t, a, PAGE, Mman.MADV_DONTNEED).run()).isZero();
        call.step();
        assertThat(call.point()).contains("mmu_interval_read_retry: invalidated, again");
        while (!call.done()) {
            call.step();
        }
        assertThat(call.ret()).isZero();                                // the zero page after MADV_DONTNEED
        assertThat(mirror().pt.get(a) & HmmRange.PFN_MASK).isEqualTo(Pte.pfn(t.mm().pte(a)));
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void closeRemovesTheNotifierAndEmptiesTheMirror() {
        long a = mmapAnon(k, t, 1, Mman.PROT_READ | Mman.PROT_WRITE);
        write(k, t, a, 0x11);
        assertThat(read(a)).isEqualTo(0x11);
        DmirrorDriver.Dmirror d = mirror();
        assertThat(k.fileSyscalls().close(t, fd).run()).isZero();
        assertThat(d.released).isTrue();
        assertThat(d.mni).isNull();
        assertThat(d.pt).isEmpty();
        assertThat(k.syscalls().munmap(t, a, PAGE).run()).isZero();     // no callback reaches the closed mirror
        assertThat(violatedInvariants(k)).isEmpty();
    }
}
