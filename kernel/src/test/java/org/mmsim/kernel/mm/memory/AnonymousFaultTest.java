package org.mmsim.kernel.mm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPage;
import static org.mmsim.kernel.testing.KernelAssertions.assertThatPte;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.loadSignal;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.profile;
import static org.mmsim.kernel.testing.TestKernels.store;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.RecordingJournal;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.uapi.Signal;

/** First touch of anonymous memory: {@code do_anonymous_page} and the arch fault path around it. */
class AnonymousFaultTest {
    private static final int ZERO = PageAlloc.ZERO_PFN;

    static Iterable<String> allProfiles() {
        return Profiles.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allProfiles")
    void readFaultMapsTheSharedZeroPageWithoutTakingAReference(String profile) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 1, RW);
        int zeroRef = k.frames().refcount(ZERO);

        assertThat(load(k, t, addr)).isZero();

        assertThatPte(t, addr).mapsZeroPage();
        assertThatPage(k, ZERO).hasRefcount(zeroRef);
        assertThat(k.pageAlloc().nrAllocated()).isZero();
        assertThat(t.mm().rssAnon()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allProfiles")
    void writeFaultAllocatesAPrivateAnonPage(String profile) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 1, RW);

        write(k, t, addr, 42);

        int pfn = pfnAt(t, addr);
        assertThat(pfn).isNotEqualTo(ZERO);
        assertThatPte(t, addr).isWritable().isDirty().isNotSpecial();
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(1).isAnon().holds(0, 42)
                .hasAnonExclusive(Set.of("5.19", "6.18").contains(profile));
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(1);
        assertThat(t.mm().rssAnon()).isEqualTo(1);
        assertThat(load(k, t, addr)).isEqualTo(42L);
    }

    @Test
    void writeAfterReadReplacesTheZeroPageWithAZeroedCopy() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 1, RW);
        load(k, t, addr);

        write(k, t, addr + 8, 7);

        int pfn = pfnAt(t, addr);
        assertThat(pfn).isNotEqualTo(ZERO);
        assertThatPte(t, addr).isWritable().isNotSpecial();
        assertThatPage(k, pfn).hasRefcount(1).hasMapcount(1).isAnonExclusive().holds(0, 0).holds(1, 7);
        assertThatPage(k, ZERO).hasRefcount(1);
        assertThat(t.mm().rssAnon()).isEqualTo(1);
    }

    @Test
    void aSecondWriteToAWritablePteTakesNoFault() {
        Kernel k = boot("5.9");
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 1);
        RecordingJournal journal = new RecordingJournal();
        k.attach(journal);

        write(k, t, addr, 2);

        assertThat(journal.entries("do_user_addr_fault")).isZero();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(1);
    }

    @Test
    void rssCountsAnonPagesButNotZeroPageMappings() {
        Kernel k = boot("5.9");
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 3, RW);

        load(k, t, addr);
        write(k, t, addr + PAGE, 1);
        write(k, t, addr + 2 * PAGE, 2);

        assertThat(t.mm().rssAnon()).isEqualTo(2);
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(2);
    }

    @Test
    void accessOutsideEveryVmaRaisesSigsegv() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 1, RW);

        assertThat(loadSignal(k, t, addr + PAGE)).isEqualTo(Signal.SIGSEGV);
        assertThat(store(k, t, addr + PAGE, 1)).isEqualTo(Signal.SIGSEGV);
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    @Test
    void storeToAReadOnlyMappingRaisesSigsegvAndAllocatesNothing() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 1, Mman.PROT_READ);

        assertThat(store(k, t, addr, 1)).isEqualTo(Signal.SIGSEGV);
        assertThat(load(k, t, addr)).isZero();
        assertThat(k.pageAlloc().nrAllocated()).isZero();
    }

    @Test
    void loadFromAProtNoneMappingRaisesSigsegv() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 1, Mman.PROT_NONE);

        assertThat(loadSignal(k, t, addr)).isEqualTo(Signal.SIGSEGV);
        assertThatPte(t, addr).isNone();
    }

    @Test
    void writeFaultWithNoFreeFrameRaisesSigbus() {
        Kernel k = boot(profile("6.18"), 1, 0);
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 2, RW);
        write(k, t, addr, 1);

        assertThat(store(k, t, addr + PAGE, 2)).isEqualTo(Signal.SIGBUS);
        assertThatPte(t, addr + PAGE).isNone();
        assertThat(t.mm().rssAnon()).isEqualTo(1);
    }

    @Test
    void unalignedOrUnmodelledOffsetsAreProgrammerErrors() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 1, RW);

        assertThatIllegalArgumentException().isThrownBy(() -> k.syscalls().load(t, addr + 4).run());
        assertThatIllegalArgumentException()
                .isThrownBy(() -> k.syscalls().store(t, addr + 8L * Page.PAGE_WORDS, 1).run());
    }
}
