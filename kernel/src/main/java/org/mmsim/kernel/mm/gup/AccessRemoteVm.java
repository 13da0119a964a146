package org.mmsim.kernel.mm.gup;

import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.locking.WaitEvent;
import org.mmsim.kernel.mm.AddressSpaceOperations;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code __access_remote_vm()} (mm/memory.c) for one word, as a call the explorer can suspend; it lives with GUP,
 * whose steps it is made of:
 *
 * <pre>
 *   LOCK:  mmap_read_lock(mm)
 *   GUP:   get_user_pages_remote(FOLL_FORCE | FOLL_REMOTE [| FOLL_WRITE])   (the {@link GetUserPages} steps)
 *          then, in the same step: copy_to_user_page() or copy_from_user_page(), set_page_dirty_lock(),
 *          put_page(); or, where GUP failed and the VMA has one, vma-&gt;vm_ops-&gt;access(); mmap_read_unlock(mm)
 *   COPY:  (device memory only) the copy, put_page() and mmap_read_unlock(mm) of a page GUP returned in device memory
 *   DIRTY: (a write whose page was locked: set_page_dirty_lock() sleeps in lock_page, mmap_lock held) the page
 *          dirtied, put_page(), mmap_read_unlock(mm)
 * </pre>
 *
 * <p>When GUP hands back a frame of device memory (a {@code struct page} a driver gave its memory, as 2.6.19's spufs
 * local store), the call stops between {@code get_user_pages} and the copy: the reference keeps the frame, not what
 * it holds, and nothing the caller holds ({@code mmap_lock} for read) keeps the driver from moving another object
 * into it meanwhile (kernel-mm.md §10 B5). For RAM the copy stays in GUP's last step, as before.
 *
 * What the write reaches is whatever page GUP returned: the Dirty COW question ({@link Gup}).
 *
 * <p>Returns the bytes copied: 8, or 0 when neither GUP nor {@code ->access} could (its callers turn that into -EIO);
 * the result is the word read (0 for a write) with that count.
 */
public final class AccessRemoteVm extends KernelCall<WordRead> {
    private static final int LOCK = 0;
    private static final int GUP = 1;
    private static final int PHYS = 2;
    private static final int COPY = 3;
    private static final int DIRTY = 4;

    private final Gup gup;
    private final PageFrames frames;
    private final Mm mm;
    private final long addr;
    private final long value;
    private final boolean write;
    private final int word;
    private final int flags;
    private GetUserPages walk;
    /** {@code generic_access_phys}: the pte {@code follow_pte} found, whose pfn it maps and copies through. */
    private long physPte;
    /**
     * At DIRTY: GUP's reference to the page written, registered with the GUP holders while the call sleeps, so that
     * the accounting invariant can name it.
     */
    private GupPages held;

    AccessRemoteVm(Gup gup, Mm mm, long addr, long value, boolean write) {
        super(gup.trace, gup.core.footprint(), "__access_remote_vm");
        this.gup = gup;
        this.frames = gup.core.frames();
        this.mm = mm;
        this.addr = addr;
        this.value = value;
        this.write = write;
        this.word = Page.modelled(addr) ? Page.wordOf(addr, "address") : -1;
        this.flags = Foll.FOLL_FORCE | Foll.FOLL_REMOTE | Foll.FOLL_GET | Foll.FOLL_TOUCH
                | (write ? Foll.FOLL_WRITE : 0);
    }

    @Override
    public Acquire blockedOn() {
        if (pc == DIRTY) {
            int pfn = held.pfn(0);
            return new WaitEvent("PG_locked of pfn " + pfn, mm.id(), () -> !frames.test(pfn, PageFlags.PG_LOCKED))
                    .blocked();
        }
        return pc == LOCK ? mm.mmapLock().read().blocked() : pc == PHYS ? mm.ptl().acquire().blocked()
                : pc == COPY ? null : walk.blockedOn();
    }

    @Override
    protected void advance() {
        if (pc == LOCK && word < 0 && (addr < 0 || mm.vmaAt(addr) == null)) {
            trace.path("__access_remote_vm");
            finish(0, new WordRead(0, 0));
            return;
        }
        if (pc == LOCK && word < 0) {
            throw new IllegalArgumentException(String.format(
                    "address %#x: only 8-byte aligned offsets below %d within a page are modelled", addr,
                    8 * Page.PAGE_WORDS));
        }
        if (pc == LOCK) {
            trace.path("__access_remote_vm");
            mm.mmapReadLock();
            walk = new GetUserPages(gup, mm, addr & -Page.PAGE_SIZE, 1, flags, new int[1]);
            at(GUP, "mmap_read_lock taken");
            return;
        }
        if (pc == PHYS) {
            genericAccessPhysCopy();
            return;
        }
        if (pc == COPY) {
            copy(walk.pages[0]);
            return;
        }
        if (pc == DIRTY) {
            trace.path("set_page_dirty_lock");
            frames.set(held.pfn(0), PageFlags.PG_DIRTY);
            gup.putPages(held);
            held = null;
            mm.mmapReadUnlock();
            finish(8, new WordRead(0, 8));
            return;
        }
        walk.advance();
        if (!walk.done()) {
            at(GUP, "%s", new SubPoint(walk));
            return;
        }
        if (walk.ret() != 1) {
            Vma vma = mm.vmaAt(addr);
            if (vma != null && vma.vmOps() != null && vma.vmOps().accessIsGenericAccessPhys()
                    && gup.core.profile().on(Switch.VM_OPS_ACCESS)) {
                genericAccessPhysLookup();
                return;
            }
            long[] buf = {value};
            int bytes = vmOpsAccess(buf);
            mm.mmapReadUnlock();
            finish(bytes == 8 ? 8 : 0, new WordRead(write ? 0 : buf[0], bytes == 8 ? 8 : 0));
            return;
        }
        int pfn = walk.pages[0];
        if (gup.core.alloc().isDevice(pfn)) {
            at(COPY, "get_user_pages returned device pfn %d; kmap, copy", pfn);
            return;
        }
        copy(pfn);
    }

