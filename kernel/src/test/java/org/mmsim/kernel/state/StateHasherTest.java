package org.mmsim.kernel.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hash of a sequence of values tells sequences apart by every value, its place and the sequence's length. */
class StateHasherTest {

    private static long hash(long... values) {
        StateHasher h = new StateHasher();
        for (long v : values) {
            h.add(v);
        }
        return h.value();
    }

    @Test
    void swappingTwoValuesInTheSameLaneOrInDifferentLanesChangesTheHash() {
        long base = hash(1, 2, 3, 4, 5, 6, 7, 8, 9);

        assertThat(hash(5, 2, 3, 4, 1, 6, 7, 8, 9)).as("values four apart: one lane").isNotEqualTo(base);
        assertThat(hash(2, 1, 3, 4, 5, 6, 7, 8, 9)).as("neighbours: two lanes").isNotEqualTo(base);
        assertThat(hash(1, 2, 3, 4, 5, 6, 7, 8, 9)).isEqualTo(base);
    }

    @Test
    void aTrailingZeroAndTheEmptySequenceAreTold() {
        assertThat(hash()).isNotEqualTo(hash(0));
        assertThat(hash(0)).isNotEqualTo(hash(0, 0));
        assertThat(hash(7)).isNotEqualTo(hash(7, 0, 0, 0, 0));
    }

    @Test
    void valueDoesNotChangeTheRunningHash() {
        StateHasher h = new StateHasher().add(1).add(2);
        long once = h.value();

        assertThat(h.value()).isEqualTo(once);
        assertThat(h.add(3).value()).isEqualTo(hash(1, 2, 3));
    }

    @Test
    void everySmallSequenceOfSmallValuesHasAHashOfItsOwn() {
        Set<Long> seen = new HashSet<>();
        int sequences = 0;
        for (int len = 0; len <= 6; len++) {
            int[] v = new int[len];
            for (int k = 0; k < Math.pow(6, len); k++) {
                for (int i = 0, x = k; i < len; i++, x /= 6) {
                    v[i] = x % 6;
                }
                StateHasher h = new StateHasher();
                for (int x : v) {
                    h.add(x);
                }
                seen.add(h.value());
                sequences++;
            }
        }
        assertThat(seen).hasSize(sequences);
    }

    @Test
    void twoIntsArePackedOneToOneAndStringsTellApartByEveryCharacterAndTheirLength() {
        assertThat(StateHasher.pack(1, 2)).isNotEqualTo(StateHasher.pack(2, 1));
        assertThat(StateHasher.pack(0, -1)).isEqualTo(0xffffffffL).isNotEqualTo(StateHasher.pack(-1, 0));

        Set<Long> digests = new HashSet<>();
        for (String s : new String[] {null, "", "\0", "\0\0", "a", "b", "ab", "ba", "abcd", "abcde", "abcdf",
                "anon_vma_ops"}) {
            assertThat(digests.add(StateHasher.digest(s))).as("digest of %s", s).isTrue();
        }
        assertThat(StateHasher.digest("abcde")).isEqualTo(StateHasher.digest(new String("abcde")));
        assertThat(new StateHasher().add("abcde").value()).isNotEqualTo(new StateHasher().add("abcdf").value());
    }
}
