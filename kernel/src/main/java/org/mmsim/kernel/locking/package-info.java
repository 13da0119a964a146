/**
 * The kernel's locks as objects a kernel call takes and releases, and the answer to "can the next step run": a
 * {@link org.mmsim.kernel.locking.Acquire} names a lock and the mode a step takes it in, and tells whether it is free
 * now. Locks are machine state (hashed with their owner); a call suspended at a preemption point holds them across
 * points exactly where the kernel does.
 *
 * <p>Lock order, as in the chart at the top of mm/rmap.c (the subset the model has), outermost first:
 *
 * <pre>
 *   mm-&gt;mmap_lock                     rw_semaphore: read for faults, GUP, MADV_DONTNEED, /proc/PID/mem;
 *                                     write for mmap, munmap, mprotect, other madvise, fork, exit, clear_refs
 *     mapping-&gt;i_mmap_rwsem           not modelled: i_mmap changes only under the mmap_lock of the mm they touch
 *       pte lock (pte_lockptr)        spinlock: one per mm in the model, where the kernel has one per PTE table
 *
 *   mm-&gt;write_protect_seq             seqcount, written by fork while it holds mmap_lock for write; read locklessly
 *                                     by GUP-fast (FOLL_PIN), which retries on the slow path if it moved
 * </pre>
 *
 * A call never waits for a lock while it holds a pte lock, and never takes mmap_lock while holding a pte lock.
 * Readers of the rw_semaphore do not queue behind a waiting writer here: the model has no fairness, so a writer waits
 * until the last reader has gone. Wait queues (a task sleeping until an event) come with the first operation that
 * blocks; today every operation answers at once.
 */
package org.mmsim.kernel.locking;
