package org.mmsim.drivers.ummunotify;

import org.mmsim.kernel.api.DriverCall;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.locking.WaitEvent;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code ummunotify_read}, as an interleaving:
 * <pre>
 *   0: used = 1 (and the bounce page); lock;
 *      while !readable: unlock; O_NONBLOCK? return -EAGAIN; sleep on read_wait (point 1)
 *   1: wait_event_interruptible(read_wait, readable); lock again, then as below
 *      fill up to min(PAGE_SIZE, count) / 32 events: an INVAL per queued report, oldest first (its registration
 *      stays registered and may be queued again), then, with the list empty, a LAST with the counter, which ends it
 * </pre>
 * Readable means {@code need_empty || !list_empty(&invalid_list)}: a LAST comes only after an INVAL was read since the
 * previous LAST, and a read with nothing queued and no LAST owed sleeps. A read of fewer than 32 bytes, once readable,
 * returns 0 and takes nothing. An INVAL's hint is the invalidated range clipped to the registration while it is exact
 * (one invalidation since it was queued: {@code UMMUNOTIFY_EVENT_FLAG_HINT}), else the whole registration. The events
 * go to {@code buf}, four words each ({@link UmmunotifyDriver#EVENT_WORDS}). Under {@code
 * ummunotify_queue=bounded_overflow}, a read after lost reports starts with an OVERFLOW event. A signal (-ERESTARTSYS)
 * is not modelled.
 */
final class UmmunotifyRead extends DriverCall {
    private static final int SLEEPING = 1;

    private final Exports kernel;
    private final UmmunotifyFile file;
    private final long count;
    private final boolean nonblock;
    private final long[] buf;
    private final WaitEvent readWait;

    UmmunotifyRead(Exports kernel, UmmunotifyFile file, long count, boolean nonblock, long[] buf) {
        super(kernel, "ummunotify_read");
        this.kernel = kernel;
        this.file = file;
        this.count = count;
        this.nonblock = nonblock;
        this.buf = buf;
        this.readWait = new WaitEvent("ummunotify read_wait", file.mm.id(), file::readable);
    }

    @Override
    public Acquire blockedOn() {
        return point0() == SLEEPING && !file.readable() ? readWait : null;
    }

    @Override
    protected void advance() {
        if (point0() == 0) {
            kernel.tracePath("ummunotify_read");
            file.used = true;
            if (!file.readable()) {
                if (nonblock) {
                    returns(-Errno.EAGAIN);
                    return;
                }
                stopAt(SLEEPING, "wait_event_interruptible(read_wait)");
                return;
            }
        }
        int max = (int) (Math.min(Page.PAGE_SIZE, count) / UmmunotifyDriver.EVENT_BYTES);
        max = Math.min(max, buf.length / UmmunotifyDriver.EVENT_WORDS);
        int n = 0;
        if (file.overflow && max > 0) {
            buf[0] = UmmunotifyDriver.EVENT_OVERFLOW;
            buf[1] = 0;
            buf[2] = 0;
            buf[3] = kernel.kernelPageRead(file.counterPfn, 0);
            file.overflow = false;
            file.needEmpty = true;
            n++;
        }
        while (n < max) {
            int w = n * UmmunotifyDriver.EVENT_WORDS;
            if (file.invalidList.isEmpty()) {
                buf[w] = UmmunotifyDriver.EVENT_LAST;
                buf[w + 1] = 0;
                buf[w + 2] = 0;
                buf[w + 3] = kernel.kernelPageRead(file.counterPfn, 0);
                n++;
                file.needEmpty = false;
                break;
            }
            UmmunotifyFile.Reg r = file.invalidList.remove(0);
            buf[w] = UmmunotifyDriver.EVENT_INVAL | (r.hint ? (long) UmmunotifyDriver.EVENT_FLAG_HINT << 32 : 0);
            // max and min of unsigned longs
            buf[w + 1] = !r.hint ? r.start : Long.compareUnsigned(r.start, r.hintStart) >= 0 ? r.start : r.hintStart;
            buf[w + 2] = !r.hint ? r.end : Long.compareUnsigned(r.end, r.hintEnd) <= 0 ? r.end : r.hintEnd;
            buf[w + 3] = r.cookie;
            r.invalid = false;
            r.hint = false;
            file.needEmpty = true;
            n++;
        }
        returns((long) n * UmmunotifyDriver.EVENT_BYTES);
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(file.id).add(count).add(nonblock);
    }

    private UmmunotifyRead(UmmunotifyRead o, Copier c) {
        super(o, c);
        this.kernel = c.copy(o.kernel);
        this.file = c.copy(o.file);
        this.count = o.count;
        this.nonblock = o.nonblock;
        this.buf = c.array(o.buf);
        this.readWait = new WaitEvent("ummunotify read_wait", file.mm.id(), file::readable);
    }

    @Override
    public UmmunotifyRead copy(Copier c) {
        return new UmmunotifyRead(this, c);
    }
}
