package org.mmsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link VmaTree} answers every lookup as a tree map keyed by start address does, whatever order VMAs are linked and
 * unlinked in: at the front (top-down mmap), at the back, in the middle, across the growth of its array.
 */
class VmaTreeTest {

    private static Vma vma(long page) {
        return new Vma(null, page << 12, (page + 1) << 12, 0, 0, null);
    }

    @Property(tries = 300)
    void answersAsASortedMapDoes(@ForAll @Size(max = 120) List<@IntRange(min = 0, max = 80) Integer> ops) {
        VmaTree tree = new VmaTree();
        TreeMap<Long, Vma> model = new TreeMap<>();
        for (int op : ops) {
            long page = op / 2;
            if (op % 2 == 0) {
                Vma v = vma(page);
                tree.put(v);
                model.put(v.start(), v);
            } else {
                tree.remove(page << 12);
                model.remove(page << 12);
            }
            assertThat(tree.list()).containsExactlyElementsOf(model.values());
            assertThat(tree.size()).isEqualTo(model.size());
            for (long a = 0; a <= 41L << 12; a += 1 << 11) {
                Map.Entry<Long, Vma> floor = model.floorEntry(a);
                Map.Entry<Long, Vma> lower = model.lowerEntry(a);
                assertThat(tree.floor(a)).isSameAs(floor == null ? null : floor.getValue());
                assertThat(tree.lower(a)).isSameAs(lower == null ? null : lower.getValue());
            }
            assertThat(tree.startingIn(5 << 12, 20 << 12)).containsExactlyElementsOf(
                    new ArrayList<>(model.subMap(5L << 12, true, 20L << 12, false).values()));
        }
    }

    @Property(tries = 20)
    void topDownAndBottomUpLinkingKeepsOrder(@ForAll @IntRange(min = 1, max = 300) int n, @ForAll boolean down) {
        VmaTree tree = new VmaTree();
        for (int i = 0; i < n; i++) {
            tree.put(vma(down ? 1000 - i : i));
        }
        List<Vma> all = tree.list();
        assertThat(all).hasSize(n);
        for (int i = 1; i < n; i++) {
            assertThat(all.get(i - 1).start()).isLessThan(all.get(i).start());
        }
    }
}
