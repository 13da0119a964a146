package org.mmsim.kernel;

/**
 * Writes and reads of another address space: {@code /proc/PID/mem} ({@code mem_rw}) and
 * {@code ptrace(PTRACE_POKEDATA/PEEKDATA)} ({@code generic_ptrace_pokedata}), both through
 * {@code access_remote_vm()} (mm/memory.c {@code __access_remote_vm}).
 *
 * <p>Design notes. The access is a FOLL_FORCE GUP of one page in the target mm ({@code get_user_pages_remote}),
 * then a copy through the kernel's own mapping of that page ({@code copy_to_user_page}),
 * {@code set_page_dirty_lock()} and {@code put_page()}. FOLL_FORCE lets a debugger write to a read-only private
 * mapping: GUP must then break COW and write only the private anonymous copy, never the page cache of the file
 * and never by making the VMA writable (the mkdirty selftest's "PTRACE write access"). Whether GUP hands back the
 * right page is the Dirty COW story ({@link Gup}); this class only uses what GUP returns.
 */
final class ProcMem {
    private final Kernel k;

    ProcMem(Kernel k) {
        this.k = k;
    }

    /**
     * {@code __access_remote_vm()} for one word: on a write, store {@code value} at {@code addr}; on a read,
     * return it.
     *
     * @return the word read (0 for a write) and the bytes copied: 8, or 0 when GUP failed (the callers turn that
     *     into -EIO)
     */
    FileRead accessRemoteVm(Mm mm, long addr, long value, boolean write) {
        AccessRemoteVm call = new AccessRemoteVm(k, mm, addr, value, write);
        call.runToEnd();
        return call.result();
    }
}
