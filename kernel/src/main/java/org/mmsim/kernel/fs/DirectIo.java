package org.mmsim.kernel.fs;

import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.mm.gup.GupCall;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * An {@code O_DIRECT} {@code pread}/{@code pwrite} of a regular ext4 file, page-aligned, as a call the explorer can
 * suspend: the block layer's direct I/O ({@code iomap_dio_rw} for ext4 since 5.5, {@code __blockdev_direct_IO} in
 * fs/direct-io.c before) builds bios on the user's pages with {@code bio_iov_iter_get_pages()} (block/bio.c), submits
 * them, and returns to the caller when they complete. Nothing is held between the steps: GUP drops
 * {@code mmap_lock} before the bio is submitted, so fork, munmap, writeback and reclaim may run while the I/O is in
 * flight, and the pages are held only by the GUP reference or pin.
 *
 * <pre>
 *   BEGIN:    fdget; checks; kiocb_write_and_wait() / filemap_write_and_wait_range(): write the dirty page-cache
 *             pages of the range back first, so the device and the cache agree
 *   GUP:      bio_iov_iter_get_pages(): iov_iter_get_pages() → get_user_pages_fast(FOLL_GET [| FOLL_WRITE]) before
 *             the switch (odirect_pin=off); iov_iter_extract_pages() → pin_user_pages_fast(FOLL_PIN [| FOLL_WRITE])
 *             after it (odirect_pin=on): the GupCall's own steps (GUP-fast, mmap_read_lock, the slow path)
 *   DMA:      the device moves the data: a read writes the disk's words into the pages (stamping the task's mm
 *             as writer, as a device write through a GUP array does); a write reads the pages and writes the disk
 *             ({@code ->writepages} of the file's a_ops stands for the device write of those blocks)
 *   COMPLETE: bio end_io: a read dirties the pages and releases them (bio_set_pages_dirty/bio_check_pages_dirty
 *             → set_page_dirty_lock + put_page; since the switch bio_release_pages(bio, true) →
 *             unpin_user_pages_dirty_lock); a write releases them (put_page / unpin_user_page) and invalidates
 *             the page cache over the range (kiocb_invalidate_post_direct_write → invalidate_inode_pages2_range)
 * </pre>
 *
 * <p>Page cache coherence around a write: before the write and again after it, every cached page of the range is
 * unmapped and leaves the cache ({@link #invalidate}), so that a later buffered read or load reads the disk; a page
 * someone else holds (GUP, a pipe) lives on with the old words, orphaned, and a page dirty again stays, stale.
 *
 * <p>Returns the bytes transferred, or -errno: -EBADF (fd not open, or not open for reading (read) / writing
 * (write)); -EINVAL (not a regular file, a tmpfs file, FOFF, ADDR or LEN not page-aligned); -EFAULT, -ENOMEM, -ENOSYS
 * from GUP when it took no page (no VMA, VM_IO/VM_PFNMAP, no permission). A read at or beyond EOF returns 0 without
 * GUP; a read is cut at EOF (the pages up to it are read, the count stops at {@code i_size}); a write extends {@code i_size}. If GUP takes only some pages,
 * the I/O covers those (a short count).
 *
 * <p>tmpfs: shmem had no {@code ->direct_IO} before 6.6, so {@code open(O_DIRECT)} failed with -EINVAL; from 6.6
 * (e88e0d366f9c "tmpfs: trivial support for direct IO", Hugh Dickins, {@link Switch#SHMEM_DIRECT_IO}) the I/O is a
 * copy through the page cache, with no bio and no pages held ({@link #shmemCopy}).
 */
public final class DirectIo extends KernelCall<Void> {
    private static final int BEGIN = 0;
    private static final int GUP = 1;
    private static final int DMA = 2;
    private static final int COMPLETE = 3;

    private final MmCore core;
    private final PageFrames frames;
    private final Gup gup;
    private final Vfs vfs;
    private final FdTable files;
    private final Mm mm;
    private final int fd;
    private final long foff;
    private final long addr;
    private final long len;
    private final boolean write;
    /** The file fdget found at BEGIN. */
    private File file;
    /** The GUP of the user pages (bio_iov_iter_get_pages), stepped as this call's GUP points. */
    private GupCall gupCall;
    /** The pages the bio holds, from the end of GUP to completion. */
    private GupPages pages;
    /** The bytes the I/O covers: LEN, or for a read what lies before {@code i_size} as BEGIN read it. */
    private long count;

    DirectIo(MmCore core, Gup gup, Vfs vfs, FdTable files, Mm mm, int fd, long foff, long addr, long len,
            boolean write) {
        super(core.trace(), core.footprint(), write ? "odirect_write" : "odirect_read");
        this.core = core;
        this.frames = core.frames();
        this.gup = gup;
        this.vfs = vfs;
        this.files = files;
        this.mm = mm;
        this.fd = fd;
        this.foff = foff;
        this.addr = addr;
        this.len = len;
        this.write = write;
    }

    @Override
    public Acquire blockedOn() {
        return switch (pc) {
            case BEGIN -> writebackLocks();
            case GUP -> gupCall.blockedOn();
            default -> null;
        };
    }

    /** {@code filemap_write_and_wait_range} write-protects shared ptes: the pte lock of every mm mapping the file. */
    private Acquire writebackLocks() {
        File f = files.get(fd);
        if (f == null || f.mapping() == null) {
            return null;
        }
        for (Vma vma : f.mapping().iMmap()) {
            Acquire a = vma.mm().ptl().acquire().blocked();
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    @Override
    protected void advance() {
        switch (pc) {
            case BEGIN -> begin();
            case GUP -> gupStep();
            case DMA -> dma();
            case COMPLETE -> endIo();
            default -> throw new IllegalStateException("pc " + pc);
        }
    }

    private boolean pin() {
        return core.profile().on(Switch.ODIRECT_PIN);
    }

    private void begin() {
        trace.path(write ? "ext4_dio_write_iter" : "ext4_dio_read_iter");
        File f = files.get(fd);
        if (f == null || (write ? !f.writable() : !f.readable())) {
            finish(-Errno.EBADF);
            return;
        }
        if (!(f.fops() instanceof RegularFileOps) || f.mapping() == null
                || f.mapping().isShmem() && !core.profile().on(Switch.SHMEM_DIRECT_IO)) {
            finish(-Errno.EINVAL);
            return;
        }
        if (!Page.aligned(foff) || !Page.aligned(addr) || !Page.aligned(len) || len < 0 || foff < 0) {
            finish(-Errno.EINVAL);
            return;
        }
        AddressSpace mapping = f.mapping();
        if (mapping.isShmem()) {
            finish(shmemCopy(mapping));
            return;
        }
        count = write ? len : Math.min(len, Math.max(mapping.size() - foff, 0));
        if (count == 0) {
            finish(0);
            return;
        }
        file = f;
        f.get();
        trace.path(write ? "iomap_dio_rw: kiocb_invalidate_pages" : "iomap_dio_rw: kiocb_write_and_wait");
        int nr = (int) (Page.align(count) >>> Page.PAGE_SHIFT);
        vfs.filemap().writebackRange(mapping, foff, foff + ((long) nr << Page.PAGE_SHIFT) - 1);
        if (write) {
            invalidate(mapping, nr);
        }
        int flags = write ? 0 : Foll.FOLL_WRITE;
        trace.path(pin() ? "bio_iov_iter_get_pages: iov_iter_extract_pages" : "bio_iov_iter_get_pages: iov_iter_get_pages");
        gupCall = pin() ? gup.pinUserPagesFast(mm, addr, nr, flags) : gup.getUserPagesFast(mm, addr, nr, flags);
        at(GUP, "%s of %d pages at %#x", pin() ? "pin_user_pages_fast" : "get_user_pages_fast", nr, addr);
    }

    private void gupStep() {
        gupCall.step();
        if (!gupCall.done()) {
            at(GUP, "%s", new SubPoint(gupCall));
            return;
        }
        GupPages g = gupCall.result();
        if (gupCall.ret() <= 0) {
            file.put();
            file = null;
            finish(gupCall.ret() == 0 ? -Errno.EFAULT : gupCall.ret());
            return;
        }
        pages = g;
        trace.path("submit_bio");
        at(DMA, "bio of %d pages submitted; I/O in flight", g.nr());
    }

    /** The device: disk to pages (read) or pages to disk (write). */
    private void dma() {
        AddressSpace mapping = file.mapping();
        long first = foff >>> Page.PAGE_SHIFT;
        for (int i = 0; i < pages.nr(); i++) {
            int pfn = pages.pfn(i);
            if (write) {
                mapping.aops().writePage(first + i, frames.words(pfn));
            } else {
                KernelBug.bugOn(pfn == PageAlloc.ZERO_PFN, "zero_page_write",
                        "direct I/O read into the shared zero page");
                long[] block = mapping.aops().readFolio(first + i);
                for (int w = 0; w < Page.PAGE_WORDS; w++) {
                    frames.setWord(pfn, w, block == null ? 0 : block[w]);
                }
                frames.setWriter(pfn, mm.id(), core.epoch(mm.id()));
            }
        }
        trace.path(write ? "device: write from the bio's pages" : "device: DMA into the bio's pages");
        at(COMPLETE, "I/O done; bio completion pending");
    }

    private void endIo() {
        AddressSpace mapping = file.mapping();
        int nr = pages.nr();
        if (write) {
            if (pin()) {
                gup.unpinUserPages(pages);
            } else {
                trace.path("bio_release_pages");
                gup.putPages(pages);
            }
            long end = foff + ((long) nr << Page.PAGE_SHIFT);
            if (end > mapping.size()) {
                mapping.setSize(end);
            }
            trace.path("kiocb_invalidate_post_direct_write");
            invalidate(mapping, nr);
        } else if (pin()) {
            trace.path("bio_release_pages");
            gup.unpinUserPagesDirtyLock(pages, true);
        } else {
            trace.path("bio_check_pages_dirty");
            for (int i = 0; i < nr; i++) {
                setPageDirtyLock(pages.pfn(i));
            }
            gup.putPages(pages);
        }
        file.put();
        file = null;
        pages = null;
        // iomap_dio_complete: "check for short read": a read past i_size returns what lies before it
        finish(Math.min((long) nr << Page.PAGE_SHIFT, count));
    }

    /**
     * {@code set_page_dirty_lock()}: {@code lock_page}, {@code set_page_dirty}, {@code unlock_page}, all within this
     * step (the model has no page lock to wait for); the zero page is never dirtied.
     */
    private void setPageDirtyLock(int pfn) {
        if (pfn != PageAlloc.ZERO_PFN) {
            trace.path("set_page_dirty_lock");
            frames.set(pfn, PageFlags.PG_DIRTY);
        }
    }

    /**
     * O_DIRECT on tmpfs from 6.6 ({@link Switch#SHMEM_DIRECT_IO}: {@code FMODE_CAN_ODIRECT}, {@code noop_direct_IO}):
     * "a simple copy through the page cache", {@code shmem_file_read_iter} / {@code generic_perform_write}, in this
     * step. The user side is {@code copy_to_user}/{@code copy_from_user}, which the model makes through GUP of each
     * page for the moment of the copy (a fault where nothing is mapped, -EFAULT where nothing can be).
     *
     * @return the bytes copied (a read stops at {@code i_size}), or -EFAULT if the first page cannot be reached
     */
    private long shmemCopy(AddressSpace mapping) {
        trace.path(write ? "shmem_file_write_iter: generic_perform_write" : "shmem_file_read_iter");
        long total = write ? len : Math.min(len, Math.max(mapping.size() - foff, 0));
        for (long done = 0; done < total; done += Page.PAGE_SIZE) {
            GupPages g = gup.getUserPagesFastUnheld(mm, addr + done, 1, write ? 0 : Foll.FOLL_WRITE).complete();
            if (g.ret() != 1) {
                return done > 0 ? done : -Errno.EFAULT;
            }
            int pfn = g.pfn(0);
            for (int w = 0; w < Page.PAGE_WORDS && done + 8L * w < total; w++) {
                long pos = foff + done + 8L * w;
                if (write) {
                    vfs.filemap().write(mapping, pos, frames.word(pfn, w));
                } else {
                    frames.setWord(pfn, w, vfs.filemap().read(mapping, pos).value());
                    frames.setWriter(pfn, mm.id(), core.epoch(mm.id()));
                }
            }
            gup.putPage(pfn);
            if (write && foff + done + Page.PAGE_SIZE > mapping.size()) {
                mapping.setSize(foff + done + Page.PAGE_SIZE); // write_end: i_size covers every byte written
            }
        }
        return total;
    }

    /**
     * {@code invalidate_inode_pages2_range()} over the {@code nr} pages from {@code foff}, before the write
     * ({@code kiocb_invalidate_pages}) and after it ({@code kiocb_invalidate_post_direct_write}): each cached page is
     * unmapped from every process ({@code unmap_mapping_folio}: private COW copies stay), then leaves the cache
     * ({@code invalidate_complete_folio2}: its buffers released, whatever else holds it, so a GUP or pipe reference
     * keeps the old page, orphaned); a page dirty again stays, stale ({@code dio_warn_stale_pagecache}).
     */
    private void invalidate(AddressSpace mapping, int nr) {
        trace.path("invalidate_inode_pages2_range");
        long first = foff >>> Page.PAGE_SHIFT;
        for (long index = first; index < first + nr; index++) {
            if (mapping.pageAt(index) < 0) {
                continue;
            }
            vfs.unmapMappingFolio(mapping, index, write ? "odirect_write" : "odirect_read");
            int pfn = mapping.pageAt(index);
            if (frames.test(pfn, PageFlags.PG_DIRTY)) {
                trace.path("dio_warn_stale_pagecache");
                continue;
            }
            vfs.filemap().releaseBuffers(pfn);
            mapping.removePage(index);
            frames.setMapping(pfn, 0, 0);
            core.alloc().putPage(pfn);
        }
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(file == null ? 0 : file.id()).add(gupCall == null ? 0 : gupCall.fingerprint())
                .add(pages == null ? 0 : pages.id()).add(count);
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private DirectIo(DirectIo o, Copier c) {
        super(o, c);
        this.core = c.copy(o.core);
        this.frames = c.copy(o.frames);
        this.gup = c.copy(o.gup);
        this.vfs = c.copy(o.vfs);
        this.files = c.copy(o.files);
        this.mm = c.copy(o.mm);
        this.fd = o.fd;
        this.foff = o.foff;
        this.addr = o.addr;
        this.len = o.len;
        this.write = o.write;
        this.file = c.copy(o.file);
        this.gupCall = c.copy(o.gupCall);
        this.pages = c.copy(o.pages);
        this.count = o.count;
    }

    @Override
    public DirectIo copy(Copier c) {
        return new DirectIo(this, c);
    }
}
