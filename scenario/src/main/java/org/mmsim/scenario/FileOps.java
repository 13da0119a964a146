package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.flags;
import static org.mmsim.scenario.Bindings.name;
import static org.mmsim.scenario.Bindings.num;
import static org.mmsim.scenario.Bindings.optNum;

import java.util.List;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.fs.Vfs;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.task.Task;

/**
 * The file operations: files on tmpfs and ext4, memfd, pipes and vmsplice, and file mappings. A file or pipe name
 * stands for the fd(s) the process holds; a pipe's name stands for both its ends.
 */
final class FileOps {
    private FileOps() {}

    static List<Operation> operations() {
        return List.of(
                Operation.of("pipe", "NEW", "pipe(): NEW names the pipe (both its ends)", (b, t, op) -> b.files().pipe(t))
                        .binding("pipe").returning((b, t, op, calls) -> {
                            KernelCall<?> c = calls.get(0);
                            int[] fds = (int[]) c.result();
                            b.bind(name(op, 0), fds == null ? new Bindings.Pipe((int) c.ret(), (int) c.ret())
                                    : new Bindings.Pipe(fds[0], fds[1]));
                            return Value.of(c.ret());
                        }),
                Operation.of("vmsplice", "PIPE ADDR LEN",
                        "vmsplice(PIPE, {ADDR, LEN}): FOLL_GET references into the pipe; returns bytes",
                        (b, t, op) -> b.files().vmsplice(t, b.pipe(op, 0).writeFd(), b.addr(op, 1), num(op, 2))),
                Operation.of("write", "PIPE VALUE", "write(PIPE, &VALUE, 8): a copy into a kernel page",
                        (b, t, op) -> b.files().write(t, b.pipe(op, 0).writeFd(), num(op, 1))),
                Operation.of("read", "PIPE [OFF]", "read() of one pipe buffer; returns its word at OFF, or -EAGAIN if empty",
                        (b, t, op) -> b.files().read(t, b.pipe(op, 0).readFd(), optNum(op, 1, 0)))
                        .returning((b, t, op, calls) -> word(calls.get(0))),
                Operation.of("close", "FD", "close() of a pipe (both ends: its buffers release their pages), a file, "
                        + "or an io_uring (its buffers are unregistered when its last fd closes)", FileOps::closeFirst)
                        .then(FileOps::closeSecond)
                        .returning((b, t, op, calls) -> Value.of(calls.stream().mapToLong(KernelCall::ret)
                                .filter(r -> r < 0).findFirst().orElse(0))),
                Operation.of("creat", "NEW FS LEN",
                        "open(/FS/NEW, O_CREAT|O_RDWR) of a file on FS (tmpfs or ext4), then ftruncate(LEN); "
                                + "NEW names the fd; returns it",
                        (b, t, op) -> b.files().creat(t, FsType.byKey(name(op, 1)), name(op, 0), num(op, 2)))
                        .binding("file").returning((b, t, op, calls) ->
                                bindFd(b, op, calls, Vfs.path(FsType.byKey(name(op, 1)), name(op, 0)))),
                Operation.of("memfd_create", "NEW LEN", "memfd_create() then ftruncate(LEN): an unlinked tmpfs file",
                        (b, t, op) -> b.files().memfdCreate(t, name(op, 0), num(op, 1)))
                        .binding("file").returning((b, t, op, calls) -> bindFd(b, op, calls, null)),
                Operation.of("open", "NEW FILE O", "open() of FILE again, by its name or /proc/self/fd/N, with O_RDONLY "
                                + "or O_RDWR; NEW names the new fd; returns it or -ENOENT",
                        (b, t, op) -> b.files().open(t, b.reopenPath(op, 1), flags(op, 2)))
                        .binding("file").returning((b, t, op, calls) -> bindFd(b, op, calls, b.namedPath(op, 1))),
                Operation.of("unlink", "FILE", "unlink() of FILE's name; its page cache goes when the last reference does",
                        (b, t, op) -> b.files().unlink(t, pathOrNone(b, op))),
                Operation.of("pread", "FILE FOFF", "pread() of 8 bytes at FOFF; returns the word, EOF, or -errno",
                        (b, t, op) -> b.files().pread(t, b.fd(op, 0, "file"), num(op, 1)))
                        .returning((b, t, op, calls) -> word(calls.get(0))),
                Operation.of("pwrite", "FILE FOFF VALUE", "pwrite() of VALUE (8 bytes) at FOFF; returns 8 or -errno",
                        (b, t, op) -> b.files().pwrite(t, b.fd(op, 0, "file"), num(op, 1), num(op, 2))),
                Operation.of("fsync", "FILE", "fsync(): write the file's dirty pages back (write-protecting shared ptes)",
                        (b, t, op) -> b.files().fsync(t, b.fd(op, 0, "file"))),
                Operation.of("writeback", "FILE",
                        "background writeback of FILE (WB_SYNC_NONE), a point per pte cleaned and per page: lock, "
                                + "folio_mkclean, test-and-clear dirty, start writeback, unlock, I/O; returns 0 or -errno",
                        (b, t, op) -> b.files().writeback(t, b.fd(op, 0, "file"))),
                Operation.of("sync", "", "sync(): writeback of every file (WB_SYNC_ALL) with the points of writeback",
                        (b, t, op) -> b.files().sync(t)),
                Operation.of("reclaim", "FILE [FOFF]",
                        "shrink_folio_list on FILE's clean page at FOFF (default: every cached page): unmap through "
                                + "the rmap, strip buffers, remove from the cache unless referenced; returns pages freed",
                        (b, t, op) -> b.files().reclaim(t, b.fd(op, 0, "file"), optNum(op, 1, -1))),
                Operation.of("drop_caches", "", "echo 1 > drop_caches: drop every clean cached page of every file "
                        + "that nobody else holds (a mapped or GUP-held page stays); returns pages freed",
                        (b, t, op) -> b.files().dropCaches(t)),
                Operation.of("ftruncate", "FILE LEN",
                        "ftruncate(): set the size; shrinking unmaps and drops the pages beyond it (secondary MMUs "
                                + "hear MMU_NOTIFY_CLEAR)",
                        (b, t, op) -> b.files().ftruncate(t, b.fd(op, 0, "file"), num(op, 1))),
                Operation.of("odirect_read", "FILE FOFF ADDR LEN",
                        "pread() with O_DIRECT: the device writes the disk's words at FOFF into [ADDR, ADDR+LEN) "
                                + "through GUP (FOLL_GET, or FOLL_PIN with odirect_pin); returns bytes or -errno",
                        (b, t, op) -> b.files().odirectRead(t, b.fd(op, 0, "file"), num(op, 1), b.addr(op, 2),
                                num(op, 3))),
                Operation.of("odirect_write", "FILE FOFF ADDR LEN",
                        "pwrite() with O_DIRECT: the device reads [ADDR, ADDR+LEN) through GUP and writes the disk "
                                + "at FOFF; the page cache is invalidated; returns bytes or -errno",
                        (b, t, op) -> b.files().odirectWrite(t, b.fd(op, 0, "file"), num(op, 1), b.addr(op, 2),
                                num(op, 3))),
                Operation.of("mmap_file", "NEW FILE LEN PROT MAP [FOFF]",
                        "mmap(NULL, LEN, PROT, MAP, FILE, FOFF); binds NEW to the address",
                        (b, t, op) -> b.sys().mmap(t, 0, num(op, 2), flags(op, 3), flags(op, 4), b.fd(op, 1, "file"),
                                optNum(op, 5, 0)))
                        .binding("address").returning(MemoryOps::bindAddress));
    }

