package org.mmsim.kernel.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@link InvariantChecking} is on for every kernel test without asking, follows every call a test makes, can fail,
 * and steps aside for a test that says why it must.
 */
class InvariantCheckingTest {
    /** Made in a field initialiser, before {@code beforeEach} turns checking on: still watched. */
    private final Kernel k = boot("6.18");
    private final Task t = k.spawn("p");
    private final long addr = mmapAnon(k, t, 1, RW);

    /** Corrupt the refcount of the page at {@code addr} as no kernel path would: the accounting invariant breaks. */
    private int corruptRefcount() {
        write(k, t, addr, 1);
        int pfn = pfnAt(t, addr);
        k.frames().setRefcount(pfn, 3);
        return pfn;
    }

    @Test
    void isOnForATestThatDoesNotOptOut() {
        assertThat(InvariantChecking.on()).isTrue();
    }

    @Test
    void theNextKernelCallAfterACorruptionFailsNamingTheCallAndTheViolation() {
        int pfn = corruptRefcount();

        assertThatThrownBy(() -> k.syscalls().mprotect(t, addr, 0, Mman.PROT_READ).run())
                .isInstanceOf(InvariantChecking.Violated.class)
                .hasMessageContaining("after mprotect under 6.18")
                .hasMessageContaining("accounting: pfn " + pfn + " has refcount 3 but 1 reference can be named");
    }

    @Test
    void theObserverOfAMachineFailsWhenCalledDirectly() {
        int pfn = corruptRefcount();

        assertThatThrownBy(() -> InvariantChecking.observer(k).returned("do_exit"))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("after do_exit under 6.18, 1 invariant violation:")
                .hasMessageContaining("pfn " + pfn + " has refcount 3");
    }

    @Test
    void aCallNestedInAnotherIsNotCheckedOnItsOwn() {
        int ring = (int) k.fileSyscalls().ioUringSetup(t).run();
        corruptRefcount();

        assertThatThrownBy(() -> k.fileSyscalls().ioUringRegisterBuffers(t, ring, addr, 4096).run())
                .as("one check, after the outermost call: not after the pin_user_pages_fast io_uring makes")
                .hasMessageStartingWith("after io_uring_register ");
    }

    @Test
    void theChecksDoNotShowInTheFootprint() {
        write(k, t, addr, 1);
        int pfn = pfnAt(t, addr);
        k.trackFootprint(true);
        k.takeFootprint();

        write(k, t, addr, 2);

        assertThat(k.mm().footprint().on()).as("tracking is back on after the check").isTrue();
        assertThat(k.takeFootprint()).as("the store's own footprint; the check reads every frame and the allocator")
                .isEqualTo(Footprint.mmBit(t.mm().id()) | Footprint.pageBit(pfn));
    }

    @Nested
    @InvariantsNotChecked("shows that a class can opt out")
    class AClassThatOptsOut {
        @Test
        void isNotChecked() {
            corruptRefcount();

            assertThat(InvariantChecking.on()).isFalse();
            assertThat(k.syscalls().mprotect(t, addr, 0, Mman.PROT_READ).run()).isZero();
        }
    }

    @Test
    @InvariantsNotChecked(value = "shows that an opt-out can name profiles", profiles = "5.7")
    void anOptOutForSomeProfilesLeavesTheOthersChecked() {
        Kernel old = boot("5.7");
        Task p = old.spawn("p");
        long a = mmapAnon(old, p, 1, RW);
        write(old, p, a, 1);
        old.frames().setRefcount(pfnAt(p, a), 3);
        corruptRefcount();

        assertThat(old.syscalls().mprotect(p, a, 0, Mman.PROT_READ).run()).as("5.7: not checked").isZero();
        assertThatThrownBy(() -> k.syscalls().mprotect(t, addr, 0, Mman.PROT_READ).run()).as("6.18: checked")
                .isInstanceOf(InvariantChecking.Violated.class);
    }

    @Test
    @InvariantsNotChecked("shows that a method can opt out")
    void aMethodThatOptsOutIsNotChecked() {
        corruptRefcount();

        assertThat(InvariantChecking.on()).isFalse();
        assertThat(k.syscalls().mprotect(t, addr, 0, Mman.PROT_READ).run()).isZero();
    }
}