    /** {@code copy_{to,from}_user_page()}, {@code set_page_dirty_lock()}, {@code put_page()}, unlock. */
    private void copy(int pfn) {
        gup.core.observeDevice(mm.id(), addr, pfn, "ptrace");
        long read = 0;
        if (write) {
            if (pfn == PageAlloc.ZERO_PFN) {
                throw new KernelBug("zero_page_write",
                        "access_remote_vm wrote into the shared zero page at " + Long.toHexString(addr));
            }
            trace.path("copy_to_user_page");
            frames.storeWord(pfn, word, value, mm.id(), gup.core.epoch(mm.id()));
            if (frames.test(pfn, PageFlags.PG_LOCKED)) {
                // set_page_dirty_lock: lock_page sleeps, dirty or not (unlike unpin_user_pages_dirty_lock's test)
                held = gup.holders().newPages(mm, addr & -Page.PAGE_SIZE, 1, flags);
                held.pfns[0] = pfn;
                held.nr = 1;
                held.ret = 1;
                at(DIRTY, "set_page_dirty_lock: lock_page(pfn %d) waits", pfn);
                return;
            }
            dirtyAndRelease(pfn);
            return;
        } else {
            read = frames.word(pfn, word);
        }
        gup.gupPutPage(pfn, flags);
        mm.mmapReadUnlock();
        finish(8, new WordRead(read, 8));
    }

    /** {@code set_page_dirty_lock()} of the page written, {@code put_page()}, {@code mmap_read_unlock()}. */
    private void dirtyAndRelease(int pfn) {
        trace.path("set_page_dirty_lock");
        frames.set(pfn, PageFlags.PG_DIRTY);
        gup.gupPutPage(pfn, flags);
        mm.mmapReadUnlock();
        finish(8, new WordRead(0, 8));
    }

    /**
     * GUP failed: {@code vma->vm_ops->access} if the VMA has one (2.6.27, 28b2ee20c7cb; switch
     * {@code vm_ops_access}), else nothing (0 bytes, which ptrace and /proc/PID/mem report as -EIO).
     */
    private int vmOpsAccess(long[] buf) {
        Vma vma = mm.vmaAt(addr);
        if (vma == null || vma.vmOps() == null || !vma.vmOps().hasAccess()
                || !gup.core.profile().on(Switch.VM_OPS_ACCESS)) {
            return 0;
        }
        trace.path("vm_ops->access");
        if (vma.mapping() == null || vma.mapping().aops() == AddressSpaceOperations.NONE) {
            gup.core.footprint().global();
        }
        return vma.vmOps().access(vma, addr, buf, write);
    }

    /**
     * {@code generic_access_phys()} (mm/memory.c), first half: {@code follow_pte} under the pte lock, note the pfn and
     * protection, drop the lock, and {@code ioremap_prot} the physical page: the window (a point here) in which the
     * mapping may be zapped and the physical memory handed to someone else. Nothing present: -EINVAL (0 bytes).
     */
    private void genericAccessPhysLookup() {
        trace.path("generic_access_phys");
        gup.core.footprint().global();
        long pte = mm.pte(addr & -Page.PAGE_SIZE);
        if (!Pte.present(pte) || (write && !Pte.write(pte))) {
            mm.mmapReadUnlock();
            finish(0, new WordRead(0, 0));
            return;
        }
        physPte = pte;
        at(PHYS, "generic_access_phys: ioremap of pfn %d", Pte.pfn(pte));
    }

    /**
     * Second half: since 5.12 (96667f8a4382) take the pte lock again and, if the pte changed, unmap and start over;
     * before, copy through the pfn found, whatever it holds now. Then {@code iounmap}.
     */
    private void genericAccessPhysCopy() {
        long now = mm.pte(addr & -Page.PAGE_SIZE);
        if (gup.core.profile().on(Switch.GENERIC_ACCESS_PHYS_RECHECK) && now != physPte) {
            trace.path("generic_access_phys: pte changed, retry");
            genericAccessPhysLookup();
            return;
        }
        int pfn = Pte.pfn(physPte);
        gup.core.observeDevice(mm.id(), addr, pfn, "ptrace");
        long read = -1L;
        if (pfn < frames.nrFrames()) {
            if (write) {
                frames.setWord(pfn, word, value);
                read = 0;
            } else {
                read = frames.word(pfn, word);
            }
        }
        mm.mmapReadUnlock();
        finish(8, new WordRead(write ? 0 : read, 8));
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(walk == null ? 0 : walk.fingerprint()).add(physPte).add(held == null ? 0 : held.id());
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private AccessRemoteVm(AccessRemoteVm o, Copier c) {
        super(o, c);
        this.gup = c.copy(o.gup);
        this.frames = c.copy(o.frames);
        this.mm = c.copy(o.mm);
        this.addr = o.addr;
        this.value = o.value;
        this.write = o.write;
        this.word = o.word;
        this.flags = o.flags;
        this.walk = c.copy(o.walk);
        this.physPte = o.physPte;
        this.held = c.copy(o.held);
    }

    @Override
    public AccessRemoteVm copy(Copier c) {
        return new AccessRemoteVm(this, c);
    }
}