    /** The word a read made, EOF for 0 bytes, or its -errno. */
    static Value word(KernelCall<?> c) {
        WordRead r = (WordRead) c.result();
        if (r.ret() < 0) {
            return Value.errno(-r.ret());
        }
        return r.ret() == 0 ? Value.EOF : Value.data(r.value());
    }

    static Value bindFd(Bindings b, Op op, List<KernelCall<?>> calls, String path) {
        long fd = calls.get(0).ret();
        b.bind(name(op, 0), new Bindings.Fd((int) fd, path));
        return Value.of(fd);
    }

    /** Bind NEW to the fd the first call (an open of a device or a ring) returned; returns it. */
    static Value bindFd(Bindings b, Task t, Op op, List<KernelCall<?>> calls) {
        return bindFd(b, op, calls, null);
    }

    /**
     * Bind NEW to the fd the first call (the open of a device) returned; returns what the last call (the ioctl that
     * set the file up, if the open succeeded) returned.
     */
    static Value bindDeviceFd(Bindings b, Task t, Op op, List<KernelCall<?>> calls) {
        bindFd(b, op, calls, null);
        return Value.of(calls.get(calls.size() - 1).ret());
    }

    private static String pathOrNone(Bindings b, Op op) throws ScenarioException {
        b.fd(op, 0, "file");
        String path = b.namedPath(op, 0);
        return path == null ? "" : path;
    }

    private static KernelCall<?> closeFirst(Bindings b, Task t, Op op) throws ScenarioException {
        Bindings.Binding f = b.fileLike(op, 0);
        return b.files().close(t, f instanceof Bindings.Pipe p ? p.readFd() : ((Bindings.Fd) f).fd());
    }

    private static KernelCall<?> closeSecond(Bindings b, Task t, Op op,
            List<KernelCall<?>> calls) throws ScenarioException {
        return calls.size() == 1 && b.fileLike(op, 0) instanceof Bindings.Pipe p ? b.files().close(t, p.writeFd()) : null;
    }
}
