package org.mmsim.kernel.mm.rmap;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.AnonVma;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.CowReuse;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * Reverse mapping (mm/rmap.c): the mapcount and anon-exclusive bookkeeping done when a pte starts or stops mapping a
 * page, and {@link #rmapWalk} to find every pte that maps a page, by the anon_vma of an anon page or the
 * {@code i_mmap} of a page-cache page.
 *
 * <p>{@code PG_anon_exclusive} is kept only where the profile has it (5.19+, cow_reuse=anon_exclusive).
 * {@link #maybeDmaPinned} lives here because fork and clear_refs ask it of pages they are about to share or
 * write-protect; GUP is what makes it true.
 */
public final class Rmap {
    /** include/linux/mm.h: a pin of a small page adds this much to its refcount. */
    public static final int GUP_PIN_COUNTING_BIAS = 1024;

    private final MmCore core;
    private final Tracer trace;
    private final PageFrames frames;

    public Rmap(MmCore core) {
        this.core = core;
        this.trace = core.trace();
        this.frames = core.frames();
    }

    /** True if the profile tracks {@code PageAnonExclusive}. */
    public boolean exclusiveTracking() {
        return core.profile().cowReuse() == CowReuse.ANON_EXCLUSIVE;
    }

    /** {@code page_maybe_dma_pinned()} for a small page: refcount at least {@link #GUP_PIN_COUNTING_BIAS}. */
    public static boolean maybeDmaPinned(PageFrames frames, int pfn) {
        return frames.refcount(pfn) >= GUP_PIN_COUNTING_BIAS;
    }

    /** {@code anon_vma_prepare()}: give the VMA an anon_vma before its first anon page. */
    public void anonVmaPrepare(Vma vma) {
        if (vma.anonVma() == null) {
            AnonVma a = core.newAnonVma();
            vma.setAnonVma(a);
            a.link(vma);
        }
    }

    /**
     * {@code folio_add_new_anon_rmap()} (formerly {@code page_add_new_anon_rmap}): a freshly allocated page gets its
     * first mapping: mapcount 1, anon, the VMA's anon_vma and index, and exclusive where tracked.
     */
    public void pageAddNewAnonRmap(int pfn, Vma vma, long addr) {
        trace.path("folio_add_new_anon_rmap");
        int flags = PageFlags.PG_ANON | PageFlags.PG_SWAPBACKED | PageFlags.PG_UPTODATE;
        if (exclusiveTracking()) {
            flags |= PageFlags.PG_ANON_EXCLUSIVE;
        }
        frames.setNewRmap(pfn, 1, flags, vma.anonVma().id(), vma.linearPageIndex(addr));
    }

    /** {@code folio_add_file_rmap_pte()}: a pte starts mapping a page-cache page. */
    public void pageAddFileRmap(int pfn) {
        frames.addMapcount(pfn, 1, Integer.MIN_VALUE);
    }

    /** {@code page_dup_rmap()} / {@code folio_dup_file_rmap_pte()}: one more pte maps the page. */
    public void pageDupRmap(int pfn) {
        frames.addMapcount(pfn, 1, Integer.MIN_VALUE);
    }

    /**
     * {@code folio_try_dup_anon_rmap_pte()} (5.19+, fb3d824d1a46): fork wants to share an anon page with the child.
     * Fails with -EBUSY if the page is exclusive and may be DMA-pinned; otherwise clears the exclusive flag and adds
     * the mapping.
     */
    public int pageTryDupAnonRmap(int pfn, Vma srcVma) {
        if (frames.test(pfn, PageFlags.PG_ANON_EXCLUSIVE)) {
            if (needsCowForDma(srcVma, pfn)) {
                return -Errno.EBUSY;
            }
            frames.clear(pfn, PageFlags.PG_ANON_EXCLUSIVE);
        }
        pageDupRmap(pfn);
        return 0;
    }

    /**
     * {@code folio_needs_cow_for_dma()}: at fork, a page of a COW mapping in an mm that has pinned and that may be
     * DMA-pinned must be copied for the child, never shared.
     */
    public boolean needsCowForDma(Vma vma, int pfn) {
        return VmFlags.isCowMapping(vma.flags()) && vma.mm().test(Mm.MMF_HAS_PINNED) && maybeDmaPinned(frames, pfn);
    }

    /** {@code folio_remove_rmap_pte()}: one pte stopped mapping the page. */
    public void pageRemoveRmap(int pfn) {
        if (frames.addMapcount(pfn, -1, 1) <= 0) {
            throw PageAlloc.unmappedMoreThanMapped(pfn);
        }
    }

    /**
     * {@code folio_move_anon_rmap()} (formerly {@code page_move_anon_rmap}): a reused COW page now belongs to this
     * VMA's anon_vma alone; since 5.19 it also becomes exclusive.
     */
    public void pageMoveAnonRmap(int pfn, Vma vma) {
        frames.setMapping(pfn, vma.anonVma().id(), frames.index(pfn));
        if (exclusiveTracking()) {
            frames.set(pfn, PageFlags.PG_ANON_EXCLUSIVE);
        }
    }

    /** One place a page is mapped: the mm, the virtual address and the VMA. */
    public record Mapping(Mm mm, Vma vma, long address) {}

    /** {@code rmap_walk()}: every pte mapping {@code pfn}, by the anon or the file reverse map. */
    public List<Mapping> rmapWalk(int pfn) {
        return frames.test(pfn, PageFlags.PG_ANON) ? rmapWalkAnon(pfn) : rmapWalkFile(pfn);
    }

    /**
     * {@code rmap_walk_anon()}: every pte that maps anon page {@code pfn}, found from its anon_vma and index
     * ({@code vma_address()}), not by scanning page tables.
     */
    public List<Mapping> rmapWalkAnon(int pfn) {
        List<Mapping> out = new ArrayList<>();
        AnonVma anonVma = core.anonVma(frames.mapping(pfn));
        if (anonVma == null) {
            return out;
        }
        for (Vma vma : anonVma.vmas()) {
            Mapping m = vmaMapping(vma, frames.index(pfn), pfn);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * {@code rmap_walk_file()}: every pte mapping page-cache page {@code pfn}, found from its address_space's
     * {@code i_mmap} and the page's index, not by scanning page tables.
     */
    public List<Mapping> rmapWalkFile(int pfn) {
        List<Mapping> out = new ArrayList<>();
        AddressSpace mapping = core.mapping(frames.mapping(pfn));
        if (mapping == null || mapping.evicted()) {
            return out;
        }
        for (Vma vma : mapping.iMmap()) {
            Mapping m = vmaMapping(vma, frames.index(pfn), pfn);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * {@code vma_address()} plus the pte check of {@code page_vma_mapped_walk()}: where page {@code index} of the
     * VMA's object would be mapped, if the pte there maps {@code pfn}; else null.
     */
    static Mapping vmaMapping(Vma vma, long index, int pfn) {
        long addr = vma.start() + ((index - vma.pgoff()) << Page.PAGE_SHIFT);
        if (!vma.contains(addr)) {
            return null;
        }
        long pte = vma.mm().pte(addr);
        return Pte.present(pte) && Pte.pfn(pte) == pfn && !Pte.special(pte) ? new Mapping(vma.mm(), vma, addr) : null;
    }
}
