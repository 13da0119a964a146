package org.mmsim.kernel.mm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mmsim.kernel.state.Copier;

/**
 * An mm's VMAs in address order, where the kernel keeps them in a maple tree ({@code mm->mm_mt}): a sorted array
 * searched by binary search on {@link Vma#start()}, which never changes while a VMA is in the tree ({@code split_vma}
 * shortens the lower half and links a new upper one). A process has a handful of VMAs and the fault path looks one
 * up at every access ({@code lock_vma_under_rcu}, {@code find_vma}), so the array costs a few probes where a tree of
 * boxed keys cost a walk and an allocation per entry when the machine is copied.
 *
 * <p>The VMAs occupy the middle of the array, [{@code head}, {@code head + size}), with room at both ends, and an
 * insertion or removal moves the VMAs on its shorter side: {@code get_unmapped_area} hands out addresses top down, so
 * mapping after mapping goes in at the front, and bottom-up hints at the back, one move each. Only a VMA linked in
 * the middle of many moves many (the kernel's maple tree is O(log n) there).
 *
 * <p>Not {@code Copyable} on its own: its mm copies it with {@link #copyFrom}, and hashes it VMA by VMA.
 */
final class VmaTree {
    private Vma[] vmas = new Vma[8];
    /** Where the first VMA is in {@link #vmas}. */
    private int head = 4;
    private int size;

    /** How many VMAs there are ({@code mm->map_count}). */
    int size() {
        return size;
    }

    /** The {@code i}-th VMA in address order. */
    Vma get(int i) {
        return vmas[head + i];
    }

    /** The index of the last VMA that starts at or below {@code addr}, or -1. */
    int floorIndex(long addr) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (vmas[head + mid].start() <= addr) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi;
    }

    /** The index of the first VMA that starts at or above {@code addr} ({@link #size} if none does). */
    int ceilingIndex(long addr) {
        int i = floorIndex(addr);
        return i >= 0 && get(i).start() == addr ? i : i + 1;
    }

    /** The last VMA that starts at or below {@code addr}, or null. */
    Vma floor(long addr) {
        int i = floorIndex(addr);
        return i < 0 ? null : get(i);
    }

    /** The last VMA that starts below {@code addr}, or null. */
    Vma lower(long addr) {
        int i = floorIndex(addr - 1);
        return i < 0 ? null : get(i);
    }

    /** Link {@code vma} in its place; a VMA that starts where it does is replaced. */
    void put(Vma vma) {
        int i = floorIndex(vma.start());
        if (i >= 0 && get(i).start() == vma.start()) {
            vmas[head + i] = vma;
            return;
        }
        int at = i + 1;
        if (head == 0 && head + size == vmas.length) {
            Vma[] grown = new Vma[2 * vmas.length];
            int newHead = (grown.length - size) / 2;
            System.arraycopy(vmas, head, grown, newHead, size);
            vmas = grown;
            head = newHead;
        }
        if (head > 0 && (at < size / 2 || head + size == vmas.length)) {
            System.arraycopy(vmas, head, vmas, head - 1, at);
            head--;
        } else {
            System.arraycopy(vmas, head + at, vmas, head + at + 1, size - at);
        }
        vmas[head + at] = vma;
        size++;
    }

    /** Unlink the VMA that starts at {@code start}, if there is one. */
    void remove(long start) {
        int i = floorIndex(start);
        if (i < 0 || get(i).start() != start) {
            return;
        }
        if (i < size / 2) {
            System.arraycopy(vmas, head, vmas, head + 1, i);
            vmas[head++] = null;
        } else {
            System.arraycopy(vmas, head + i + 1, vmas, head + i, size - i - 1);
            vmas[head + size - 1] = null;
        }
        size--;
    }

    /** The VMAs that start in [start, end), in address order, as a new list. */
    List<Vma> startingIn(long start, long end) {
        List<Vma> out = new ArrayList<>();
        for (int i = ceilingIndex(start); i < size && get(i).start() < end; i++) {
            out.add(get(i));
        }
        return out;
    }

    /** Every VMA in address order, as a new list. */
    List<Vma> list() {
        List<Vma> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(get(i));
        }
        return out;
    }

    /** Fill this empty tree, in a copied mm, with copies of {@code o}'s VMAs. */
    void copyFrom(VmaTree o, Copier c) {
        vmas = o.vmas.clone();
        head = o.head;
        size = o.size;
        for (int i = head; i < head + size; i++) {
            vmas[i] = c.copy(vmas[i]);
        }
    }
}
