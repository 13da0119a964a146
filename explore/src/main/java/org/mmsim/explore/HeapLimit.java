package org.mmsim.explore;

/**
 * A limit on the used heap, a fraction of the JVM's maximum, cheap enough to check often. The used heap
 * ({@code totalMemory - freeMemory}) counts garbage too, so crossing the limit only prompts a {@link System#gc()}, and
 * the limit is exceeded if the heap is still over it afterwards. When the collection brings it back under, the next
 * forced collection waits twice as many checks (at most 64), so that work which lives near the limit is not slowed down
 * by a full collection every few checks. A search's {@link Budget} keeps one, and so does the time budget of a
 * scenario's run; each is checked by one thread.
 */
public final class HeapLimit {
    private final long limit;
    private int checksUntilGc;
    private int gcSpacing = 1;

    /** A limit of {@code fraction} of the maximum heap; 1 or more: none. */
    public HeapLimit(double fraction) {
        this.limit = fraction >= 1 ? Long.MAX_VALUE : (long) (Runtime.getRuntime().maxMemory() * fraction);
    }

    /** Whether this is no limit at all. */
    public boolean none() {
        return limit == Long.MAX_VALUE;
    }

    /** Whether the used heap is over the limit, even after a full collection if it looked so before one. */
    public boolean exceeded() {
        if (limit == Long.MAX_VALUE || used() <= limit) {
            return false;
        }
        if (checksUntilGc > 0) {
            checksUntilGc--;
            return false;
        }
        System.gc();
        if (used() > limit) {
            return true;
        }
        gcSpacing = Math.min(gcSpacing * 2, 64);
        checksUntilGc = gcSpacing;
        return false;
    }

    private static long used() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
