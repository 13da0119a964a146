package org.mmsim.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A {@link Journal} that keeps every entry as one line of text, in order. */
public final class RecordingJournal implements Journal {
    private final List<String> lines = new ArrayList<>();

    @Override
    public void path(String function) {
        lines.add("path " + function);
    }

    @Override
    public void page(int pfn, String field, long oldValue, long newValue) {
        lines.add("page " + pfn + " " + field + " " + oldValue + " -> " + newValue);
    }

    @Override
    public void pte(int mmId, long address, long oldPte, long newPte) {
        lines.add(String.format("pte mm %d %#x %s -> %s", mmId, address, Pte.describe(oldPte), Pte.describe(newPte)));
    }

    @Override
    public void note(String change) {
        lines.add("note " + change);
    }

    public List<String> lines() {
        return Collections.unmodifiableList(lines);
    }

    /** How many times the kernel entered {@code function}. */
    public long entries(String function) {
        return lines.stream().filter(l -> l.equals("path " + function)).count();
    }
}
