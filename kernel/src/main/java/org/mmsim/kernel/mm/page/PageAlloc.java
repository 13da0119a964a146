package org.mmsim.kernel.mm.page;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * The page allocator (mm/page_alloc.c), reduced to what the model needs: zones as PFN ranges, allocation in a
 * fixed, deterministic order (the most recently freed frame first, as from a per-cpu list, else the lowest
 * never-used frame), and {@code put_page} freeing a frame when its last reference goes.
 *
 * <p>Layout: PFN 0 is the shared zero page ({@code PG_reserved}, never allocated or freed), then the NORMAL
 * zone, then the MOVABLE zone, then device memory (a VRAM aperture, an SPU's local store): frames drivers reserve at
 * boot ({@link #reserveDevice}), never allocated to or freed by anyone else, and not counted as allocated RAM.
 */
public final class PageAlloc extends StateObject implements Hashable {
    /** {@code my_zero_pfn()}: the PFN of the shared zero page. */
    public static final int ZERO_PFN = 0;

    /** {@code GFP_KERNEL}-like: never from the movable zone. */
    public static final int GFP_KERNEL = 0;
    /** {@code GFP_HIGHUSER_MOVABLE}: user pages, which may come from the movable zone and are tried there first. */
    public static final int GFP_HIGHUSER_MOVABLE = 1;

    /** {@code Zone.values()}, made once: that method copies the array on every call. */
    private static final Zone[] ZONES = Zone.values();

    private final PageFrames frames;
    private final Tracer trace;
    private final int[] start = new int[ZONES.length];
    private final int[] end = new int[ZONES.length];
    private final int[] next = new int[ZONES.length];
    private final int[][] freeStack = new int[ZONES.length][];
    private final int[] freeTop = new int[ZONES.length];
    /**
     * Per zone, beside each free-stack entry, the hash of the stack from the bottom up to it, kept as entries are
     * pushed, so that a fingerprint costs one value per zone however many frames are free: the sum of a strong hash of
     * each (position, pfn) below it, so that the frames an exit frees one after another are hashed independently
     * rather than each hash waiting for the one before.
     */
    private final long[][] stackHash = new long[ZONES.length][];
    /**
     * The zones whose {@link #freeStack} and {@link #stackHash} may be shared with a copy (or its original), bit
     * {@code ordinal}: taking a frame off a stack only moves its top, so a zone's arrays are copied only before a frame
     * is pushed on it.
     */
    private int sharedZones;
    private int nrAllocated;
    /** Device memory: [deviceStart, deviceEnd), reserved up to deviceNext. */
    private int deviceStart;
    private int deviceEnd;
    private int deviceNext;
    /**
     * {@code PF_MEMALLOC_PIN} ({@code memalloc_pin_save()}): set while a long-term GUP runs, so the pages its faults
     * allocate never come from the movable zone ({@code current_gfp_context()} drops __GFP_MOVABLE).
     */
    private boolean memallocPin;
    /** Told of every frame freed (the model's shadow records of it end); set by the owner, again in a copy. */
    private IntConsumer onFree;
    /**
     * The {@code MEMORY_DEVICE_COHERENT} pagemaps ({@link #memremapPages}), two ints each: first PFN and number of
     * pages, in the order the drivers mapped them.
     */
    private int[] pagemaps = new int[0];
    /** Each pagemap's {@code dev_pagemap_ops}, in the same order: registered again by the drivers of a copy. */
    private final List<DevPagemapOps> pagemapOps = new ArrayList<>();

    public PageAlloc(PageFrames frames, Tracer trace, int normalFrames, int movableFrames) {
        this(frames, trace, normalFrames, movableFrames, 0);
    }

    /** An allocator over RAM zones of the given sizes, followed by {@code deviceFrames} frames of device memory. */
    public PageAlloc(PageFrames frames, Tracer trace, int normalFrames, int movableFrames, int deviceFrames) {
        this.frames = frames;
        this.trace = trace;
        int pfn = ZERO_PFN + 1;
        int[] sizes = {normalFrames, movableFrames};
        for (Zone z : ZONES) {
            start[z.ordinal()] = pfn;
            next[z.ordinal()] = pfn;
            pfn += sizes[z.ordinal()];
            end[z.ordinal()] = pfn;
            freeStack[z.ordinal()] = new int[16];
            stackHash[z.ordinal()] = new long[16];
        }
        frames.prepNew(ZERO_PFN);
        frames.setFlags(ZERO_PFN, PageFlags.PG_RESERVED | PageFlags.PG_UPTODATE);
        deviceStart = pfn;
        deviceNext = pfn;
        deviceEnd = pfn + deviceFrames;
    }

    /**
     * Reserve {@code pages} frames of device memory for a driver, as a BAR's aperture or an SPU's local store is set
     * aside at boot. With {@code structPage} each frame gets a {@code struct page} (refcount 1, the driver's,
     * {@code PG_reserved}), as 2.6.19's sparsemem-backed SPU local store had: a normal pte may map it and GUP may take
     * references to it. Without, the frames are raw PFNs: only special ptes ({@code vmf_insert_pfn}) map them.
     *
     * @return the first PFN, or -ENOMEM when the device region is exhausted
     */
    public int reserveDevice(int pages, boolean structPage) {
        if (pages <= 0 || deviceNext + pages > deviceEnd) {
            return -Errno.ENOMEM;
        }
        int first = deviceNext;
        deviceNext += pages;
        if (structPage) {
            for (int pfn = first; pfn < deviceNext; pfn++) {
                frames.prepNew(pfn);
                frames.setFlags(pfn, PageFlags.PG_RESERVED);
            }
        }
        return first;
    }

    /**
     * {@code memremap_pages()} of a {@code MEMORY_DEVICE_COHERENT} range (6.0, f25cbb7a95a2): {@code pages} frames of
     * device memory that the CPU reaches coherently, each with a {@code struct page} in ZONE_DEVICE, free (refcount 0)
     * until the driver hands it out ({@link #zoneDevicePageInit}); when its last reference goes it returns to the
     * driver through {@code ops} ({@code free_zone_device_folio}), never to the buddy allocator.
     *
     * @return the first PFN, or -ENOMEM when the device region is exhausted
     */
    public int memremapPages(int pages, DevPagemapOps ops) {
        int first = reserveDevice(pages, false);
        if (first < 0) {
            return first;
        }
        int[] p = Arrays.copyOf(pagemaps, pagemaps.length + 2);
        p[p.length - 2] = first;
        p[p.length - 1] = pages;
        pagemaps = p;
        pagemapOps.add(ops);
        return first;
    }

    /** The ops of this machine's next pagemap, in the order the original's were mapped: a copied driver's init. */
    public void registerPagemapOps(DevPagemapOps ops) {
        pagemapOps.add(ops);
    }

    /** The index of the coherent pagemap {@code pfn} belongs to, or -1 ({@code folio_is_device_coherent}). */
    public int pagemapOf(int pfn) {
        int[] p = pagemaps;
        for (int i = 0; i < p.length; i += 2) {
            if (pfn >= p[i] && pfn < p[i] + p[i + 1]) {
                return i / 2;
            }
        }
        return -1;
    }

    /** {@code folio_is_device_coherent()}. */
    public boolean isDeviceCoherent(int pfn) {
        return pagemapOf(pfn) >= 0;
    }

    /**
     * {@code zone_device_page_init()}: a free page of a coherent pagemap becomes the driver's, refcount 1 (6.1,
     * ef233450898f: free device pages have refcount 0). The model also clears its words, which the driver then
     * overwrites with a copy or leaves zero ({@code clear_highpage}).
     *
     * @throws KernelBug if the page is not free or not in a pagemap
     */
    public void zoneDevicePageInit(int pfn) {
        if (pagemapOf(pfn) < 0 || frames.refcount(pfn) != 0) {
            throw new KernelBug("zone_device_page_init", "pfn " + pfn + " is not a free device page");
        }
        frames.prepNew(pfn);
    }

    /** Whether {@code pfn} is device memory. */
    public boolean isDevice(int pfn) {
        return pfn >= deviceStart && pfn < deviceEnd;
    }

    /** The zone that holds {@code pfn}, or null for the zero page. */
    public Zone zoneOf(int pfn) {
        for (Zone z : ZONES) {
            if (pfn >= start[z.ordinal()] && pfn < end[z.ordinal()]) {
                return z;
            }
        }
        return null;
    }

    /** {@code memalloc_pin_save()} / {@code memalloc_pin_restore()}: set or clear PF_MEMALLOC_PIN; the old value. */
    public boolean memallocPin(boolean on) {
        boolean old = memallocPin;
        memallocPin = on;
        return old;
    }

    /** Frames currently allocated (not counting the zero page). */
    public int nrAllocated() {
        frames.footprint().allocator();
        return nrAllocated;
    }

    /**
     * The PFNs ever handed out as ranges, zone by zone, then every page of each device-coherent pagemap, in use or
     * not: {@code [start0, end0, start1, end1, ...]}, each range half-open (the same frames as {@link #everAllocated},
     * for loops that must not box).
     */
    public int[] everAllocatedRanges() {
        frames.footprint().allocator();
        int[] r = new int[2 * start.length + pagemaps.length];
        for (int z = 0; z < start.length; z++) {
            r[2 * z] = start[z];
            r[2 * z + 1] = next[z];
        }
        // a coherent pagemap's pages are all valid struct pages, each either the driver's (in use) or free
        for (int i = 0; i < pagemaps.length; i += 2) {
            r[2 * start.length + i] = pagemaps[i];
            r[2 * start.length + i + 1] = pagemaps[i] + pagemaps[i + 1];
        }
        return r;
    }

    /**
     * Where {@code pfn} comes among the frames of {@link #everAllocatedRanges}, in their order (as the accounting check
     * walks them), or -1 if it lies outside them: what a walk of that array finds, without making it (the check from
     * the ledger asks this of each frame a step touched, after every explored step).
     */
    public int everAllocatedPosition(int pfn) {
        frames.footprint().allocator();
        int base = 0;
        for (int z = 0; z < start.length; z++) {
            if (pfn >= start[z] && pfn < next[z]) {
                return base + pfn - start[z];
            }
            base += next[z] - start[z];
        }
        for (int i = 0; i < pagemaps.length; i += 2) {
            if (pfn >= pagemaps[i] && pfn < pagemaps[i] + pagemaps[i + 1]) {
                return base + pfn - pagemaps[i];
            }
            base += pagemaps[i + 1];
        }
        return -1;
    }

    /** How many of {@link #everAllocatedRanges}' entries are the zones' (the pagemaps' follow them). */
    public int zoneRangeEntries() {
        return 2 * start.length;
    }

    /** Every PFN that was ever handed out, zone by zone, then the coherent pagemaps' ({@link #everAllocatedRanges}). */
    public IntStream everAllocated() {
        int[] r = everAllocatedRanges();
        IntStream s = IntStream.empty();
        for (int z = 0; z < r.length; z += 2) {
            s = IntStream.concat(s, IntStream.range(r[z], r[z + 1]));
        }
        return s;
    }

    /**
     * {@code alloc_page(gfp)}: a zeroed frame with refcount 1, or -1 when no zone allowed by {@code gfp} has a
     * free frame (the caller turns that into {@code VM_FAULT_OOM} / {@code -ENOMEM}).
     */
    public int allocPage(int gfp) {
        frames.footprint().allocator();
        if (gfp == GFP_HIGHUSER_MOVABLE && !memallocPin) {
            int pfn = allocFrom(Zone.MOVABLE);
            if (pfn >= 0) {
                return pfn;
            }
        }
        return allocFrom(Zone.NORMAL);
    }

    /** Allocate from one zone only (migration targets), or -1. */
    public int allocFrom(Zone zone) {
        frames.footprint().allocator();
        int z = zone.ordinal();
        int pfn;
        if (freeTop[z] > 0) {
            pfn = freeStack[z][--freeTop[z]];
        } else if (next[z] < end[z]) {
            pfn = next[z]++;
        } else {
            return -1;
        }
        frames.prepNew(pfn);
        nrAllocated++;
        return pfn;
    }

    /** {@code get_page()}: take a reference. */
    public void getPage(int pfn) {
        if (pfn == ZERO_PFN) {
            return;
        }
        if (frames.addRefcount(pfn, 1, 1) <= 0) {
            throw new KernelBug("page_ref", "get_page on free pfn " + pfn);
        }
    }

    /** Add {@code refs} references at once ({@code page_ref_add}). */
    public void pageRefAdd(int pfn, int refs) {
        if (pfn == ZERO_PFN) {
            return;
        }
        if (frames.addRefcount(pfn, refs, 1) <= 0) {
            throw new KernelBug("page_ref", "reference taken on free pfn " + pfn);
        }
    }

    /** {@code put_page()} for one reference. */
    public void putPage(int pfn) {
        pageRefSub(pfn, 1);
    }

    /**
     * Drop {@code refs} references ({@code page_ref_sub_and_test}); when none is left, free the frame
     * ({@code __put_page} / {@code free_unref_page}). Freeing a page that is still mapped is {@code bad_page()}.
     */
    public void pageRefSub(int pfn, int refs) {
        if (pfn == ZERO_PFN) {
            return;
        }
        int ref = frames.addRefcount(pfn, -refs, refs) - refs;
        if (ref < 0) {
            throw refBelowZero(pfn);
        }
        if (ref == 0) {
            free(pfn);
        }
    }

    /**
     * A zap with no TLB gather: {@code folio_remove_rmap_pte()} of the page a pte mapped, then {@code folio_put()} of
     * the reference the pte held ({@link #pageRefSub}), the two counts read and written in one access to the frame
     * ({@link PageFrames#unmapAndPut}).
     *
     * @throws KernelBug "mapcount" if the page was not mapped (nothing changes), "page_ref" if it had no reference
     */
    public void unmapAndPut(int pfn) {
        boolean toAllocator = pagemaps.length == 0 || pagemapOf(pfn) < 0;
        long had = frames.unmapAndPut(pfn, toAllocator);
        int map = (int) had;
        int ref = (int) (had >>> 32);
        if (map <= 0) {
            throw unmappedMoreThanMapped(pfn);
        }
        if (ref <= 0) {
            throw refBelowZero(pfn);
        }
        if (ref == 1 && !toAllocator) {
            free(pfn);
        } else if (ref == 1) {
            // free_pages_prepare was done with the put, unless the page is still mapped
            checkUnmapped(pfn, map - 1);
            pushFree(pfn);
        }
    }

    /** {@code page_ref_sub_and_test}'s sanity check failed: a reference was dropped that nobody held. */
    private static KernelBug refBelowZero(int pfn) {
        return new KernelBug("page_ref", "refcount of pfn " + pfn + " dropped below zero");
    }

    /** {@code folio_remove_rmap_pte}'s sanity check failed: the page was unmapped more often than mapped. */
    public static KernelBug unmappedMoreThanMapped(int pfn) {
        return new KernelBug("mapcount", "pfn " + pfn + " unmapped more often than mapped");
    }

    /** The last reference to {@code pfn} went: to the driver that owns it, or onto its zone's free list. */
    private void free(int pfn) {
        int pagemap = pagemapOf(pfn);
        if (pagemap >= 0) {
            checkUnmapped(pfn, frames.mapcount(pfn));
            frames.footprint().allocator();
            freeZoneDeviceFolio(pfn, pagemap);
            return;
        }
        checkUnmapped(pfn, frames.freePrepare(pfn));
        pushFree(pfn);
    }

    /** A frame of RAM whose struct page is prepared for freeing goes on top of its zone's free stack. */
    private void pushFree(int pfn) {
        frames.footprint().allocator();
        Zone zone = zoneOf(pfn);
        int z = zone.ordinal();
        if ((sharedZones & (1 << z)) != 0) {
            freeStack[z] = freeStack[z].clone();
            stackHash[z] = stackHash[z].clone();
            sharedZones &= ~(1 << z);
        }
        int top = freeTop[z];
        if (top == freeStack[z].length) {
            freeStack[z] = Arrays.copyOf(freeStack[z], top * 2);
            stackHash[z] = Arrays.copyOf(stackHash[z], top * 2);
        }
        freeStack[z][top] = pfn;
        stackHash[z][top] = (top == 0 ? 0 : stackHash[z][top - 1]) + StateHasher.mix(top, pfn);
        freeTop[z] = top + 1;
        nrAllocated--;
        if (onFree != null) {
            onFree.accept(pfn);
        }
        if (trace.on()) {
            trace.record(new Change.PageFreed(pfn));
        }
    }

    /** Freeing a page that is still mapped is {@code bad_page()}: the page is left as it was. */
    private static void checkUnmapped(int pfn, int mapcount) {
        if (mapcount != 0) {
            throw new KernelBug("bad_page", "pfn " + pfn + " freed while mapped " + mapcount + " times");
        }
    }

    /**
     * {@code free_zone_device_folio()}: a coherent page's last reference went; its {@code mapping} and flags
     * ({@code PageAnonExclusive} among them) are cleared and the driver's {@code ->folio_free} takes it back.
     */
    private void freeZoneDeviceFolio(int pfn, int pagemap) {
        frames.setFlags(pfn, 0);
        frames.setMapping(pfn, 0, 0);
        if (onFree != null) {
            onFree.accept(pfn);
        }
        if (trace.on()) {
            trace.record(new Change.PageFreed(pfn));
        }
        pagemapOps.get(pagemap).folioFree(pfn);
    }

    /** Tell {@code listener} of every frame freed from now on (one listener: the mm core's shadow records). */
    public void onFree(IntConsumer listener) {
        this.onFree = listener;
    }

    /**
     * Feed the allocator's state to a fingerprint: per zone its bounds, the never-used frontier and the free stack
     * bottom to top (not its spare capacity; by the hash kept of it as it grew), then {@code nrAllocated} and
     * {@code PF_MEMALLOC_PIN}.
     */
    @Override
    public void hashInto(StateHasher h) {
        // one strong hash worked out in registers: the allocator is hashed at every explored state
        long a = StateHasher.LANE;
        long b = StateHasher.LANE + 1;
        for (int i = 0; i < ZONES.length; i++) {
            a = StateHasher.step(a, StateHasher.pack(start[i], end[i]));
            a = StateHasher.step(a, StateHasher.pack(next[i], freeTop[i]));
            b = StateHasher.step(b, freeTop[i] == 0 ? 0 : stackHash[i][freeTop[i] - 1]);
        }
        a = StateHasher.step(a, StateHasher.pack(nrAllocated, deviceNext));
        b = StateHasher.step(b, StateHasher.pack(deviceStart, deviceEnd));
        b = StateHasher.step(b, StateHasher.pack(memallocPin ? 1 : 0, pagemaps.length));
        h.add(a, b);
        for (int v : pagemaps) {
            h.add(v);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /** A copy over the copied machine's frames (which must be copied first). */
    @Override
    public PageAlloc copy(Copier c) {
        return c.pair(this, new PageAlloc(c.copy(frames), c.copy(trace), this, c.isBranch()));
    }

    /** The copy's allocator; unless it is a branch ({@code Copier.branch}), both sides copy a stack before a push. */
    private PageAlloc(PageFrames frames, Tracer trace, PageAlloc o, boolean branch) {
        this.frames = frames;
        this.trace = trace;
        for (int z = 0; z < start.length; z++) {
            start[z] = o.start[z];
            end[z] = o.end[z];
            next[z] = o.next[z];
            freeStack[z] = o.freeStack[z];
            stackHash[z] = o.stackHash[z];
            freeTop[z] = o.freeTop[z];
        }
        sharedZones = (1 << ZONES.length) - 1;
        if (!branch) {
            o.sharedZones = sharedZones;
        }
        nrAllocated = o.nrAllocated;
        memallocPin = o.memallocPin;
        deviceStart = o.deviceStart;
        deviceEnd = o.deviceEnd;
        deviceNext = o.deviceNext;
        pagemaps = o.pagemaps.length == 0 ? o.pagemaps : o.pagemaps.clone(); // an empty array cannot change
    }
}
