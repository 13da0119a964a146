package org.mmsim.kernel.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.sched.KernelCall;

/**
 * {@link Kernel#trackFootprint}: which page tables, frames and allocator state a kernel call touched. The invariant
 * checks that follow every call in these tests run with tracking suspended, so they do not show here.
 */
class FootprintTest {
    private final FingerprintTest.Machine m = FingerprintTest.machine();
    private final Kernel k = m.k();

    /** Start tracking with nothing accumulated. */
    private void track() {
        k.trackFootprint(true);
        k.takeFootprint();
    }

    @Test
    void aStoreToAPresentPageTouchesItsMmAndItsFrameOnly() {
        int pfn = pfnAt(m.p(), m.a());
        track();

        write(k, m.p(), m.a(), 1);
        long fp = k.takeFootprint();

        assertThat(fp).isEqualTo(Footprint.mmBit(m.p().mm().id()) | Footprint.pageBit(pfn));
        assertThat(fp & Footprint.mmBit(m.q().mm().id())).as("mm 2's bit").isZero();
        assertThat(fp & Footprint.ALLOCATOR).isZero();
    }

    @Test
    void aLoadOfAPresentPageTouchesNoAllocator() {
        int pfn = pfnAt(m.q(), m.b());
        track();

        load(k, m.q(), m.b());

        assertThat(k.takeFootprint()).isEqualTo(Footprint.mmBit(m.q().mm().id()) | Footprint.pageBit(pfn));
    }

    @Test
    void aFaultTouchesTheAllocator() {
        track();

        write(k, m.p(), m.a() + PAGE, 1);
        long fp = k.takeFootprint();

        assertThat(fp & Footprint.ALLOCATOR).isNotZero();
        assertThat(fp & Footprint.mmBit(m.p().mm().id())).isNotZero();
        assertThat(fp & Footprint.pageBit(pfnAt(m.p(), m.a() + PAGE))).isNotZero();
    }

    @Test
    void takeFootprintResetsTheBits() {
        track();
        write(k, m.p(), m.a(), 1);

        assertThat(k.takeFootprint()).isNotZero();
        assertThat(k.takeFootprint()).isZero();
    }

    @Test
    void nothingIsRecordedWhileTrackingIsOff() {
        k.takeFootprint();
        write(k, m.p(), m.a() + PAGE, 1);
        k.syscalls().fork(m.p(), "child").run();

        assertThat(k.takeFootprint()).isZero();
    }

    @Test
    void stoppingKeepsWhatWasAccumulated() {
        track();
        write(k, m.p(), m.a(), 1);
        k.trackFootprint(false);
        write(k, m.q(), m.b(), 1);

        long fp = k.takeFootprint();
        assertThat(fp & Footprint.mmBit(m.p().mm().id())).isNotZero();
        assertThat(fp & Footprint.mmBit(m.q().mm().id())).isZero();
    }

    @Test
    void fingerprintingIsNotRecordedAndLeavesTrackingOn() {
        track();

        k.fingerprint();
        assertThat(k.takeFootprint()).isZero();

        write(k, m.p(), m.a(), 1);
        assertThat(k.takeFootprint()).isNotZero();
    }

    @Test
    void callsRunToTheirEndNeverSetTheGlobalBit() {
        track();
        write(k, m.p(), m.a() + PAGE, 1);
        k.syscalls().fork(m.p(), "child").run();
        k.syscalls().pinUserPages(m.p(), m.a(), 2, Foll.FOLL_WRITE).run();
        k.fileSyscalls().write(m.p(), m.pipe()[1], 3).run();
        k.fileSyscalls().fsync(m.p(), m.f()).run();
        k.syscalls().exit(m.q()).run();

        assertThat(k.takeFootprint() & Footprint.GLOBAL).isZero();
    }

    /**
     * A step taken from outside the kernel, as a scheduler takes it, records what the mechanisms below it cannot: its
     * caller's mm, which stands for the VMA tree, and, unless the call is confined to that mm, "anything".
     */
    @Test
    void stepsTakenFromOutsideRecordTheCallersMmAndTheGlobalBitUnlessConfined() {
        KernelCall<?> store = k.syscalls().store(m.p(), m.a(), 1);
        KernelCall<?> fork = k.syscalls().fork(m.q(), "child");
        track();

        store.step();
        long storeStep = k.takeFootprint();
        while (!fork.done()) {
            fork.step();
        }
        long forkSteps = k.takeFootprint();

        assertThat(storeStep & Footprint.GLOBAL).as("a store is confined to its mm").isZero();
        assertThat(storeStep & Footprint.mmBit(m.p().mm().id())).isNotZero();
        assertThat(forkSteps & Footprint.GLOBAL).as("fork makes a task, an mm, an fd table").isNotZero();
        assertThat(forkSteps & Footprint.mmBit(m.q().mm().id())).isNotZero();
    }

    @Test
    void bitsFoldMmIdsAndPfnsIntoTheirRanges() {
        assertThat(Footprint.mmBit(1)).isEqualTo(1L << 4).isEqualTo(Footprint.mmBit(17));
        assertThat(Footprint.mmBit(15)).isEqualTo(1L << 18);
        assertThat(Footprint.pageBit(0)).isEqualTo(1L << 19).isEqualTo(Footprint.pageBit(45));
        assertThat(Footprint.pageBit(44)).isEqualTo(1L << 63);
    }

    @Test
    void loadsOfTwoProcessesHaveDisjointFootprintsAndCommute() {
        FingerprintTest.Machine other = FingerprintTest.machine();
        track();
        load(k, m.p(), m.a());
        long pStep = k.takeFootprint();
        load(k, m.q(), m.b());
        long qStep = k.takeFootprint();
        load(other.k(), other.q(), other.b());
        load(other.k(), other.p(), other.a());

        assertThat(pStep & qStep).isZero();
        assertThat(other.k().fingerprint()).isEqualTo(k.fingerprint());
    }
}
