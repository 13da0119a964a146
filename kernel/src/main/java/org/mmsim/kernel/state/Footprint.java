package org.mmsim.kernel.state;

/**
 * The resources a stretch of kernel execution touched, read or written, as bits of a long, for the explorer's
 * partial-order reduction: two steps whose footprints are disjoint are assumed to commute. Recorded only while
 * {@link #track} is on; read and reset with {@link #take}.
 *
 * <p>Bit layout (a bit stands for a class of resources; classes that share a bit only make the reduction more
 * conservative):
 * <ul>
 *   <li>bit 0, {@link #GLOBAL}: "depends on anything": set by a kernel call that reads or writes state the other bits
 *       do not stand for (below);</li>
 *   <li>bit 1, {@link #ALLOCATOR}: the page allocator's own state (free lists, the never-used frontier,
 *       {@code nrAllocated}, {@code PF_MEMALLOC_PIN} as the allocator reads it);</li>
 *   <li>bit 2: unused (it stood for a machine-wide event clock, which the isolation oracle no longer has: a store
 *       is stamped with its mm's epoch, which the mm's bit covers);</li>
 *   <li>bits 3..18, {@link #mmBit}: the page table of the mm with id {@code id}, bit {@code 3 + id % 16};</li>
 *   <li>bits 19..63, {@link #pageBit}: the {@code struct page} fields and data words of frame {@code pfn}, bit
 *       {@code 19 + pfn % 45}.</li>
 * </ul>
 *
 * <p>Where it is recorded (each a central accessor, so nothing that goes through it escapes):
 * <ul>
 *   <li>{@code PageFrames}: every read and write of any {@code struct page} field, data word or writer shadow of
 *       a frame, through its private section accessors;</li>
 *   <li>{@code PageTable}: {@code table()}, {@code get()}, {@code forEach()} and {@code freeTables()}, i.e. every
 *       pte read or write (callers index the table {@code table()} returned);</li>
 *   <li>{@code PageAlloc}: allocation (including a failed one), freeing, {@code nrAllocated()} and
 *       {@code everAllocated()}. Reference-count changes that do not free are recorded as the frame's page bit
 *       only, which is exact: they change nothing else;</li>
 *   <li>{@code MmCore}: every read and advance of an mm's epoch (as that mm's bit);</li>
 *   <li>kernel calls: a call on an mm records that mm's bit for the VMA tree it reads, and every call that may
 *       touch what no bit stands for records {@link #GLOBAL} ({@code KernelCall#touchesOnlyItsMm}).</li>
 * </ul>
 *
 * <p>NOT covered by their own bits, so a call that may touch any of these records {@link #GLOBAL}:
 * VMAs and the VMA tree ({@code mmap}, {@code munmap}, {@code mprotect}, {@code madvise} change them, and every
 * fault reads them); all other {@code Mm} fields (RSS counters, {@code MMF_*} flags, {@code pinned_vm},
 * {@code RLIMIT_MEMLOCK}, {@code mmap_base}, the mmap_lock and PTL words, {@code mm_users}, {@code dead});
 * anon_vmas and their VMA lists; inodes (page caches, {@code i_mmap}, disk blocks, sizes and counts); files and fd
 * tables; pipes and their buffers; the GUP holder list and {@code GupPages} objects; io_uring rings and
 * {@code user->locked_vm}; pending observations; the task list, pids and the mm lineage; {@code nr_foll_pin_*};
 * the anon_vma counter; driver state; and writes to {@code PF_MEMALLOC_PIN} (GUP sets and restores it within one
 * call).
 *
 * <p>Everything that reads kernel state while tracking is on is recorded, including invariant checks and
 * assertions: take the footprint before running them, or switch tracking off. {@code Kernel.fingerprint()}
 * suspends tracking itself.
 *
 * <p>Cost: with tracking off each instrumented accessor pays one well-predicted branch on {@link #on}.
 */
public final class Footprint {
    /**
     * The step may depend on anything: set by a step taken from outside the kernel (by a scheduler, not within
     * {@code KernelCall#run}) of a call that is not confined to its caller's mm ({@code KernelCall#touchesOnlyItsMm});
     * the mechanisms below the calls never set it.
     */
    public static final long GLOBAL = 1L;
    /** The page allocator's state. */
    public static final long ALLOCATOR = 1L << 1;
    /** The first of the 16 mm page-table bits. */
    public static final int MM_SHIFT = 3;
    public static final int MM_BITS = 16;
    /** The first of the 45 page-frame bits. */
    public static final int PAGE_SHIFT = MM_SHIFT + MM_BITS;
    public static final int PAGE_BITS = Long.SIZE - PAGE_SHIFT;

    private boolean on;
    private long bits;

    /** Whether recording is on. */
    public boolean on() {
        return on;
    }

    /** Start or stop recording; stopping keeps what was recorded so far. */
    public void track(boolean track) {
        this.on = track;
    }

    /** The bit standing for the page table of the mm with id {@code mmId}. */
    public static long mmBit(int mmId) {
        return 1L << (MM_SHIFT + (mmId & (MM_BITS - 1))); // floorMod by a power of two
    }

    /** The bit standing for the {@code struct page} and data of frame {@code pfn}. */
    public static long pageBit(int pfn) {
        // % for the frames there are (the same bit as floorMod, which costs a signed division's fix-ups on a path
        // every struct page access takes)
        return 1L << (PAGE_SHIFT + (pfn >= 0 ? pfn % PAGE_BITS : Math.floorMod(pfn, PAGE_BITS)));
    }

    public void page(int pfn) {
        if (on) {
            bits |= pageBit(pfn);
        }
    }

    public void mm(int mmId) {
        if (on) {
            bits |= mmBit(mmId);
        }
    }

    public void allocator() {
        if (on) {
            bits |= ALLOCATOR;
        }
    }

    /** The step may depend on anything: a call touched state no other bit stands for. */
    public void global() {
        if (on) {
            bits |= GLOBAL;
        }
    }

    /** The bits accumulated since the last take; resets them. */
    public long take() {
        long b = bits;
        bits = 0;
        return b;
    }
}
