package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The parent/choice trace rebuilds schedules and stays small. */
class TraceTest {
    @Test
    void schedulesAreRebuiltByWalkingParents() {
        Trace trace = new Trace();
        int root = trace.add(-1, 0);
        int a = trace.add(root, 2);
        int b = trace.add(root, 0);
        int c = trace.add(a, 1);

        assertThat(trace.schedule(root)).isEmpty();
        assertThat(trace.schedule(b)).containsExactly(0);
        assertThat(trace.schedule(c)).containsExactly(2, 1);
        assertThat(trace.scheduleThen(c, 29)).containsExactly(2, 1, 29);
        assertThat(trace.length(c)).isEqualTo(2);
        assertThat(trace.size()).isEqualTo(4);
    }

    @Test
    void growsByHalvesAtFiveBytesPerSlot() {
        Trace trace = new Trace();
        int last = trace.add(-1, 0);
        for (int i = 1; i < 2000; i++) {
            last = trace.add(last, i % 3);
        }

        assertThat(trace.size()).isEqualTo(2000);
        assertThat(trace.bytes()).isEqualTo(5L * 2304);
        assertThat(trace.length(last)).isEqualTo(1999);
        int[] buffer = trace.fill(last, new int[4]);
        assertThat(buffer.length).isGreaterThanOrEqualTo(1999);
        assertThat(buffer[0]).isEqualTo(1);
        assertThat(buffer[1998]).isEqualTo(1999 % 3);
    }
}
