package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The level index: positions by fingerprint, its table built only when first asked, and its checkpoint form. */
class LevelIndexTest {
    @Test
    void theFirstQuestionBuildsTheTableFromEveryPairPutBefore() {
        LevelIndex index = new LevelIndex();
        SplittableRandom rng = new SplittableRandom(3);
        long[] fps = new long[5000];
        for (int i = 0; i < fps.length; i++) {
            fps[i] = rng.nextLong();
            index.reserve();
            index.put(fps[i], i);
        }
        long listedOnly = index.bytes();

        for (int i = 0; i < fps.length; i++) {
            assertThat(index.get(fps[i])).isEqualTo(i);
        }
        assertThat(index.get(rng.nextLong())).isEqualTo(-1);
        // a table of at most three quarters full: 5,000 pairs need 8,192 slots, 12 bytes each
        assertThat(index.bytes() - listedOnly).isEqualTo(12L * 8192 - 12L * 256);
    }

    @Test
    void pairsPutAfterTheTableIsBuiltGoStraightIntoIt() {
        LevelIndex index = new LevelIndex();
        index.put(10, 0);
        assertThat(index.get(11)).isEqualTo(-1);
        for (int i = 1; i < 1000; i++) {
            index.reserve();
            index.put(10 + i * 7919L, i);
        }

        for (int i = 0; i < 1000; i++) {
            assertThat(index.get(10 + i * 7919L)).isEqualTo(i);
        }
    }

    @Test
    void clearingForgetsListedAndTabledPairsAlike() {
        LevelIndex index = new LevelIndex();
        index.put(1, 0);
        index.put(2, 1);
        assertThat(index.get(1)).isEqualTo(0);
        index.clear();
        assertThat(index.get(1)).isEqualTo(-1);
        assertThat(index.get(2)).isEqualTo(-1);

        index.put(3, 0);
        index.clear();
        index.put(4, 0);
        assertThat(index.get(3)).isEqualTo(-1);
        assertThat(index.get(4)).isEqualTo(0);
    }

    @Test
    void fingerprintZeroIsAKeyLikeAnyOther() {
        LevelIndex index = new LevelIndex();
        index.put(0, 0);
        index.put(FingerprintSet.ZERO_STANDIN + 1, 1);

        assertThat(index.get(0)).isEqualTo(0);
        assertThat(index.get(FingerprintSet.ZERO_STANDIN + 1)).isEqualTo(1);
    }

    /** A level puts its states in the order of their positions, listed or built: the list keeps no positions. */
    @Test
    void aPositionPutOutOfOrderIsRefused() {
        LevelIndex index = new LevelIndex();
        index.put(7, 0);
        assertThatThrownBy(() -> index.put(8, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("position 2 put as the level index's pair 1");
        index.put(8, 1);
        assertThat(index.get(8)).isEqualTo(1);
        assertThatThrownBy(() -> index.put(9, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("position 1 put as the level index's pair 2");
    }

    @Test
    void aCheckpointOfAnUnbuiltIndexReadsBackWithEveryPair() throws IOException {
        LevelIndex written = new LevelIndex();
        for (int i = 0; i < 300; i++) {
            written.reserve();
            written.put(i * 0x9E3779B97F4A7C15L + 1, i);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        written.write(new DataOutputStream(bytes));

        LevelIndex read = new LevelIndex();
        read.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        read.reserve();
        read.put(-7, 300);

        for (int i = 0; i < 300; i++) {
            assertThat(read.get(i * 0x9E3779B97F4A7C15L + 1)).isEqualTo(i);
        }
        assertThat(read.get(-7)).isEqualTo(300);
    }
}
