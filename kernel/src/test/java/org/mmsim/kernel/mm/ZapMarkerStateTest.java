package org.mmsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.task.Task;

/**
 * pin_tracking=mapcount-v2's special entries ({@link Mm#setZapMarker}) are kept in a set made for the first and dropped
 * with the last: an mm that has none hashes as one that never had any, a copy carries them and is independent of its
 * original, and a pte written over one takes it away.
 */
class ZapMarkerStateTest {
    private static final long NONE = 0;

    private static Kernel machine(Task[] out) {
        Kernel k = boot("6.18");
        out[0] = k.spawn("p");
        mmapAnon(k, out[0], 4, RW);
        return k;
    }

    private static long base(Task t) {
        return t.mm().vmas().get(0).start();
    }

    @Test
    void anMmWhoseLastMarkerWasTakenHashesAsOneThatNeverHadAny() {
        Task[] a = new Task[1];
        Task[] b = new Task[1];
        Kernel never = machine(a);
        Kernel had = machine(b);
        Mm mm = b[0].mm();

        mm.setZapMarker(base(b[0]) + PAGE);
        mm.setZapMarker(base(b[0]) + 2 * PAGE);
        assertThat(had.fingerprint()).isNotEqualTo(never.fingerprint());

        assertThat(mm.takeZapMarker(base(b[0]) + PAGE)).isTrue();
        assertThat(mm.takeZapMarker(base(b[0]) + PAGE)).isFalse();
        assertThat(had.fingerprint()).isNotEqualTo(never.fingerprint());
        assertThat(mm.takeZapMarker(base(b[0]) + 2 * PAGE)).isTrue();

        assertThat(had.fingerprint()).isEqualTo(never.fingerprint());
        assertThat(mm.takeZapMarker(base(b[0]))).isFalse();
    }

    @Test
    void aCopyCarriesTheMarkersAndTakingOneLeavesTheOriginalAlone() {
        Task[] a = new Task[1];
        Kernel k = machine(a);
        long addr = base(a[0]) + 3 * PAGE;
        a[0].mm().setZapMarker(addr);
        long withMarker = k.fingerprint();

        Kernel copy = k.copy();
        Mm copied = copy.mm().mm(a[0].mm().id());
        assertThat(copy.fingerprint()).isEqualTo(withMarker);
        assertThat(copied.takeZapMarker(addr)).isTrue();

        assertThat(copy.fingerprint()).isNotEqualTo(withMarker);
        assertThat(k.fingerprint()).isEqualTo(withMarker);
        assertThat(a[0].mm().takeZapMarker(addr)).isTrue();
        assertThat(k.fingerprint()).isEqualTo(copy.fingerprint());
    }

    @Test
    void aPteWrittenWhereAMarkerIsReplacesIt() {
        Task[] a = new Task[1];
        Kernel k = machine(a);
        long addr = base(a[0]);
        a[0].mm().setZapMarker(addr);
        a[0].mm().setZapMarker(addr + PAGE);

        a[0].mm().setPte(addr, NONE); // clearing a pte that is already none leaves the entry
        write(k, a[0], addr + PAGE, 0x42); // a fault's pte replaces it

        assertThat(a[0].mm().takeZapMarker(addr + PAGE)).isFalse();
        assertThat(a[0].mm().takeZapMarker(addr)).isTrue();
    }
}
