package org.mmsim.kernel.mm.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The incremental fingerprint of the frames ({@link FrameSections#fingerprint}: a dirty list, dirty bits in the
 * sections, the hashes sections remember) equals the sum computed afresh, across any interleaving of writes, copies
 * and fingerprints of a family of stores that share sections.
 */
class FrameSectionsTest {

    @Test
    void theIncrementalFingerprintIsTheSumComputedAfreshAcrossCopies() {
        for (int seed = 0; seed < 200; seed++) {
            Random r = new Random(seed);
            List<FrameSections> family = new ArrayList<>();
            family.add(new FrameSections(256));
            for (int op = 0; op < 400; op++) {
                FrameSections f = family.get(r.nextInt(family.size()));
                int what = r.nextInt(10);
                if (what < 6) {
                    // a burst of writes to few frames, so that frames are written again before a fingerprint
                    int pfn = r.nextInt(r.nextBoolean() ? 8 : 256);
                    FrameSections.Section s = f.writable(pfn);
                    s.set(pfn & f.mask, FrameSections.Section.REFCOUNT, r.nextInt(4));
                    s.setLong(pfn & f.mask, FrameSections.Section.DATA, r.nextLong());
                } else if (what < 8) {
                    assertThat(f.fingerprint()).as("seed %d op %d", seed, op).isEqualTo(f.recomputed());
                } else if (family.size() < 6) {
                    family.add(f.copy(false));
                } else {
                    family.set(r.nextInt(family.size()), f.copy(false));
                }
            }
            for (FrameSections f : family) {
                assertThat(f.fingerprint()).as("seed %d at the end", seed).isEqualTo(f.recomputed());
            }
        }
    }

    @Test
    void everyStoreOfAFamilyReadsWhatItWroteInTheFirstChunkAndBeyond() {
        for (int seed = 0; seed < 100; seed++) {
            Random r = new Random(seed);
            List<FrameSections> family = new ArrayList<>();
            List<int[]> written = new ArrayList<>(); // by store: the refcount each frame was given, 0 if none
            family.add(new FrameSections(1024));
            written.add(new int[1024]);
            for (int op = 0; op < 300; op++) {
                int who = r.nextInt(family.size());
                FrameSections f = family.get(who);
                if (r.nextInt(8) == 0 && family.size() < 6) {
                    family.add(f.copy(false));
                    written.add(written.get(who).clone());
                    continue;
                }
                // mostly the first chunk (256 frames of 16-frame sections), which readable() finds by a shortcut
                int pfn = r.nextInt(r.nextInt(4) == 0 ? 1024 : 256);
                int value = 1 + r.nextInt(1000);
                f.writable(pfn).set(pfn & f.mask, FrameSections.Section.REFCOUNT, value);
                written.get(who)[pfn] = value;
                assertEachReadsWhatItWrote(family, written, r, 40, "seed " + seed + " op " + op);
            }
        }
    }

    @Test
    void aMachineNeverFingerprintedKeepsNoFrameHashes() {
        FrameSections f = new FrameSections(1 << 20);
        for (int pfn = 0; pfn < 1000; pfn += 7) {
            f.writable(pfn).set(pfn & f.mask, FrameSections.Section.FLAGS, 1);
        }
        assertThat(f.readable(7).hash).as("8 bytes a page that bytes_per_page would pay").isNull();

        f.fingerprint();
        f.writable(7).set(7 & f.mask, FrameSections.Section.FLAGS, 2);
        f.fingerprint();
        assertThat(f.readable(7).hash).isNotNull();
    }

    @Test
    void aBranchLeavesItsOriginalTheSectionsItOwnsToWriteInPlace() {
        for (boolean branch : new boolean[] {false, true}) {
            FrameSections f = new FrameSections(256);
            f.writable(3).set(3 & f.mask, FrameSections.Section.REFCOUNT, 1);
            f.fingerprint();
            FrameSections.Section owned = f.writable(3);
            FrameSections c = f.copy(branch);
            c.writable(3).set(3 & c.mask, FrameSections.Section.REFCOUNT, 2);
            assertThat(f.readable(3).get(3 & f.mask, FrameSections.Section.REFCOUNT)).isEqualTo(1);

            FrameSections.Section written = f.writable(3);
            written.set(3 & f.mask, FrameSections.Section.REFCOUNT, 5);

            // a branch's original writes the section it owned in place; after a plain copy it copies it first
            assertThat(written == owned).as("written in place after a branch: %s", branch).isEqualTo(branch);
            assertThat(c.readable(3).get(3 & c.mask, FrameSections.Section.REFCOUNT)).isEqualTo(2);
            assertThat(f.fingerprint()).isEqualTo(f.recomputed());
        }
    }

    @Test
    void branchesTakenDepthFirstLeaveEveryStoreWhatItWrote() {
        for (int seed = 0; seed < 100; seed++) {
            Random r = new Random(seed);
            // the live stores, the deepest last: only the deepest is written, as a branch's original waits for it
            List<FrameSections> stack = new ArrayList<>();
            List<int[]> written = new ArrayList<>();
            stack.add(new FrameSections(1024));
            written.add(new int[1024]);
            for (int op = 0; op < 400; op++) {
                int top = stack.size() - 1;
                FrameSections f = stack.get(top);
                int what = r.nextInt(10);
                if (what < 2 && stack.size() < 6) {
                    stack.add(f.copy(true));
                    written.add(written.get(top).clone());
                } else if (what < 4 && stack.size() > 1) {
                    stack.remove(top);
                    written.remove(top);
                } else if (what < 5) {
                    assertThat(f.fingerprint()).as("seed %d op %d", seed, op).isEqualTo(f.recomputed());
                } else {
                    int pfn = r.nextInt(r.nextBoolean() ? 16 : 1024);
                    int v = 1 + r.nextInt(100);
                    f.writable(pfn).set(pfn & f.mask, FrameSections.Section.REFCOUNT, v);
                    written.get(top)[pfn] = v;
                }
                assertEachReadsWhatItWrote(stack, written, r, 64, "seed " + seed + " op " + op);
            }
        }
    }

    @Test
    void moreFramesWrittenThanTrackedBetweenTwoFingerprintsStillGiveTheSum() {
        FrameSections f = new FrameSections(1024);
        f.fingerprint();
        for (int pfn = 0; pfn < 200; pfn++) {
            f.writable(pfn).set(pfn & f.mask, FrameSections.Section.FLAGS, pfn);
        }
        FrameSections c = f.copy(false);
        c.writable(3).set(3 & c.mask, FrameSections.Section.FLAGS, 7);

        assertThat(f.fingerprint()).isEqualTo(f.recomputed());
        assertThat(c.fingerprint()).isEqualTo(c.recomputed()).isNotEqualTo(f.fingerprint());
    }

    /**
     * Each store of {@code stores} reads, at frames a random stride up to {@code gap} apart, the refcount
     * {@code written} says it was given (0 if none).
     */
    private static void assertEachReadsWhatItWrote(List<FrameSections> stores, List<int[]> written, Random r, int gap,
            String when) {
        for (int k = 0; k < stores.size(); k++) {
            FrameSections f = stores.get(k);
            for (int pfn = 0; pfn < 1024; pfn += 1 + r.nextInt(gap)) {
                FrameSections.Section s = f.readable(pfn);
                int seen = s == null ? 0 : s.get(pfn & f.mask, FrameSections.Section.REFCOUNT);
                assertThat(seen).as("%s store %d pfn %d", when, k, pfn).isEqualTo(written.get(k)[pfn]);
            }
        }
    }
}
