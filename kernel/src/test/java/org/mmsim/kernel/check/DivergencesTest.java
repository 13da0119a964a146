package org.mmsim.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.check.Divergences.Divergence;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.mmap.Mremap;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.uapi.Mman;

/**
 * A pin the program unmapped from under (munmap, MAP_FIXED, mremap, MADV_DONTNEED, ftruncate) diverges by the
 * program's doing: an observation with its cause, not a pin-coherence violation. A pin COW broke away from (the
 * kernel's doing, B3 before 5.9) stays a violation.
 */
class DivergencesTest {
    private static final int PINNED = Foll.FOLL_WRITE | Foll.FOLL_LONGTERM;

    private Kernel k;
    private Task p;
    private long a;
    private GupPages pin;

    private void pinOnePage(String profile) {
        k = boot(profile);
        p = k.spawn("p");
        a = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        pin = k.syscalls().pinUserPages(p, a, 1, PINNED).complete();
        assertThat(pin.nr()).isEqualTo(1);
    }

    private void mapAgainAndStore() {
        long r = k.syscalls().mmap(p, a, PAGE, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED).run();
        assertThat(r).isEqualTo(a);
        write(k, p, a, 2);
    }

    private int cpuPfn() {
        return Pte.pfn(p.mm().pte(a));
    }

    @Test
    void munmapThenANewPageAtTheAddressIsTheProgramsDivergence() {
        pinOnePage("6.18");
        assertThat(k.syscalls().munmap(p, a, PAGE).run()).isZero();
        mapAgainAndStore();

        assertThat(cpuPfn()).isNotEqualTo(pin.pfn(0));
        assertThat(violatedInvariants(k)).doesNotContain("pin-coherence");
        assertThat(Divergences.of(k)).containsExactly(
                new Divergence("a long-term pin", p.mm().id(), a, pin.pfn(0), cpuPfn(), "munmap"));
    }

    @Test
    void mapFixedOverThePinIsCausedByMmap() {
        pinOnePage("6.18");
        mapAgainAndStore();
        assertThat(violatedInvariants(k)).doesNotContain("pin-coherence");
        assertThat(Divergences.of(k)).extracting(Divergence::cause).containsExactly("mmap");
    }

    @Test
    void madviseDontneedThenTouchIsCausedByMadvise() {
        pinOnePage("6.18");
        assertThat(k.syscalls().madvise(p, a, PAGE, Mman.MADV_DONTNEED).run()).isZero();
        assertThat(Divergences.of(k)).as("nothing mapped: the pin holds what the CPU no longer maps")
                .extracting(Divergence::cpuPfn).containsExactly(-1L);
        write(k, p, a, 2);
        assertThat(violatedInvariants(k)).doesNotContain("pin-coherence");
        assertThat(Divergences.of(k)).extracting(Divergence::cause).containsExactly("madvise");
    }

    @Test
    void mremapAwayThenANewMappingIsCausedByMremap() {
        pinOnePage("6.18");
        long to = a - 16 * PAGE;
        assertThat(k.syscalls().mremap(p, a, PAGE, PAGE, Mremap.MREMAP_MAYMOVE | Mremap.MREMAP_FIXED, to).run())
                .isEqualTo(to);
        assertThat(Pte.pfn(p.mm().pte(to))).as("the frame moved with its pte").isEqualTo(pin.pfn(0));
        mapAgainAndStore();
        assertThat(violatedInvariants(k)).doesNotContain("pin-coherence");
        assertThat(Divergences.of(k)).extracting(Divergence::cause).containsExactly("mremap");
    }

    @Test
    void ftruncateOfAPinnedSharedFilePageIsCausedByFtruncate() {
        k = boot("6.18");
        p = k.spawn("p");
        int fd = creat(k, p, FsType.TMPFS, "f", PAGE);
        a = mmapFile(k, p, fd, 1, RW, Mman.MAP_SHARED);
        write(k, p, a, 1);
        pin = k.syscalls().pinUserPages(p, a, 1, PINNED).complete();
        assertThat(k.fileSyscalls().ftruncate(p, fd, 0).run()).isZero();
        assertThat(k.fileSyscalls().ftruncate(p, fd, PAGE).run()).isZero();
        write(k, p, a, 2);
        assertThat(cpuPfn()).isNotEqualTo(pin.pfn(0));
        assertThat(violatedInvariants(k)).doesNotContain("pin-coherence");
        assertThat(Divergences.of(k)).extracting(Divergence::cause).containsExactly("ftruncate");
    }

    @Test
    @InvariantsNotChecked("B3 under 5.8: the parent's write copies away from its pin")
    void cowBreakingAwayFromThePinStaysAViolation() {
        pinOnePage("5.8"); // B3: before 5.9 the parent's write fault may copy away from its own pin
        fork(k, p, "c");
        write(k, p, a, 4);
        assertThat(cpuPfn()).isNotEqualTo(pin.pfn(0));
        assertThat(violatedInvariants(k)).contains("pin-coherence");
        assertThat(Divergences.of(k)).isEmpty();
        assertThat(k.mm().detachments().all()).isEmpty();
    }

    @Test
    void anUnpinnedPageLeavesNoRecord() {
        k = boot("6.18");
        p = k.spawn("p");
        a = mmapAnon(k, p, 1, RW);
        write(k, p, a, 1);
        k.syscalls().munmap(p, a, PAGE).run();
        assertThat(k.mm().detachments().all()).isEmpty();
    }

    @Test
    void theRecordEndsWhenTheFrameIsFreed() {
        pinOnePage("6.18");
        k.syscalls().munmap(p, a, PAGE).run();
        assertThat(k.mm().detachments().all()).hasSize(1);
        k.exports().unpinUserPagesDirtyLock(pin, true);
        assertThat(k.mm().detachments().all()).as("the unpin freed the frame").isEmpty();
        assertThat(Divergences.of(k)).isEmpty();
    }

    @Test
    void aCopyKeepsTheRecordsAndTheirFingerprint() {
        pinOnePage("6.18");
        k.syscalls().munmap(p, a, PAGE).run();
        Kernel copy = k.copy();
        assertThat(copy.fingerprint()).isEqualTo(k.fingerprint());
        assertThat(copy.mm().detachments().all()).isEqualTo(k.mm().detachments().all()).hasSize(1);
        copy.exports().unpinUserPagesDirtyLock(copy.gupHolders().byId(pin.id()), true);
        assertThat(copy.mm().detachments().all()).as("the copy's allocator tells the copy's records").isEmpty();
        assertThat(k.mm().detachments().all()).as("the original keeps its own").hasSize(1);
        assertThat(copy.fingerprint()).isNotEqualTo(k.fingerprint());
    }
}
