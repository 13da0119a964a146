package org.mmsim.kernel.profile;

import java.util.Arrays;
import org.mmsim.kernel.export.Export;

/**
 * A kernel behaviour profile: a name and one value for every {@link Switch}. Immutable; {@link #with} makes a
 * derived profile, which is how both history (5.9 = 5.8 with three changes) and single-switch overrides from a
 * scenario or the command line are written.
 */
@Export
public final class KernelProfile {
    /** Each enum's {@code values()}, made once: that method copies the array on every call (some, every step). */
    private static final CowReuse[] COW_REUSE = CowReuse.values();
    private static final Ext4DirtyNobuffers[] EXT4_DIRTY_NOBUFFERS = Ext4DirtyNobuffers.values();
    private static final PinTracking[] PIN_TRACKING = PinTracking.values();
    private static final PinnedWriteback[] PINNED_WRITEBACK = PinnedWriteback.values();
    private static final IoUringFileCheck[] IO_URING_FILE_CHECK = IoUringFileCheck.values();
    private static final DriverFault[] DRIVER_FAULT = DriverFault.values();
    private static final AnonVmaMerge[] ANON_VMA_MERGE = AnonVmaMerge.values();
    private static final MremapDontunmap[] MREMAP_DONTUNMAP = MremapDontunmap.values();
    private static final GupWriteRetry[] GUP_WRITE_RETRY = GupWriteRetry.values();
    private static final UmmunotifyQueue[] UMMUNOTIFY_QUEUE = UmmunotifyQueue.values();
    private static final DmaBufMapInfo[] DMABUF_MAP_INFO = DmaBufMapInfo.values();
    private static final CacheAliasing[] CACHE_ALIASING = CacheAliasing.values();

    private final String name;
    private final String summary;
    private final byte[] values;

    KernelProfile(String name, String summary, byte[] values) {
        this.name = name;
        this.summary = summary;
        this.values = values;
    }

    public String name() {
        return name;
    }

    /** One line on what this profile stands for. */
    public String summary() {
        return summary;
    }

    /** The index of this profile's value for {@code s} in {@link Switch#choices()}. */
    public int index(Switch s) {
        return values[s.ordinal()];
    }

    /** The value of {@code s} as written in scenarios, e.g. {@code "page_count"} or {@code "on"}. */
    public String value(Switch s) {
        return s.choices().get(values[s.ordinal()]);
    }

    /** For a boolean switch: is it on? */
    public boolean on(Switch s) {
        if (!s.isFlag()) {
            throw new IllegalArgumentException("switch " + s.key() + " is not a boolean switch");
        }
        return values[s.ordinal()] == 1;
    }

    public CowReuse cowReuse() {
        return COW_REUSE[values[Switch.COW_REUSE.ordinal()]];
    }

    /** What ext4 writeback does with a dirty page without buffers. */
    public Ext4DirtyNobuffers ext4DirtyNobuffers() {
        return EXT4_DIRTY_NOBUFFERS[values[Switch.EXT4_DIRTY_NOBUFFERS.ordinal()]];
    }

    /** How writeback tells a DMA-pinned page (seed 003). */
    public PinTracking pinTracking() {
        return PIN_TRACKING[values[Switch.PIN_TRACKING.ordinal()]];
    }

    /** What writeback does with a page it believes pinned. */
    public PinnedWriteback pinnedWriteback() {
        return PINNED_WRITEBACK[values[Switch.PINNED_WRITEBACK.ordinal()]];
    }

    /** How many reports ummunotify queues (seed 004). */
    public UmmunotifyQueue ummunotifyQueue() {
        return UMMUNOTIFY_QUEUE[values[Switch.UMMUNOTIFY_QUEUE.ordinal()]];
    }

    public DmaBufMapInfo dmaBufMapInfo() {
        return DMABUF_MAP_INFO[values[Switch.DMABUF_MAP_INFO.ordinal()]];
    }

    public CacheAliasing cacheAliasing() {
        return CACHE_ALIASING[values[Switch.CACHE_ALIASING.ordinal()]];
    }

    public IoUringFileCheck ioUringFileCheck() {
        return IO_URING_FILE_CHECK[values[Switch.IO_URING_FILE_CHECK.ordinal()]];
    }

    /** The driver fault-handler interface the fault path calls. */
    @Export
    public DriverFault driverFault() {
        return DRIVER_FAULT[values[Switch.DRIVER_FAULT.ordinal()]];
    }

    /** Whether, and for which VMAs, mremap takes MREMAP_DONTUNMAP. */
    public MremapDontunmap mremapDontunmap() {
        return MREMAP_DONTUNMAP[values[Switch.MREMAP_DONTUNMAP.ordinal()]];
    }

    /** Which anon_vmas {@code vma_merge} accepts. */
    public AnonVmaMerge anonVmaMerge() {
        return ANON_VMA_MERGE[values[Switch.ANON_VMA_MERGE.ordinal()]];
    }

    public GupWriteRetry gupWriteRetry() {
        return GUP_WRITE_RETRY[values[Switch.GUP_WRITE_RETRY.ordinal()]];
    }

    /**
     * A profile equal to this one except that {@code s} is {@code value}.
     *
     * @throws IllegalArgumentException if {@code value} is not one of {@code s.choices()}
     */
    public KernelProfile with(Switch s, String value) {
        int index = s.indexOf(value);
        if (index < 0) {
            throw new IllegalArgumentException("switch " + s.key() + " takes " + String.join("|", s.choices())
                    + ", not '" + value + "'");
        }
        byte[] copy = values.clone();
        copy[s.ordinal()] = (byte) index;
        boolean same = Arrays.equals(copy, values);
        return same ? this : new KernelProfile(name + "[" + s.key() + "=" + value + "]", summary, copy);
    }

    /** Same switches under another name (used when a profile is defined as a delta of its predecessor). */
    KernelProfile renamed(String newName, String newSummary) {
        return new KernelProfile(newName, newSummary, values);
    }

    @Override
    public String toString() {
        return name;
    }
}
