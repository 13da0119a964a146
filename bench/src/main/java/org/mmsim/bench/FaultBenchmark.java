package org.mmsim.bench;

import java.util.concurrent.TimeUnit;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.profile.Profiles;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;

/**
 * Anonymous write-fault throughput: each invocation is one user store into the next untouched page of a large
 * anonymous private mapping, so each one runs the whole fault path ({@code do_user_addr_fault} →
 * {@code handle_mm_fault} → {@code do_anonymous_page}: anon_vma, page allocation, rmap, pte) and then the
 * store itself.
 *
 * <p>Design notes. A fault can happen only once per page, so the work per invocation is not the same forever:
 * each iteration is a fixed batch of {@link #BATCH} stores (as in JMH's BatchSize sample), measured as one
 * single shot, on a kernel and mapping booted afresh by the iteration setup and sized from the iteration's batch
 * size. {@code @OperationsPerInvocation} divides the batch's time by its size, so the score is nanoseconds per
 * fault (faults per second = 1e9 / score); a different {@code -bs} needs the same {@code -opi}, which the setup
 * checks. The setup collects the previous iteration's kernel so that its garbage is not charged to this batch;
 * the cost of allocating the model's {@code struct page} sections and PTE tables is part of the fault,
 * as it is in the model.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(FaultBenchmark.BATCH)
@Warmup(iterations = 3, batchSize = FaultBenchmark.BATCH)
@Measurement(iterations = 5, batchSize = FaultBenchmark.BATCH)
public class FaultBenchmark {
    /** Faults per iteration: 4 GiB of simulated memory, long enough for the JIT to settle within a few rounds. */
    static final int BATCH = 1 << 20;

    @Param("6.18")
    public String profile;

    private Kernel kernel;
    private Task task;
    private long addr;
    private int pages;
    private int next;
    private int signals;

    @Setup(Level.Iteration)
    public void bootKernel(BenchmarkParams benchmark, IterationParams iteration) {
        pages = iteration.getBatchSize();
        if (pages != benchmark.getOpsPerInvocation()) {
            throw new IllegalArgumentException("batch size " + pages + " must equal operations per invocation "
                    + benchmark.getOpsPerInvocation() + ": pass -opi with -bs");
        }
        kernel = Kernel.boot(Profiles.byName(profile), Math.max(Kernel.DEFAULT_NORMAL_FRAMES, pages), 0);
        task = kernel.spawn("bench");
        addr = kernel.syscalls().mmap(task, 0, (long) pages * Page.PAGE_SIZE, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS).run();
        if (addr < 0) {
            throw new IllegalStateException("mmap of " + pages + " pages failed: " + addr);
        }
        next = 0;
        signals = 0;
        System.gc();
    }

    @Benchmark
    public int writeFault() {
        int page = next++;
        int sig = kernel.syscalls().store(task, addr + (long) page * Page.PAGE_SIZE, page).complete().signal();
        signals |= sig;
        return sig;
    }

    @TearDown(Level.Iteration)
    public void check() {
        if (signals != 0 || next != pages) {
            throw new IllegalStateException("expected " + pages + " clean faults, got " + next
                    + " with signals " + signals);
        }
        kernel = null;
        task = null;
    }
}
