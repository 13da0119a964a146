package org.mmsim.kernel.proc;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.Gup;
import org.mmsim.kernel.mm.gup.GupCall;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code process_vm_readv()} / {@code process_vm_writev()} (mm/process_vm_access.c, 3.2) of one word, as a call the
 * explorer can suspend: {@code process_vm_rw_core} finds the target ({@code find_get_task_by_vpid},
 * {@code mm_access}: -ESRCH when the process has exited and has no mm), then {@code process_vm_rw_single_vec}
 * takes the remote page under the target's {@code mmap_read_lock} with {@code pin_user_pages_remote(FOLL_WRITE for a
 * write, no FOLL_FORCE)} (FOLL_PIN since 5.6, 803e4572d7c5 in John Hubbard's series with eddb1c228f79: the
 * {@code foll_pin} switch; {@code get_user_pages_remote}, FOLL_GET, before), copies the word
 * ({@code copy_page_from_iter} / {@code copy_page_to_iter}) and releases the page with
 * {@code unpin_user_pages_dirty_lock(pages, n, vm_write)} ({@code set_page_dirty_lock} and {@code put_page} before).
 *
 * <pre>
 *   GUP:   the steps of the GUP (mmap_read_lock of the target, the walk, its faults; mmap_read_unlock)
 *   COPY:  ← point: the page is pinned and no lock is held; copy_page_from_iter/copy_page_to_iter may fault on
 *          the caller's own buffer and sleep here
 *          the copy, then unpin_user_pages_dirty_lock (a write dirties the page) or put_page
 * </pre>
 *
 * This is the path syzbot's reproducer of B6 took: a write pin of a page-cache page of a shared ext4 mapping held
 * while writeback cleans the page and reclaim strips its buffers, then the write through the pin and
 * {@code set_page_dirty_lock} on a page without buffers (scenarios/history/b6-process-vm-writev.mms).
 *
 * <p>Returns 8, or -ENOSYS before 3.2 (the {@code process_vm} switch off), -ESRCH (no such process or no mm), -EFAULT (the remote page could not be pinned: nothing mapped,
 * no permission, a VM_IO/VM_PFNMAP mapping, or the GUP's own refusals); the result is the word read (0 for a write)
 * with that return.
 */
public final class ProcessVmAccess extends KernelCall<WordRead> {
    private static final int GUP = 1;
    private static final int COPY = 2;

    private final PageFrames frames;
    private final MmCore core;
    private final Gup gup;
    private final Task target;
    private final long addr;
    private final long value;
    private final boolean write;
    private final GupCall walk;
    /** The target's mm when the call was made ({@code mm_access} holds a reference until the end). */
    private final Mm mm;

    ProcessVmAccess(MmCore core, Gup gup, Task target, long addr, long value, boolean write) {
        super(core.trace(), core.footprint(), write ? "process_vm_writev" : "process_vm_readv");
        this.core = core;
        this.frames = core.frames();
        this.gup = gup;
        this.target = target;
        this.addr = addr;
        this.value = value;
        this.write = write;
        this.mm = target.mm();
        this.walk = target.exited() ? null
                : gup.userPagesRemoteUnheld(target.mm(), addr & -Page.PAGE_SIZE, 1, write ? Foll.FOLL_WRITE : 0);
    }

    @Override
    public Acquire blockedOn() {
        return walk == null || (pc == 0 && target.exited()) || pc == COPY ? null : walk.blockedOn();
    }

    @Override
    protected void advance() {
        if (pc == 0) {
            if (!core.profile().on(Switch.PROCESS_VM)) {
                finish(-Errno.ENOSYS, new WordRead(0, -Errno.ENOSYS)); // before 3.2 there is no such system call
                return;
            }
            trace.path("process_vm_rw_core");
            if (walk == null || target.exited() || mm.dead()) {
                finish(-Errno.ESRCH, new WordRead(0, -Errno.ESRCH));
                return;
            }
        }
        if (pc != COPY) {
            walk.step();
            if (!walk.done()) {
                at(GUP, "%s", new SubPoint(walk));
                return;
            }
            GupPages g = walk.result();
            if (walk.ret() <= 0 || g == null || g.nr() < 1) {
                finish(-Errno.EFAULT, new WordRead(0, -Errno.EFAULT));
                return;
            }
            at(COPY, "page pinned, mmap_lock dropped; the copy may fault on the local buffer");
            return;
        }
        GupPages g = walk.result();
        trace.path("process_vm_rw_pages");
        int pfn = g.pfn(0);
        int word = Page.wordOf(addr, "address");
        long read = 0;
        if (write) {
            frames.storeWord(pfn, word, value, mm.id(), core.epoch(mm.id()));
        } else {
            read = frames.word(pfn, word);
        }
        if (g.pinned()) {
            gup.unpinUserPagesDirtyLock(g, write);
        } else if (write) {
            gup.putPagesDirtyLock(g);
        } else {
            gup.putPages(g);
        }
        finish(8, new WordRead(read, 8));
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(walk == null ? 0 : walk.fingerprint());
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private ProcessVmAccess(ProcessVmAccess o, Copier c) {
        super(o, c);
        this.core = c.copy(o.core);
        this.frames = core.frames();
        this.gup = c.copy(o.gup);
        this.target = c.copy(o.target);
        this.addr = o.addr;
        this.value = o.value;
        this.write = o.write;
        this.walk = c.copy(o.walk);
        this.mm = c.copy(o.mm);
    }

    @Override
    public ProcessVmAccess copy(Copier c) {
        return new ProcessVmAccess(this, c);
    }
}
