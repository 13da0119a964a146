package org.mmsim.kernel;

/**
 * {@code __access_remote_vm()} (mm/memory.c) for one word, as a call the explorer can suspend:
 *
 * <pre>
 *   LOCK:  mmap_read_lock(mm)
 *   GUP:   get_user_pages_remote(FOLL_FORCE | FOLL_REMOTE [| FOLL_WRITE])   (the {@link GetUserPages} steps)
 *          then, in the same step: copy_to_user_page() or copy_from_user_page(),
 *          set_page_dirty_lock(), put_page(), mmap_read_unlock(mm)
 * </pre>
 *
 * What the write reaches is whatever page GUP returned: the Dirty COW question ({@link Gup}).
 *
 * <p>Returns the bytes copied: 8, or 0 when GUP failed (its callers turn that into -EIO).
 */
final class AccessRemoteVm extends KernelCall {
    private static final int LOCK = 0;
    private static final int GUP = 1;

    private final Mm mm;
    private final long addr;
    private final long value;
    private final boolean write;
    private final int word;
    private final int flags;
    private GetUserPages gup;
    /** The word read. */
    long read;

    AccessRemoteVm(Kernel k, Mm mm, long addr, long value, boolean write) {
        super(k, "__access_remote_vm");
        this.mm = mm;
        this.addr = addr;
        this.value = value;
        this.write = write;
        this.word = PageFrames.wordOf(addr, "address");
        this.flags = Gup.FOLL_FORCE | Gup.FOLL_REMOTE | Gup.FOLL_GET | Gup.FOLL_TOUCH | (write ? Gup.FOLL_WRITE : 0);
    }

    @Override
    public boolean runnable() {
        return pc == LOCK ? mmapReadFree(mm) : gup.runnable();
    }

    @Override
    void advance() {
        if (pc == LOCK) {
            k.path("__access_remote_vm");
            mmapReadLock(mm);
            gup = new GetUserPages(k, mm, addr & -PageTable.PAGE_SIZE, 1, flags, new int[1]);
            at(GUP, "mmap_read_lock taken");
            return;
        }
        gup.advance();
        if (!gup.done()) {
            at(GUP, "%s", new SubPoint(gup));
            return;
        }
        if (gup.ret() != 1) {
            mmapReadUnlock(mm);
            finish(0);
            return;
        }
        int pfn = gup.pages[0];
        if (write) {
            KernelBug.bugOn(pfn == PageAlloc.ZERO_PFN, "zero_page_write",
                    "access_remote_vm wrote into the shared zero page at " + Long.toHexString(addr));
            k.path("copy_to_user_page");
            k.frames.setWord(pfn, word, value);
            k.frames.setWriter(pfn, mm.id(), k.tickForWrite());
            k.frames.set(pfn, PageFlags.PG_DIRTY);
        } else {
            read = k.frames.word(pfn, word);
        }
        k.gup.gupPutPage(pfn, flags);
        mmapReadUnlock(mm);
        finish(8);
    }

    /** The result as {@code mem_rw} sees it: the word read (0 for a write) and the bytes copied, 8 or 0. */
    FileRead result() {
        return new FileRead(read, (int) ret);
    }

    @Override
    void locals(StateHasher h) {
        h.add(read);
        h.add(gup == null ? 0 : gup.fingerprint());
    }
}
