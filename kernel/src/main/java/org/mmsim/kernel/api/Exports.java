package org.mmsim.kernel.api;

import java.util.List;
import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FileOperations;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.memory.Memory;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageReferences;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.state.Hashable;

/**
 * The kernel's {@code EXPORT_SYMBOL} list: everything a driver (the {@code drivers} module, and io_uring, which the
 * model writes as a client of this list) may call. Each method is the kernel function it is named after, run to its
 * end in the driver's own step, with that function's returns and locks. Objects handed to drivers ({@link Vma},
 * {@link File}, {@link Mm}, {@link GupPages}) expose only their members marked {@link Export};
 * {@code ArchitectureTest} holds drivers to that.
 */
@Export
public final class Exports {
    private final MmCore core;
    private final Gup gup;
    private final Memory memory;
    private final Vfs vfs;
    private final List<Hashable> driverState;
    private final List<PageReferences> pageReferences;

    public Exports(MmCore core, Gup gup, Memory memory, Vfs vfs, List<Hashable> driverState,
            List<PageReferences> pageReferences) {
        this.core = core;
        this.gup = gup;
        this.memory = memory;
        this.vfs = vfs;
        this.driverState = driverState;
        this.pageReferences = pageReferences;
    }

    /** Tell the trace that driver function {@code function} was entered (a journal shows it in the step's path). */
    @Export
    public void tracePath(String function) {
        core.trace().path(function);
    }

    /** The behaviour profile the kernel runs ({@code LINUX_VERSION_CODE} and the config, for a driver). */
    @Export
    public KernelProfile profile() {
        return core.profile();
    }

    // ---- GUP ------------------------------------------------------------------------------------------------

    /** {@code get_user_pages()}: see {@code Gup#getUserPages}; the caller holds the returned pages. */
    @Export
    public GupPages getUserPages(Mm mm, long start, int nr, int gupFlags) {
        return gup.getUserPages(mm, start, nr, gupFlags).complete();
    }

    /** {@code get_user_pages_fast()}. */
    @Export
    public GupPages getUserPagesFast(Mm mm, long start, int nr, int gupFlags) {
        return gup.getUserPagesFast(mm, start, nr, gupFlags).complete();
    }

    /** {@code pin_user_pages()}. */
    @Export
    public GupPages pinUserPages(Mm mm, long start, int nr, int gupFlags) {
        return gup.pinUserPages(mm, start, nr, gupFlags).complete();
    }

    /** {@code pin_user_pages_fast()}. */
    @Export
    public GupPages pinUserPagesFast(Mm mm, long start, int nr, int gupFlags) {
        return gup.pinUserPagesFast(mm, start, nr, gupFlags).complete();
    }

    /** {@code unpin_user_pages()}: 0, or -EINVAL if already released or not pins. */
    @Export
    public long unpinUserPages(GupPages g) {
        return gup.unpinUserPages(g);
    }

    /** {@code unpin_user_pages_dirty_lock()}. */
    @Export
    public long unpinUserPagesDirtyLock(GupPages g, boolean makeDirty) {
        return gup.unpinUserPagesDirtyLock(g, makeDirty);
    }

    /** {@code put_page()} on each page of a {@code get_user_pages*()} array. */
    @Export
    public long putPages(GupPages g) {
        return gup.putPages(g);
    }

    // ---- device memory --------------------------------------------------------------------------------------

    /** The first PFN above RAM: device memory (BARs) is numbered from here and has no {@code struct page}. */
    @Export
    public long firstDevicePfn() {
        return core.frames().nrFrames();
    }

    /** {@code remap_pfn_range()}: see {@code Memory#remapPfnRange}. */
    @Export
    public int remapPfnRange(Vma vma, long addr, long pfn, long size, long prot) {
        return memory.remapPfnRange(vma, addr, pfn, size, prot);
    }

    /**
     * A device reads word {@code word} of page {@code i} of the pages it holds (DMA from memory, or
     * {@code kmap_local_page} and a read).
     */
    @Export
    public long dmaRead(GupPages g, int i, int word) {
        return core.frames().word(g.pfn(i), word);
    }

    /** A device writes through the pages it holds (DMA to memory); the data belongs to the mm the pages came from. */
    @Export
    public void dmaWrite(GupPages g, int i, int word, long value) {
        int pfn = g.pfn(i);
        KernelBug.bugOn(pfn == PageAlloc.ZERO_PFN, "zero_page_write", "DMA write into the shared zero page");
        core.frames().setWord(pfn, word, value);
        core.frames().setWriter(pfn, g.mm().id(), core.epoch(g.mm().id()));
    }

    // ---- files ----------------------------------------------------------------------------------------------

    /** {@code register_chrdev()} / {@code misc_register()}: {@code /dev/NAME} opens with {@code fops}. */
    @Export
    public void registerChrdev(String name, FileOperations fops) {
        vfs.registerChrdev(name, fops);
    }

    /** {@code anon_inode_getfile()}: see {@code Vfs#anonInodeGetfile}. */
    @Export
    public File anonInodeGetfile(FileOperations fops, Object priv, int flags) {
        return vfs.anonInodeGetfile(fops, priv, flags);
    }

    /** {@code kernel_write()} of one word at {@code pos}: bytes written or -errno, as {@code vfs_write}. */
    @Export
    public long kernelWrite(File f, long pos, long value) {
        return vfs.write(f, pos, value);
    }

    // ---- accounting and state -------------------------------------------------------------------------------

    /** {@code user->locked_vm} of the one user every process runs as, in pages. */
    @Export
    public long userLockedVm() {
        return core.userLockedVm();
    }

    /** Charge (or, negative, uncharge) {@code pages} to {@code user->locked_vm}, as io_uring's accounting does. */
    @Export
    public void addUserLockedVm(long pages) {
        core.addUserLockedVm(pages);
    }

    /**
     * Register state the driver keeps beyond its files and VMAs (a device-wide counter, a table): it becomes part of
     * the machine's fingerprint, after everything the kernel owns, in registration order.
     */
    @Export
    public void registerState(Hashable state) {
        driverState.add(state);
    }

    /** Register page references the driver holds outside {@code pages[]} arrays, for the accounting invariant. */
    @Export
    public void registerPageReferences(PageReferences holder) {
        pageReferences.add(holder);
    }
}
