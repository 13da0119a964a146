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
            put(n++, UmmunotifyDriver.EVENT_OVERFLOW, 0, 0, 0, kernel.deviceRead(file.counterPfn, 0));
            file.overflow = false;
            file.needEmpty = true;
        }
        while (n < max) {
            if (file.invalidList.isEmpty()) {
                put(n++, UmmunotifyDriver.EVENT_LAST, 0, 0, 0, kernel.deviceRead(file.counterPfn, 0));
                file.needEmpty = false;
                break;
            }
            UmmunotifyFile.Reg r = file.invalidList.remove(0);
            if (r.hint) {
                // the hint clipped to the registration: max and min of unsigned longs
                put(n++, UmmunotifyDriver.EVENT_INVAL, UmmunotifyDriver.EVENT_FLAG_HINT,
                        Long.compareUnsigned(r.start, r.hintStart) >= 0 ? r.start : r.hintStart,
                        Long.compareUnsigned(r.end, r.hintEnd) <= 0 ? r.end : r.hintEnd, r.cookie);
            } else {
                put(n++, UmmunotifyDriver.EVENT_INVAL, 0, r.start, r.end, r.cookie);
            }
            r.invalid = false;
            r.hint = false;
            file.needEmpty = true;
        }
        returns((long) n * UmmunotifyDriver.EVENT_BYTES);
    }

    /** Event {@code n} of the buffer: {@code struct ummunotify_event}, as {@link UmmunotifyDriver#EVENT_WORDS} words. */
    private void put(int n, int type, int flags, long hintStart, long hintEnd, long cookieCounter) {
        int w = n * UmmunotifyDriver.EVENT_WORDS;
        buf[w] = (type & 0xffffffffL) | (long) flags << 32;
        buf[w + 1] = hintStart;
        buf[w + 2] = hintEnd;
        buf[w + 3] = cookieCounter;
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
