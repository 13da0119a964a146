package org.mmsim.kernel.mm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.task.Task;

/**
 * {@code Syscalls.accessWait} answers what a user load or store would wait for before it runs exactly as the call
 * itself does ({@code blockedOn()} at its first point), without making it: in every state a scheduler meets.
 */
class AccessWaitTest {

    /** What the call's own blockedOn() and accessWait answer for {@code t}'s access at {@code addr}, as text. */
    private static void assertSameAnswer(Kernel k, Task t, long addr, String expected) {
        for (boolean write : new boolean[] {false, true}) {
            Acquire byCall = write ? k.syscalls().store(t, addr, 7).blockedOn()
                    : k.syscalls().load(t, addr).blockedOn();
            Acquire asked = k.syscalls().accessWait(t, addr, write);
            assertThat(describe(asked)).as("%s at %#x", write ? "store" : "load", addr).isEqualTo(describe(byCall));
            if (expected != null) {
                assertThat(describe(asked)).contains(expected);
            }
        }
    }

    private static String describe(Acquire a) {
        return a == null ? "nothing" : a.toString();
    }

    @Test
    void anAccessWaitsForWhatItsCallWouldWaitFor() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 2, RW);
        write(k, t, addr, 0x5);

        assertSameAnswer(k, t, addr, "nothing"); // mapped and writable: no fault, no lock
        assertSameAnswer(k, t, addr + PAGE, "nothing"); // a fault, but mmap_lock and the pte lock are free

        t.mm().mmapLock().downWrite(); // another thread in mmap(), say
        assertSameAnswer(k, t, addr + PAGE, "mmap_lock");
        assertSameAnswer(k, t, addr, "nothing"); // no fault: the lock does not matter
        t.mm().mmapLock().upWrite();

        t.mm().ptl().lock();
        assertSameAnswer(k, t, addr + PAGE, null);
        assertThat(k.syscalls().accessWait(t, addr + PAGE, true)).isNotNull();
        t.mm().ptl().unlock();

        assertSameAnswer(k, t, addr + 64 * PAGE, "nothing"); // no VMA: the fault raises SIGSEGV and waits for nothing
    }

    @Test
    void aStoreToAReadOnlyPteWaitsLikeItsCall() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long addr = mmapAnon(k, t, 1, RW);
        write(k, t, addr, 0x5);
        Task child = fork(k, t, "c");
        // after fork both ptes are read-only: a store faults (do_wp_page), a load does not
        assertThat(k.syscalls().accessWait(child, addr, false)).isNull();
        assertSameAnswer(k, child, addr, null);
        int pfn = Pte.pfn(child.mm().pte(addr));
        k.frames().set(pfn, PageFlags.PG_LOCKED);
        assertSameAnswer(k, child, addr, null);
    }
}
