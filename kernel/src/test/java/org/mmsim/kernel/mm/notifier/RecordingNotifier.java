package org.mmsim.kernel.mm.notifier;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Copyable;

/**
 * A subscriber for tests: both an {@code mmu_notifier} and an interval notifier, which records every callback as a
 * line ({@code "start CLEAR 0x1000-0x2000"}, {@code "end ..."}, {@code "invalidate ..."}, {@code "release"}) and
 * does what the protocol asks of an interval notifier ({@code mmu_interval_set_seq}).
 */
public final class RecordingNotifier implements MmuNotifierOps, MmuIntervalNotifierOps, Copyable {
    private final List<String> lines = new ArrayList<>();

    public RecordingNotifier() {}

    public List<String> lines() {
        return lines;
    }

    /** The lines so far; clears them. */
    public List<String> take() {
        List<String> out = List.copyOf(lines);
        lines.clear();
        return out;
    }

    private static String range(MmuNotifierRange r) {
        return String.format("%s %#x-%#x", r.event(), r.start(), r.end());
    }

    @Override
    public String name() {
        return "recording_notifier";
    }

    @Override
    public void release(MmuNotifier sub, Mm mm) {
        lines.add("release");
    }

    @Override
    public int invalidateRangeStart(MmuNotifier sub, MmuNotifierRange r) {
        lines.add("start " + range(r));
        return 0;
    }

    @Override
    public void invalidateRangeEnd(MmuNotifier sub, MmuNotifierRange r) {
        lines.add("end " + range(r));
    }

    @Override
    public boolean invalidate(MmuIntervalNotifier mni, MmuNotifierRange r, long curSeq) {
        lines.add("invalidate " + range(r) + " seq " + curSeq);
        mni.setSeq(curSeq);
        return true;
    }

    private RecordingNotifier(RecordingNotifier o, Copier c) {
        c.pair(o, this);
        lines.addAll(o.lines);
    }

    @Override
    public RecordingNotifier copy(Copier c) {
        return new RecordingNotifier(this, c);
    }
}
