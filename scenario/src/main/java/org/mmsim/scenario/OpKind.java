package org.mmsim.scenario;

import java.util.List;
import java.util.Locale;

/**
 * The operations a scenario can run, each with its argument signature and one line of documentation (the
 * source of docs/scenario-language.md's table). Argument kinds: NEW binds a name; PIPE and HANDLE refer to a
 * bound pipe or GUP handle; ADDR is NAME[+OFFSET] or a number; LEN is bytes with an optional K/M/G suffix; N
 * and VALUE are numbers; OFF is a byte offset in a page (0 or 8); FOFF is a byte offset in a file (its offset
 * within a page 0 or 8); FILE and RING refer to a bound open file or io_uring; FD to a pipe, file or ring; PROC to a
 * process or thread; FS is tmpfs or ext4; FIELD a pagemap field; PROT, MAP, MADV, FOLL and O are flag sets.
 */
public enum OpKind {
    MMAP("NEW LEN PROT MAP [ADDR]", "mmap(ADDR, LEN, PROT, MAP, -1, 0); binds NEW to the address; returns it or -errno"),
    MMAP_DEVICE("NEW LEN PROT", "mmap of a device whose handler calls remap_pfn_range on MMIO: VM_IO|VM_PFNMAP"),
    MUNMAP("ADDR LEN", "munmap(ADDR, LEN)"),
    MPROTECT("ADDR LEN PROT", "mprotect(ADDR, LEN, PROT)"),
    MADVISE("ADDR LEN MADV", "madvise(ADDR, LEN, MADV_DONTNEED|MADV_DONTFORK|MADV_DOFORK)"),
    FORK("NEW", "fork(); NEW names the child process; returns the child's pid or -ENOMEM"),
    EXIT("", "exit(): the process's last thread exits and its mm is torn down"),
    LOAD("ADDR", "64-bit user load; returns the value, or SIGSEGV/SIGBUS"),
    STORE("ADDR VALUE", "64-bit user store; returns 0, or SIGSEGV/SIGBUS"),
    PIPE("NEW", "pipe(): NEW names the pipe"),
    VMSPLICE("PIPE ADDR LEN", "vmsplice(PIPE, {ADDR, LEN}): FOLL_GET references into the pipe; returns bytes"),
    WRITE("PIPE VALUE", "write(PIPE, &VALUE, 8): a copy into a kernel page"),
    READ("PIPE [OFF]", "read() of one pipe buffer; returns its word at OFF, or -EAGAIN if empty"),
    CLOSE("FD", "close() of a pipe (its buffers release their pages), a file, or an io_uring (its buffers are unregistered)"),
    CREAT("NEW FS LEN", "open(O_CREAT|O_RDWR) of a new file on FS (tmpfs or ext4), then ftruncate(LEN); NEW names it"),
    MEMFD_CREATE("NEW LEN", "memfd_create() then ftruncate(LEN): an unlinked tmpfs file"),
    OPEN("NEW FILE O", "open() of FILE's inode again with O_RDONLY or O_RDWR; NEW names the new open file"),
    UNLINK("FILE", "unlink() of FILE's name; its page cache goes when the last reference does"),
    PREAD("FILE FOFF", "pread() of 8 bytes at FOFF; returns the word, EOF, or -errno"),
    PWRITE("FILE FOFF VALUE", "pwrite() of VALUE (8 bytes) at FOFF; returns 8 or -errno"),
    FSYNC("FILE", "fsync(): write the file's dirty pages back (write-protecting shared ptes)"),
    MMAP_FILE("NEW FILE LEN PROT MAP [FOFF]", "mmap(NULL, LEN, PROT, MAP, FILE, FOFF); binds NEW to the address"),
    CLEAR_REFS("N", "echo N > /proc/self/clear_refs (1-3 clear referenced bits, 4 soft-dirty, 5 peak RSS)"),
    PAGEMAP("ADDR [FIELD]", "/proc/self/pagemap entry of ADDR: entry, pfn, present, swapped, file, exclusive or soft_dirty"),
    PROC_MEM_WRITE("PROC ADDR VALUE", "pwrite() of VALUE to /proc/PROC/mem at ADDR (FOLL_FORCE); returns 8 or -EIO"),
    PROC_MEM_READ("PROC ADDR", "pread() from /proc/PROC/mem at ADDR (FOLL_FORCE); returns the word or -EIO"),
    PTRACE_POKE("PROC ADDR VALUE", "ptrace(PTRACE_POKEDATA, PROC, ADDR, VALUE); returns 0 or -EIO"),
    SETRLIMIT_MEMLOCK("LEN", "setrlimit(RLIMIT_MEMLOCK, LEN) for this process"),
    IO_URING_SETUP("NEW", "io_uring_setup(); NEW names the ring; returns 0 or -ENOSYS"),
    IO_URING_REGISTER_BUFFERS("RING ADDR LEN", "IORING_REGISTER_BUFFERS of [ADDR, ADDR+LEN): a writable long-term pin"),
    IO_URING_WRITE_FIXED("RING FILE FOFF ADDR LEN", "IORING_OP_WRITE_FIXED: write the fixed buffer's [ADDR, ADDR+LEN) to FILE at FOFF"),
    IO_URING_UNREGISTER_BUFFERS("RING", "IORING_UNREGISTER_BUFFERS: unpin and uncharge"),
    GET_USER_PAGES("NEW ADDR N [FOLL]", "get_user_pages(): FOLL_GET references held by NEW; returns pages or -errno"),
    GET_USER_PAGES_FAST("NEW ADDR N [FOLL]", "get_user_pages_fast()"),
    PIN_USER_PAGES("NEW ADDR N [FOLL]", "pin_user_pages(): FOLL_PIN pins held by NEW; returns pages or -errno"),
    PIN_USER_PAGES_FAST("NEW ADDR N [FOLL]", "pin_user_pages_fast()"),
    UNPIN_USER_PAGES("HANDLE", "unpin_user_pages() of a pin_user_pages* handle"),
    UNPIN_USER_PAGES_DIRTY("HANDLE", "unpin_user_pages_dirty_lock(make_dirty=true)"),
    PUT_PAGES("HANDLE", "put_page() on each page of a get_user_pages* handle"),
    DMA_READ("HANDLE [N [OFF]]", "the device reads page N of HANDLE at OFF; returns the value"),
    DMA_WRITE("HANDLE VALUE [N [OFF]]", "the device writes VALUE into page N of HANDLE at OFF");

    private final List<String> signature;
    private final String doc;

    OpKind(String signature, String doc) {
        this.signature = signature.isEmpty() ? List.of() : List.of(signature.split(" "));
        this.doc = doc;
    }

    /** The name used in scenarios, e.g. {@code pin_user_pages_fast}. */
    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Argument kinds; optional ones are written in brackets, e.g. {@code [OFF]}. */
    public List<String> signature() {
        return signature;
    }

    public String usage() {
        return (keyword() + " " + String.join(" ", signature)).trim();
    }

    public String doc() {
        return doc;
    }

    int minArgs() {
        return (int) signature.stream().filter(s -> !s.startsWith("[")).count();
    }

    static OpKind byKeyword(String word) {
        for (OpKind k : values()) {
            if (k.keyword().equals(word)) {
                return k;
            }
        }
        return null;
    }

    /** The keyword nearest to {@code word} by edit distance, for "did you mean" hints, or null. */
    static String nearest(String word) {
        String best = null;
        int bestD = 3;
        for (OpKind k : values()) {
            int d = distance(word, k.keyword());
            if (d < bestD) {
                bestD = d;
                best = k.keyword();
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
