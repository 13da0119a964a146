package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.name;
import static org.mmsim.scenario.Bindings.num;

import java.util.List;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.proc.TaskMmu;
import org.mmsim.kernel.uapi.Errno;

/** The procfs and ptrace operations: clear_refs, pagemap, /proc/PID/mem and PTRACE_POKEDATA. */
final class ProcOps {
    private ProcOps() {}

    static List<Operation> operations() {
        return List.of(
                Operation.of("clear_refs", "N",
                        "echo N > /proc/self/clear_refs (1-3 clear referenced bits, 4 soft-dirty, 5 peak RSS)",
                        (b, t, op) -> b.sys().clearRefs(t, (int) num(op, 0))),
                Operation.of("pagemap", "ADDR [FIELD]",
                        "/proc/self/pagemap entry of ADDR: entry, pfn, present, swapped, file, exclusive or soft_dirty",
                        (b, t, op) -> b.sys().pagemap(t, b.addr(op, 0)))
                        .returning((b, t, op, calls) -> Value.data(pagemapField((Long) calls.get(0).result(),
                                op.arg(1) == null ? "entry" : name(op, 1)))),
                Operation.of("proc_mem_write", "PROC ADDR VALUE",
                        "pwrite() of VALUE to /proc/PROC/mem at ADDR (FOLL_FORCE); returns 8 or -EIO",
                        (b, t, op) -> b.sys().procMemWrite(t, b.task(name(op, 0), op.line()), b.addr(op, 1),
                                num(op, 2))),
                Operation.of("proc_mem_read", "PROC ADDR",
                        "pread() from /proc/PROC/mem at ADDR (FOLL_FORCE); returns the word or -EIO",
                        (b, t, op) -> b.sys().procMemRead(t, b.task(name(op, 0), op.line()), b.addr(op, 1)))
                        .returning((b, t, op, calls) -> {
                            WordRead r = (WordRead) calls.get(0).result();
                            return r.ret() == 8 ? Value.data(r.value()) : Value.errno(Errno.EIO);
                        }),
                Operation.of("ptrace_poke", "PROC ADDR VALUE",
                        "ptrace(PTRACE_POKEDATA, PROC, ADDR, VALUE); returns 0 or -EIO",
                        (b, t, op) -> b.sys().ptracePoke(t, b.task(name(op, 0), op.line()), b.addr(op, 1),
                                num(op, 2))));
    }

    /** One field of a pagemap entry (fs/proc/task_mmu.c PM_* bits), or the whole entry. */
    static long pagemapField(long entry, String field) {
        return switch (field) {
            case "pfn" -> entry & TaskMmu.PM_PFRAME_MASK;
            case "soft_dirty" -> (entry & TaskMmu.PM_SOFT_DIRTY) != 0 ? 1 : 0;
            case "exclusive" -> (entry & TaskMmu.PM_MMAP_EXCLUSIVE) != 0 ? 1 : 0;
            case "file" -> (entry & TaskMmu.PM_FILE) != 0 ? 1 : 0;
            case "swapped" -> (entry & TaskMmu.PM_SWAP) != 0 ? 1 : 0;
            case "present" -> (entry & TaskMmu.PM_PRESENT) != 0 ? 1 : 0;
            default -> entry;
        };
    }
}
