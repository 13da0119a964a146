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
                    family.add(f.copy());
                } else {
                    family.set(r.nextInt(family.size()), f.copy());
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
                    family.add(f.copy());
                    written.add(written.get(who).clone());
                    continue;
                }
                // mostly the first chunk (256 frames of 16-frame sections), which readable() finds by a shortcut
                int pfn = r.nextInt(r.nextInt(4) == 0 ? 1024 : 256);
                int value = 1 + r.nextInt(1000);
                f.writable(pfn).set(pfn & f.mask, FrameSections.Section.REFCOUNT, value);
                written.get(who)[pfn] = value;
                for (int k = 0; k < family.size(); k++) {
                    for (int p = 0; p < 1024; p += 1 + r.nextInt(40)) {
                        FrameSections.Section s = family.get(k).readable(p);
                        int seen = s == null ? 0 : s.get(p & f.mask, FrameSections.Section.REFCOUNT);
                        assertThat(seen).as("seed %d op %d store %d pfn %d", seed, op, k, p)
                                .isEqualTo(written.get(k)[p]);
                    }
                }
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
                for (int i = 0; i < stack.size(); i++) {
                    for (int pfn = 0; pfn < 1024; pfn += 1 + r.nextInt(64)) {
                        FrameSections.Section s = stack.get(i).readable(pfn);
                        int v = s == null ? 0 : s.get(pfn & stack.get(i).mask, FrameSections.Section.REFCOUNT);
                        assertThat(v).as("seed %d op %d store %d pfn %d", seed, op, i, pfn)
                                .isEqualTo(written.get(i)[pfn]);
                    }
                }
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
        FrameSections c = f.copy();
        c.writable(3).set(3 & c.mask, FrameSections.Section.FLAGS, 7);

        assertThat(f.fingerprint()).isEqualTo(f.recomputed());
        assertThat(c.fingerprint()).isEqualTo(c.recomputed()).isNotEqualTo(f.fingerprint());
    }
}
