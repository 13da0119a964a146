package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The visited set: membership, growth, and the reserved empty value. */
class FingerprintSetTest {
    /** What the search reads ahead of filing ({@code BreadthFirst.warm}): the word in a fingerprint's home slot. */
    @Test
    void peekReadsTheWordInTheHomeSlot() {
        FingerprintSet set = new FingerprintSet(4);
        assertThat(set.peek(42)).isZero();
        set.add(42);
        assertThat(set.peek(42)).isEqualTo(42);
        set.add(0);
        // fingerprint 0 is kept as its stand-in, in the stand-in's home slot or the first free one after it
        assertThat(set.peek(0)).isIn(FingerprintSet.ZERO_STANDIN, 42L);
    }

    @Test
    void addReportsWhetherTheFingerprintIsNew() {
        FingerprintSet set = new FingerprintSet();

        assertThat(set.add(42)).isTrue();
        assertThat(set.add(42)).isFalse();
        assertThat(set.contains(42)).isTrue();
        assertThat(set.contains(43)).isFalse();
        assertThat(set.size()).isEqualTo(1);
    }

    @Test
    void fingerprintZeroIsAnOrdinaryMember() {
        FingerprintSet set = new FingerprintSet(1);

        assertThat(set.contains(0)).isFalse();
        assertThat(set.add(0)).isTrue();
        assertThat(set.contains(0)).isTrue();
        assertThat(set.add(0)).isFalse();
        assertThat(set.size()).isEqualTo(1);
    }

    @Test
    void zeroSharesItsSlotWithTheStandIn() {
        FingerprintSet set = new FingerprintSet();

        set.add(0);

        assertThat(set.contains(FingerprintSet.ZERO_STANDIN)).isTrue();
        assertThat(set.add(FingerprintSet.ZERO_STANDIN)).isFalse();
    }

    @Test
    void growsByHalfPastThreeQuartersFull() {
        FingerprintSet set = new FingerprintSet(2);

        set.add(1);
        set.add(2);
        set.add(3);
        assertThat(set.bytes()).isEqualTo(32);
        set.add(4);

        assertThat(set.bytes()).isEqualTo(48);
        assertThat(set.size()).isEqualTo(4);
        assertThat(set.contains(1) && set.contains(2) && set.contains(3) && set.contains(4)).isTrue();
    }

    @Test
    void keepsEveryFingerprintThroughManyGrowths() {
        FingerprintSet set = new FingerprintSet(1);
        SplittableRandom rng = new SplittableRandom(7);
        long[] added = new long[100_000];
        for (int i = 0; i < added.length; i++) {
            added[i] = rng.nextLong();
            set.add(added[i]);
        }

        assertThat(set.size()).isEqualTo(100_000);
        assertThat(set.bytes() / 100_000.0).as("bytes per fingerprint").isBetween(8 / 0.75, 16.0);
        for (long fp : added) {
            assertThat(set.contains(fp)).isTrue();
        }
        SplittableRandom other = new SplittableRandom(8);
        int strays = 0;
        for (int i = 0; i < 100_000; i++) {
            strays += set.contains(other.nextLong()) ? 1 : 0;
        }
        assertThat(strays).isZero();
    }

    @Test
    void aStateCostsAtMostSixteenBytesAtAnySize() {
        FingerprintSet set = new FingerprintSet(1);
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 1; i <= 300_000; i++) {
            set.add(rng.nextLong());
            if (i >= 1000) {
                assertThat(set.bytes()).as("after %d", i).isLessThanOrEqualTo(16L * i + 16);
            }
        }
    }

    @Test
    void sequentialFingerprintsSpreadOverTheTable() {
        FingerprintSet set = new FingerprintSet();
        for (long fp = 0; fp < 50_000; fp++) {
            set.add(fp << 32);
        }

        assertThat(set.size()).isEqualTo(50_000);
        assertThat(set.contains(49_999L << 32)).isTrue();
        assertThat(set.contains(50_000L << 32)).isFalse();
    }
}
