package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.flags;
import static org.mmsim.scenario.Bindings.name;
import static org.mmsim.scenario.Bindings.num;

import java.util.List;
import org.mmsim.drivers.ummunotify.UmmunotifyDriver;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.syscall.RecordReadCall;
import org.mmsim.kernel.uapi.Fcntl;

/**
 * The ummunotify device's operations ({@code drivers/ummunotify}, seed 004): open it, register and unregister ranges
 * by cookie, exchange features, and read its 32-byte events, blocking or not. Its generation counter is mapped with
 * {@code mmap_file} (one page, {@code MAP_SHARED}) and read with {@code load}; {@code close} releases it.
 */
final class UmmunotifyOps {
    private UmmunotifyOps() {}

    /** The fields of an event {@code ummunotify_read} may return, as {@code struct ummunotify_event} names them. */
    static final List<String> EVENT_FIELDS = List.of("type", "flags", "hint_start", "hint_end", "cookie");

    private static final String PATH = "/dev/" + UmmunotifyDriver.DEVICE;

    static List<Operation> operations() {
        return List.of(
                Operation.of("ummunotify_open", "NEW [O]",
                        "open(/dev/ummunotify, O) (O_RDONLY by default): a watch on this process's address space; "
                                + "NEW names the fd; returns it, or -EINVAL for O_RDWR",
                        (b, t, op) -> b.files().open(t, PATH, op.arg(1) == null ? Fcntl.O_RDONLY : flags(op, 1)))
                        .binding("file")
                        .returning((b, t, op, calls) -> FileOps.bindFd(b, op, calls, PATH)),
                Operation.of("ummunotify_register", "FD ADDR LEN N",
                        "UMMUNOTIFY_REGISTER_REGION of [ADDR, ADDR+LEN) with cookie N; returns 0, or -EINVAL if a "
                                + "registration has that cookie already",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "file"),
                                UmmunotifyDriver.UMMUNOTIFY_REGISTER_REGION, b.addr(op, 1),
                                b.addr(op, 1) + num(op, 2), num(op, 3), 0)),
                Operation.of("ummunotify_unregister", "FD N",
                        "UMMUNOTIFY_UNREGISTER_REGION of cookie N (its unread report goes with it); returns 0 or -EINVAL",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "file"),
                                UmmunotifyDriver.UMMUNOTIFY_UNREGISTER_REGION, num(op, 1))),
                Operation.of("ummunotify_features", "FD N",
                        "UMMUNOTIFY_EXCHANGE_FEATURES asking for mask N: returns 0 (the kernel writes back 0: there "
                                + "are no features), or -EINVAL once the file was read, registered on or asked before",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "file"),
                                UmmunotifyDriver.UMMUNOTIFY_EXCHANGE_FEATURES, num(op, 1))),
                Operation.of("ummunotify_poll", "FD",
                        "poll() of the device without waiting: POLLIN|POLLRDNORM (0x41) when a read would not sleep, "
                                + "else 0",
                        (b, t, op) -> b.files().poll(t, b.fd(op, 0, "file"))),
                read("ummunotify_read", false),
                read("ummunotify_read_nonblock", true));
    }

    /**
     * {@code read(fd, buf, 32 * N)}: without EVENT, the bytes read; with it, that field of the first event read (what
     * read returned if it read none).
     */
    private static Operation read(String keyword, boolean nonblock) {
        return Operation.of(keyword, "FD [N] [EVENT]",
                "read() of up to N events (default 1; 0 asks for fewer bytes than one event) "
                        + (nonblock ? "with O_NONBLOCK: -EAGAIN if there is nothing to read"
                                : "that sleeps until there is something to read")
                        + "; returns the bytes read, or with EVENT (type, flags, hint_start, hint_end, cookie) that "
                        + "field of the first event (cookie: user_cookie_counter, the counter in a LAST event)",
                (b, t, op) -> b.files().readRecords(t, b.fd(op, 0, "file"),
                        UmmunotifyDriver.EVENT_BYTES * (op.arg(1) == null ? 1 : num(op, 1)), nonblock))
                .returning((b, t, op, calls) -> event(calls, op.arg(2) == null ? null : name(op, 2)));
    }

    private static Value event(List<KernelCall<?>> calls, String field) {
        RecordReadCall c = (RecordReadCall) calls.get(0);
        long[] buf = c.buffer();
        if (field == null || buf.length < UmmunotifyDriver.EVENT_WORDS) {
            return Value.of(c.ret());
        }
        return Value.of(switch (field) {
            case "type" -> UmmunotifyDriver.eventType(buf[0]);
            case "flags" -> UmmunotifyDriver.eventFlags(buf[0]);
            case "hint_start" -> buf[1];
            case "hint_end" -> buf[2];
            default -> buf[3];
        });
    }
}
