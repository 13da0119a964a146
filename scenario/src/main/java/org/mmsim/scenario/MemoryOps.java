package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.flags;
import static org.mmsim.scenario.Bindings.name;
import static org.mmsim.scenario.Bindings.num;

import java.util.List;
import org.mmsim.kernel.mm.WordRead;
import org.mmsim.kernel.mm.memory.Mmu;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.task.Task;

/** The memory operations: mappings, madvise, fork and exit, user loads and stores, RLIMIT_MEMLOCK, mlock, msync,
 * process_vm_readv/writev, mremap. */
final class MemoryOps {
    private MemoryOps() {}

    static List<Operation> operations() {
        return List.of(
                Operation.of("mmap", "NEW LEN PROT MAP [ADDR]",
                        "mmap(ADDR, LEN, PROT, MAP, -1, 0); binds NEW to the address; returns it or -errno",
                        (b, t, op) -> b.sys().mmap(t, op.arg(4) == null ? 0 : b.addr(op, 4), num(op, 1),
                                flags(op, 2), flags(op, 3)))
                        .binding("address").returning(MemoryOps::bindAddress),
                Operation.of("munmap", "ADDR LEN", "munmap(ADDR, LEN)",
                        (b, t, op) -> b.sys().munmap(t, b.addr(op, 0), num(op, 1))),
                Operation.of("mprotect", "ADDR LEN PROT", "mprotect(ADDR, LEN, PROT)",
                        (b, t, op) -> b.sys().mprotect(t, b.addr(op, 0), num(op, 1), flags(op, 2))),
                Operation.of("madvise", "ADDR LEN MADV", "madvise(ADDR, LEN, MADV): DONTNEED, FREE, DONTFORK, DOFORK, "
                        + "WIPEONFORK, KEEPONFORK, POPULATE_READ, POPULATE_WRITE",
                        (b, t, op) -> b.sys().madvise(t, b.addr(op, 0), num(op, 1), flags(op, 2))),
                Operation.of("fork", "NEW", "fork(); NEW names the child process; returns the child's pid, -ENOMEM, "
                        + "or -EAGAIN past 32,767 tasks",
                        (b, t, op) -> b.sys().fork(t, name(op, 0)))
                        .binding("process").returning((b, t, op, calls) -> {
                            Task child = (Task) calls.get(0).result();
                            if (child != null) {
                                b.actor(name(op, 0), child);
                            }
                            return Value.of(calls.get(0).ret());
                        }),
                Operation.of("exit", "", "exit(): the process's last thread exits and its mm is torn down",
                        (b, t, op) -> b.sys().exit(t)),
                Operation.of("load", "ADDR", "64-bit user load; returns the value, or SIGSEGV/SIGBUS",
                        (b, t, op) -> b.sys().load(t, b.addr(op, 0)))
                        .waiting((b, t, op) -> b.sys().accessWait(t, b.addr(op, 0), false))
                        .returning((b, t, op, calls) -> {
                            Mmu.Access a = (Mmu.Access) calls.get(0).result();
                            return a.faulted() ? Value.signal(a.signal()) : Value.data(a.value());
                        }),
                Operation.of("store", "ADDR VALUE", "64-bit user store; returns 0, or SIGSEGV/SIGBUS",
                        (b, t, op) -> b.sys().store(t, b.addr(op, 0), num(op, 1)))
                        .waiting((b, t, op) -> b.sys().accessWait(t, b.addr(op, 0), true))
                        .returning((b, t, op, calls) -> {
                            Mmu.Access a = (Mmu.Access) calls.get(0).result();
                            return a.faulted() ? Value.signal(a.signal()) : Value.of(0);
                        }),
                Operation.of("setrlimit_memlock", "LEN", "setrlimit(RLIMIT_MEMLOCK, LEN) for this process",
                        (b, t, op) -> b.sys().setrlimitMemlock(t, num(op, 0))),
                Operation.of("mlock", "ADDR LEN", "mlock(ADDR, LEN): VM_LOCKED, counted in locked_vm, faulted in",
                        (b, t, op) -> b.sys().mlock(t, b.addr(op, 0), num(op, 1))),
                Operation.of("munlock", "ADDR LEN", "munlock(ADDR, LEN)",
                        (b, t, op) -> b.sys().munlock(t, b.addr(op, 0), num(op, 1))),
                Operation.of("mlock2", "ADDR LEN MLOCK",
                        "mlock2(ADDR, LEN, 0|MLOCK_ONFAULT): as mlock; MLOCK_ONFAULT locks pages as they fault, "
                                + "faulting none in",
                        (b, t, op) -> b.sys().mlock2(t, b.addr(op, 0), num(op, 1), flags(op, 2))),
                Operation.of("mlockall", "MCL", "mlockall(MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT)",
                        (b, t, op) -> b.sys().mlockall(t, flags(op, 0))),
                Operation.of("munlockall", "", "munlockall()",
                        (b, t, op) -> b.sys().munlockall(t)),
                Operation.of("msync", "ADDR LEN MS", "msync(ADDR, LEN, MS_ASYNC|MS_SYNC|MS_INVALIDATE)",
                        (b, t, op) -> b.sys().msync(t, b.addr(op, 0), num(op, 1), flags(op, 2))),
                Operation.of("process_vm_readv", "PROC ADDR",
                        "process_vm_readv() of the word at ADDR of PROC (pin_user_pages_remote); returns it or -errno",
                        (b, t, op) -> b.sys().processVmReadv(t, b.task(name(op, 0), op.line()), b.addr(op, 1)))
                        .returning((b, t, op, calls) -> {
                            WordRead r = (WordRead) calls.get(0).result();
                            return r.ret() == 8 ? Value.data(r.value()) : Value.errno(-r.ret());
                        }),
                Operation.of("process_vm_writev", "PROC ADDR VALUE",
                        "process_vm_writev() of VALUE to ADDR of PROC (FOLL_WRITE, no FOLL_FORCE); returns 8 or -errno",
                        (b, t, op) -> b.sys().processVmWritev(t, b.task(name(op, 0), op.line()), b.addr(op, 1),
                                num(op, 2))),
                Operation.of("mremap", "NEW ADDR LEN LEN MREMAP [ADDR]",
                        "mremap(ADDR, OLDLEN, NEWLEN, MREMAP, NEWADDR); binds NEW to the new address; returns it or -errno",
                        (b, t, op) -> b.sys().mremap(t, b.addr(op, 1), num(op, 2), num(op, 3), flags(op, 4),
                                op.arg(5) == null ? 0 : b.addr(op, 5)))
                        .binding("address").returning(MemoryOps::bindAddress));
    }

    /** Bind NEW to the address the call returned (or the -errno, which later uses fault on). */
    static Value bindAddress(Bindings b, Task t, Op op, List<KernelCall<?>> calls) {
        long ret = calls.get(calls.size() - 1).ret();
        b.bind(name(op, 0), new Bindings.Address(ret));
        return Value.of(ret);
    }
}
