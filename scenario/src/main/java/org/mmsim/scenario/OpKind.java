package org.mmsim.scenario;

import java.util.List;
import java.util.Locale;

/**
 * The operations a scenario can run, each with its argument signature and one line of documentation (the
 * source of docs/scenario-language.md's table). Argument kinds: NEW binds a name; PIPE and HANDLE refer to a
 * bound pipe or GUP handle; ADDR is NAME[+OFFSET] or a number; LEN is bytes with an optional K/M/G suffix; N
 * and VALUE are numbers; OFF is a byte offset in a page (0 or 8); PROT, MAP, MADV and FOLL are flag sets.
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
    CLOSE("PIPE", "close() of the pipe: its buffers release their pages"),
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
