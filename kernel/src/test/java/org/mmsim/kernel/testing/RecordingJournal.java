package org.mmsim.kernel.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Journal;

/**
 * A {@link Journal} that keeps everything it is told, in order: the functions entered as {@code "path NAME"} lines,
 * and the changes as the {@link Change} records themselves, which render as text in {@link #lines()}.
 */
public final class RecordingJournal implements Journal {
    private final List<Object> entries = new ArrayList<>();

    @Override
    public void path(String function) {
        entries.add("path " + function);
    }

    @Override
    public void change(Change change) {
        entries.add(change);
    }

    /** Every entry as one line of text, in order: a path as {@code "path NAME"}, a change as its record. */
    public List<String> lines() {
        return entries.stream().map(String::valueOf).toList();
    }

    /** The changes, in order. */
    public List<Change> changes() {
        return Collections.unmodifiableList(entries.stream()
                .filter(Change.class::isInstance).map(Change.class::cast).toList());
    }

    /** How many times the kernel entered {@code function}. */
    public long entries(String function) {
        return entries.stream().filter(e -> e.equals("path " + function)).count();
    }
}
