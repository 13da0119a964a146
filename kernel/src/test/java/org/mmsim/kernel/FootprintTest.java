package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.KernelAssertions.pfnAt;
import static org.mmsim.kernel.TestKernels.PAGE;
import static org.mmsim.kernel.TestKernels.write;

import org.junit.jupiter.api.Test;

/** {@link Kernel#trackFootprint}: which page tables, frames, allocator and clock a kernel call touched. */
class FootprintTest {
    private final FingerprintTest.Machine m = FingerprintTest.machine();
    private final Kernel k = m.k();

    /** Start tracking with nothing accumulated. */
    private void track() {
        k.trackFootprint(true);
        k.takeFootprint();
    }

    @Test
    void aStoreToAPresentPageTouchesItsMmItsFrameAndTheClockOnly() {
        int pfn = pfnAt(m.p(), m.a());
        track();

        write(k, m.p(), m.a(), 1);
        long fp = k.takeFootprint();

        assertThat(fp).isEqualTo(Footprint.mmBit(m.p().mm().id()) | Footprint.pageBit(pfn) | Footprint.CLOCK);
        assertThat(fp & Footprint.mmBit(m.q().mm().id())).as("mm 2's bit").isZero();
        assertThat(fp & Footprint.ALLOCATOR).isZero();
    }

    @Test
    void aLoadOfAPresentPageTouchesNeitherClockNorAllocator() {
        int pfn = pfnAt(m.q(), m.b());
        track();

        assertThat(k.load(m.q(), m.b())).isNotNull();

        assertThat(k.takeFootprint()).isEqualTo(Footprint.mmBit(m.q().mm().id()) | Footprint.pageBit(pfn));
    }

    @Test
    void aFaultTouchesTheAllocatorAndTheClock() {
        track();

        write(k, m.p(), m.a() + PAGE, 1);
        long fp = k.takeFootprint();

        assertThat(fp & Footprint.ALLOCATOR).isNotZero();
        assertThat(fp & Footprint.CLOCK).isNotZero();
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
        k.fork(m.p(), "child");

        assertThat(k.takeFootprint()).isZero();
    }

    @Test
    void stoppingKeepsWhatWasAccumulated() {
        track();
        write(k, m.p(), m.a(), 1);
        k.trackFootprint(false);
        write(k, m.q(), m.b(), 1);

        assertThat(k.takeFootprint() & Footprint.mmBit(m.q().mm().id())).isZero();
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
    void theKernelNeverSetsTheGlobalBit() {
        track();
        write(k, m.p(), m.a() + PAGE, 1);
        k.fork(m.p(), "child");
        k.gup(m.p(), m.a(), 2, Kernel.FOLL_WRITE, true, false);
        k.pipeWrite(m.pipe(), 3);
        k.fsync(m.f());
        k.exit(m.q());

        assertThat(k.takeFootprint() & Footprint.GLOBAL).isZero();
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
        k.load(m.p(), m.a());
        long pStep = k.takeFootprint();
        k.load(m.q(), m.b());
        long qStep = k.takeFootprint();
        other.k().load(other.q(), other.b());
        other.k().load(other.p(), other.a());

        assertThat(pStep & qStep).isZero();
        assertThat(other.k().fingerprint()).isEqualTo(k.fingerprint());
    }
}
