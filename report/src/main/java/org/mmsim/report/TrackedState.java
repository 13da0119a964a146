package org.mmsim.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mmsim.kernel.trace.Change;
import org.mmsim.scenario.Execution;
import org.mmsim.scenario.Step;

/**
 * The page tables, {@code struct page} fields and mm counters an execution's journal touches, as they stand after each
 * step: what the HTML report shows before and after a step ({@link HtmlReport}).
 *
 * <p>Every change records its old value, so the value of a pte, a page field or a counter is known at every step, not
 * only from its first change on: before that change it held the change's old value. What the journal never touches is
 * not shown (a scenario's machine has thousands of free frames), and an {@link Change.Omitted} run of changes leaves
 * the values after it unknown, which {@link #complete} says.
 */
final class TrackedState {
    /** A pte: the mm's id and the virtual address, ordered so. */
    record PteKey(int mm, long address) implements Comparable<PteKey> {
        @Override
        public int compareTo(PteKey o) {
            int c = Integer.compare(mm, o.mm);
            return c != 0 ? c : Long.compareUnsigned(address, o.address);
        }
    }

    /** A field of a {@code struct page}; {@code word} is the data word for {@link Change.Field#DATA}, else 0. */
    record FieldKey(Change.Field field, int word) implements Comparable<FieldKey> {
        @Override
        public int compareTo(FieldKey o) {
            int c = field.compareTo(o.field);
            return c != 0 ? c : Integer.compare(word, o.word);
        }
    }

    /** An mm counter. */
    record CounterKey(int mm, Change.Counter counter) implements Comparable<CounterKey> {
        @Override
        public int compareTo(CounterKey o) {
            int c = Integer.compare(mm, o.mm);
            return c != 0 ? c : counter.compareTo(o.counter);
        }
    }

    /** The values after one step (or before the first). */
    record Snapshot(Map<PteKey, Long> ptes, Map<Integer, Map<FieldKey, Long>> pages, Set<Integer> freed,
                    Map<CounterKey, Long> counters) {
        long pte(PteKey k) {
            return ptes.getOrDefault(k, 0L);
        }

        long field(int pfn, FieldKey k) {
            Map<FieldKey, Long> p = pages.get(pfn);
            return p == null ? 0 : p.getOrDefault(k, 0L);
        }
    }

    private final List<Snapshot> after = new ArrayList<>();
    private final Snapshot initial;
    private final boolean complete;
    /** Every data word any change names, by frame: the columns a page's row shows. */
    private final Map<Integer, Set<FieldKey>> fieldsByPfn = new TreeMap<>();

    TrackedState(Execution e) {
        TreeMap<PteKey, Long> ptes = new TreeMap<>();
        TreeMap<Integer, Map<FieldKey, Long>> pages = new TreeMap<>();
        TreeMap<CounterKey, Long> counters = new TreeMap<>();
        boolean omitted = false;
        // the values before the first step: each key's old value at its first change
        for (Step st : e.steps()) {
            for (Change c : st.changes()) {
                switch (c) {
                    case Change.Pte p -> ptes.putIfAbsent(new PteKey(p.mm(), p.address()), p.oldPte());
                    case Change.PageField f -> {
                        FieldKey k = new FieldKey(f.field(), f.field() == Change.Field.DATA ? f.word() : 0);
                        pages.computeIfAbsent(f.pfn(), x -> new TreeMap<>()).putIfAbsent(k, f.oldValue());
                        fieldsByPfn.computeIfAbsent(f.pfn(), x -> new TreeSet<>()).add(k);
                    }
                    case Change.MmCounter m -> counters.putIfAbsent(new CounterKey(m.mm(), m.counter()), m.oldValue());
                    case Change.Omitted o -> omitted = true;
                    default -> { }
                }
            }
        }
        complete = !omitted;
        initial = snapshot(ptes, pages, new TreeSet<>(), counters);
        TreeSet<Integer> freed = new TreeSet<>();
        for (Step st : e.steps()) {
            for (Change c : st.changes()) {
                switch (c) {
                    case Change.Pte p -> ptes.put(new PteKey(p.mm(), p.address()), p.newPte());
                    case Change.PageField f -> {
                        freed.remove(f.pfn());
                        pages.get(f.pfn()).put(new FieldKey(f.field(), f.field() == Change.Field.DATA ? f.word() : 0),
                                f.newValue());
                    }
                    case Change.PageFreed f -> freed.add(f.pfn());
                    case Change.MmCounter m -> counters.put(new CounterKey(m.mm(), m.counter()), m.newValue());
                    default -> { }
                }
            }
            after.add(snapshot(ptes, pages, freed, counters));
        }
    }

    private static Snapshot snapshot(TreeMap<PteKey, Long> ptes, TreeMap<Integer, Map<FieldKey, Long>> pages,
            TreeSet<Integer> freed, TreeMap<CounterKey, Long> counters) {
        TreeMap<Integer, Map<FieldKey, Long>> p = new TreeMap<>();
        pages.forEach((pfn, fields) -> p.put(pfn, new TreeMap<>(fields)));
        return new Snapshot(new TreeMap<>(ptes), p, new TreeSet<>(freed), new TreeMap<>(counters));
    }

    /** The values before step {@code index} (1-based) ran. */
    Snapshot before(int index) {
        return index <= 1 ? initial : after.get(index - 2);
    }

    /** The values after step {@code index} (1-based) ran. */
    Snapshot after(int index) {
        return after.get(index - 1);
    }

    /** The fields any change names for frame {@code pfn}, in column order. */
    Set<FieldKey> fields(int pfn) {
        return fieldsByPfn.getOrDefault(pfn, Set.of());
    }

    /** False if the journal left changes out ({@link Change.Omitted}): values after that point may be stale. */
    boolean complete() {
        return complete;
    }
}
