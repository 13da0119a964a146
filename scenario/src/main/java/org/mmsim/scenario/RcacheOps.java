package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.name;
import static org.mmsim.scenario.Bindings.num;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mmsim.drivers.rdma.RdmaDriver;
import org.mmsim.drivers.ummunotify.UmmunotifyDriver;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.memory.Mmu;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.syscall.RecordReadCall;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * A user-space RDMA registration cache on top of ummunotify (seed 004: "the thing MPI libraries actually build";
 * reference/ummunotify-and-rcache.md §1.12 and §2.1): Open MPI's ummunotify memory component and Portals4's MR cache,
 * reduced to what decides correctness.
 *
 * <p>{@code rcache_init R [MONITOR]} opens {@code /dev/ummunotify} and maps its counter page. {@code rcache_reg M R ADDR
 * LEN} is the library's registration call, a sequence of system calls each a step of its own:
 * <pre>
 *   gen = *counter                              the fast path (opal_memory_changed): a load of the mapped counter
 *   if gen != last LAST seen:                   the slow path: read one event at a time, O_NONBLOCK
 *       INVAL(cookie) → evict that entry:       UNREGISTER_REGION(cookie), DEREG_MR, close(mr fd)
 *       OVERFLOW (ummunotify_queue=bounded_overflow) → evict every entry
 *       LAST(counter) → last seen = counter; done       -EAGAIN → done (Open MPI's reading of it)
 *   an entry that contains [ADDR, ADDR+LEN) → a hit: M is its MR
 *   else: REGISTER_REGION([ADDR, ADDR+LEN), next cookie), then open(/dev/rdma) + REG_MR, pinned → M
 * </pre>
 * With {@code ORDER} {@code watch_first} (the default; Portals4's {@code mr_create}) the range is watched before it is
 * pinned, so an invalidation between the two is not missed; {@code pin_first} is Open MPI's order
 * ({@code mca_rcache_vma_insert} starts monitoring after the MR is registered), which misses one. The fast path and
 * the draining before a lookup are Open MPI's (Portals4 drains from its event loop). Entries stay cached
 * (Open MPI's {@code leave_pinned}): nothing here deregisters a registration but an event. With {@code MONITOR} {@code
 * none} the cache ignores the counter it loads and never reads an event: a cache whose memory hooks never fire. (It
 * loads it all the same because an operation of the model is made of kernel calls, and a hit would otherwise make
 * none; the load only faults the counter page in the first time.)
 *
 * <p><b>The invariant</b> ({@code registration-cache}): a hit must hand out a registration whose pinned pages are the
 * pages the process maps over the range now. One that holds other pages (the memory was unmapped, remapped, or copied
 * on write after fork, and the cache did not hear of it) is a violation, recorded at the step of the hit.
 *
 * <p>One thread per cache in a group of threads ({@link #oneThreadPerCache}, a scenario error otherwise): the library's
 * own lock is not modelled, and the library's code is replayed over the cache's state at each step, which another
 * thread's registration would change under it.
 */
final class RcacheOps {
    private RcacheOps() {}

    /** The registration cache's invariant, as reports name it. */
    static final String INVARIANT = "registration-cache";
    static final String INVARIANT_DOC = "a cache hit hands out a registration whose pinned pages are what the process "
            + "maps over the range asked for";

    /** The access a cached MR is registered with: local and remote write. */
    private static final int ACCESS = RdmaDriver.IB_ACCESS_LOCAL_WRITE | RdmaDriver.IB_ACCESS_REMOTE_WRITE
            | RdmaDriver.IB_ACCESS_REMOTE_READ;

    static List<Operation> operations() {
        return List.of(
                Operation.of("rcache_init", "NEW [MONITOR] [ORDER]",
                        "a registration cache: open(/dev/ummunotify, O_RDONLY) and mmap of its counter page; MONITOR "
                                + "ummunotify (the default) drains its events before a lookup when the counter moved, "
                                + "none never looks; ORDER watch_first (the default, Portals4) registers a new range "
                                + "with ummunotify before pinning it, pin_first (Open MPI) after; NEW names the cache; "
                                + "returns 0 or -errno",
                        (b, t, op) -> b.files().open(t, "/dev/" + UmmunotifyDriver.DEVICE, Fcntl.O_RDONLY))
                        .binding("rcache")
                        .then((b, t, op, calls) -> calls.size() == 1 && calls.get(0).ret() >= 0
                                ? b.sys().mmap(t, 0, Page.PAGE_SIZE, Mman.PROT_READ, Mman.MAP_SHARED,
                                        (int) calls.get(0).ret(), 0)
                                : null)
                        .returning(RcacheOps::bindCache),
                Operation.of("rcache_reg", "NEW RCACHE ADDR LEN",
                        "the cache's registration of [ADDR, ADDR+LEN): the counter, then (if it moved) its events, one "
                                + "read at a time, evicting what they name; then a hit, or a new pinned MR watched "
                                + "through ummunotify; NEW names the MR; returns 1 for a hit, 0 for a new MR, or -errno",
                        (b, t, op) -> plan(b, t, op, List.of()).call)
                        .binding("mr")
                        .then((b, t, op, calls) -> plan(b, t, op, calls).call)
                        .returning((b, t, op, calls) -> finish(b, t, op, calls)));
    }

    /**
     * A cache is used by one thread of a group at most: the library's lock is not modelled, and two threads in
     * {@code rcache_reg} of one cache at once would each replay its code over what the other wrote. A scenario error at
     * the second thread's use otherwise.
     */
    static void oneThreadPerCache(List<Scenario.ThreadBlock> group, ScenarioParser parser) throws ScenarioException {
        Map<String, String> user = new HashMap<>();
        for (Scenario.ThreadBlock t : group) {
            for (Op op : t.ops()) {
                if (!op.kind().keyword().equals("rcache_reg")) {
                    continue;
                }
                String cache = name(op, 1);
                String other = user.putIfAbsent(cache, t.name());
                if (other != null && !other.equals(t.name())) {
                    throw parser.error(op.line(), op.arg(1).col(), "registration cache '" + cache + "' is used by "
                            + "threads " + other + " and " + t.name() + " of one group: the library's lock is not "
                            + "modelled, so a cache is one thread's at a time (give each thread a cache of its own)");
                }
            }
        }
    }

    private static Value bindCache(Bindings b, Task t, Op op, List<KernelCall<?>> calls) {
        long fd = calls.get(0).ret();
        long counter = calls.size() > 1 ? calls.get(1).ret() : fd;
        boolean monitored = op.arg(1) == null || name(op, 1).equals("ummunotify");
        boolean pinFirst = op.arg(2) != null && name(op, 2).equals("pin_first");
        b.bind(name(op, 0), new Bindings.Rcache(monitored, pinFirst, (int) fd, counter, 0, List.of(), 1));
        return Value.of(fd < 0 ? fd : counter < 0 ? counter : 0);
    }

    /** Where the library's code stands after {@code calls}: the next call to make, or null, and what it has done. */
    private static final class Plan {
        KernelCall<?> call;
        final List<Bindings.RcacheEntry> entries;
        long lastSeen;
        long nextCookie;
        /** The entry handed out (a hit or a new one), or null while none is. */
        Bindings.RcacheEntry result;
        boolean hit;
        long error;

        Plan(Bindings.Rcache c) {
            entries = new ArrayList<>(c.entries());
            lastSeen = c.lastSeen();
            nextCookie = c.nextCookie();
        }
    }

    /** Stops the replay of the library's code at the first call not made yet. */
    private static final class NextCall extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NextCall() {
            super(null, null, false, false);
        }
    }

    /**
     * The library's code replayed over the results of {@code calls} (the calls it made so far, in order): where it
     * stands, with the next call it makes (null when it is done). The code is deterministic, so each step replays it
     * from the start instead of keeping a program counter.
     */
    private static Plan plan(Bindings b, Task t, Op op, List<KernelCall<?>> calls) throws ScenarioException {
        Bindings.Rcache c = b.rcache(op, 1);
        Plan p = new Plan(c);
        long addr = b.addr(op, 2);
        long end = addr + num(op, 3);
        int[] made = {0};
        Caller call = make -> {
            if (made[0] < calls.size()) {
                return calls.get(made[0]++);
            }
            p.call = make.call();
            throw new NextCall();
        };
        try {
            // every lookup loads the counter, a cache without a monitor too (and ignores it): the model's operations
            // are made of kernel calls, and a hit would otherwise make none
            Mmu.Access gen = (Mmu.Access) call.call(() -> b.sys().load(t, c.counterAddr())).result();
            if (c.monitored() && !gen.faulted() && gen.value() != p.lastSeen) {
                drain(b, t, c, p, call);
            }
            for (Bindings.RcacheEntry e : p.entries) {
                if (e.start() <= addr && end <= e.end()) {
                    p.result = e;
                    p.hit = true;
                    return p;
                }
            }
            long cookie = p.nextCookie++;
            if (!c.pinFirst()) {
                long r = call.call(() -> b.files().ioctl(t, c.umnFd(), UmmunotifyDriver.UMMUNOTIFY_REGISTER_REGION,
                        addr, end, cookie, 0)).ret();
                if (r < 0) {
                    p.error = r;
                    return p;
                }
            }
            long fd = call.call(() -> b.files().open(t, "/dev/" + RdmaDriver.DEVICE, Fcntl.O_RDWR)).ret();
            if (fd < 0) {
                unwatch(b, t, c, cookie, call);
                p.error = fd;
                return p;
            }
            long r = call.call(() -> b.files().ioctl(t, (int) fd, RdmaDriver.RDMA_REG_MR, addr, end - addr,
                    RdmaDriver.MODE_PINNED, ACCESS)).ret();
            if (r < 0) {
                call.call(() -> b.files().close(t, (int) fd));
                unwatch(b, t, c, cookie, call);
                p.error = r;
                return p;
            }
            if (c.pinFirst()) {
                // Open MPI: "If we successfully registered, then tell the memory manager to start monitoring" — an
                // invalidation between the pin and this is never reported
                call.call(() -> b.files().ioctl(t, c.umnFd(), UmmunotifyDriver.UMMUNOTIFY_REGISTER_REGION, addr, end,
                        cookie, 0));
            }
            p.result = new Bindings.RcacheEntry(addr, end, (int) fd, cookie);
            p.entries.add(p.result);
        } catch (NextCall next) {
            return p;
        }
        p.call = null;
        return p;
    }

    /** Undoes the watch of a registration that failed, if it was watched first. */
    private static void unwatch(Bindings b, Task t, Bindings.Rcache c, long cookie, Caller call)
            throws ScenarioException {
        if (!c.pinFirst()) {
            call.call(() -> b.files().ioctl(t, c.umnFd(), UmmunotifyDriver.UMMUNOTIFY_UNREGISTER_REGION, cookie));
        }
    }

    /**
     * The slow path: one event per read until a LAST or -EAGAIN, evicting the entry each INVAL names, and every entry
     * at an OVERFLOW.
     */
    private static void drain(Bindings b, Task t, Bindings.Rcache c, Plan p, Caller call) throws ScenarioException {
        while (true) {
            RecordReadCall read = (RecordReadCall) call.call(() -> b.files().readRecords(t, c.umnFd(),
                    UmmunotifyDriver.EVENT_BYTES, true));
            long[] ev = read.buffer();
            if (ev.length < UmmunotifyDriver.EVENT_WORDS) {
                return; // -EAGAIN: Open MPI takes it for done
            }
            if (UmmunotifyDriver.eventType(ev[0]) == UmmunotifyDriver.EVENT_LAST) {
                p.lastSeen = ev[3];
                return;
            }
            boolean overflow = UmmunotifyDriver.eventType(ev[0]) == UmmunotifyDriver.EVENT_OVERFLOW;
            for (Bindings.RcacheEntry e : List.copyOf(p.entries)) {
                if (overflow || e.cookie() == ev[3]) {
                    call.call(() -> b.files().ioctl(t, c.umnFd(), UmmunotifyDriver.UMMUNOTIFY_UNREGISTER_REGION,
                            e.cookie()));
                    call.call(() -> b.files().ioctl(t, e.mrFd(), RdmaDriver.RDMA_DEREG_MR));
                    call.call(() -> b.files().close(t, e.mrFd()));
                    p.entries.remove(e);
                }
            }
        }
    }

    /** A call of the library: the one already made at this point, or (none yet) the one to make now. */
    @FunctionalInterface
    private interface Caller {
        KernelCall<?> call(Make make) throws ScenarioException;
    }

    @FunctionalInterface
    private interface Make {
        KernelCall<?> call() throws ScenarioException;
    }

    /**
     * The library's registration is over: the cache's new state is bound, NEW to the MR handed out, and a hit is held
     * against what the process maps ({@code registration-cache}).
     */
    private static Value finish(Bindings b, Task t, Op op, List<KernelCall<?>> calls) throws ScenarioException {
        Plan p = plan(b, t, op, calls);
        Bindings.Rcache c = b.rcache(op, 1);
        b.bind(name(op, 1), new Bindings.Rcache(c.monitored(), c.pinFirst(), c.umnFd(), c.counterAddr(), p.lastSeen,
                p.entries, p.nextCookie));
        if (p.result == null) {
            b.bind(name(op, 0), new Bindings.Fd((int) p.error, null));
            return Value.of(p.error);
        }
        b.bind(name(op, 0), new Bindings.Fd(p.result.mrFd(), "/dev/" + RdmaDriver.DEVICE));
        if (p.hit) {
            checkHit(b, t, op, p.result, b.addr(op, 2), b.addr(op, 2) + num(op, 3));
        }
        return Value.of(p.hit ? 1 : 0);
    }

    /**
     * {@code registration-cache}: the MR a hit hands out pins, page by page over the range asked for
     * ([addr, addr+len), not the whole entry: a page of the entry outside it may have changed harmlessly), what the
     * process maps there. A page the process maps nothing at counts as changed in an anonymous VMA (its next touch
     * gets a new page) and is not judged in a file VMA (the page cache may still hold the pinned page, which a fault
     * would map again). The MR is found by its fd in the caller's table; a program that closed it is not checked.
     */
    private static void checkHit(Bindings b, Task t, Op op, Bindings.RcacheEntry e, long addr, long end) {
        int[] pinned = RdmaDriver.pinnedFrames(t.files().get(e.mrFd()) == null ? null
                : t.files().get(e.mrFd()).privateData());
        if (pinned == null) {
            return;
        }
        long first = e.start() & -Page.PAGE_SIZE;
        for (long a = addr & -Page.PAGE_SIZE; a < end; a += Page.PAGE_SIZE) {
            int i = (int) ((a - first) >>> Page.PAGE_SHIFT);
            if (i < 0 || i >= pinned.length) {
                continue;
            }
            Vma vma = t.mm().vmaAt(a);
            long pte = vma == null ? 0 : t.mm().pte(a);
            long cpu = Pte.present(pte) ? Pte.pfn(pte) : -1;
            if (cpu < 0 && vma != null && !vma.isAnonymous()) {
                continue;
            }
            if (cpu != pinned[i]) {
                b.libraryViolation(new Violation(INVARIANT, String.format(
                        "%s's cache handed out its registration of [%#x, %#x) (cookie %d) at line %d, whose page at "
                                + "%#x is pfn %d while mm %d %s: used after its memory changed",
                        name(op, 1), e.start(), e.end(), e.cookie(), op.line(), a, pinned[i], t.mm().id(),
                        cpu < 0 ? "maps nothing there" : "maps pfn " + cpu), 0));
                return;
            }
        }
    }
}
