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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code fork()} of a process with {@link #pages} resident anonymous pages (default 262144 = 1 GiB): the time of
 * {@code dup_mmap}, i.e. copying the VMAs and, per present pte, sharing the page with the child (reference,
 * mapcount, clearing anon-exclusive) and write-protecting both ptes.
 *
 * <p>Design notes. The first fork of a parent does different work from later ones (its ptes are writable and
 * its pages exclusive only the first time), so every invocation forks a fresh parent: the invocation setup boots
 * a kernel and faults in the parent's pages, untimed; the teardown exits the child. Setup costs a few times the
 * fork itself, so iterations run fewer invocations than their time suggests.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ForkBenchmark {
    @Param("6.18")
    public String profile;

    @Param("262144")
    public int pages;

    private Kernel kernel;
    private Task parent;
    private Task child;

    @Setup(Level.Invocation)
    public void bootParent() {
        kernel = Kernel.boot(Profiles.byName(profile), Math.max(Kernel.DEFAULT_NORMAL_FRAMES, 2 * pages), 0);
        parent = kernel.spawn("parent");
        long addr = kernel.syscalls().mmap(parent, 0, (long) pages * Page.PAGE_SIZE, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS).run();
        if (addr < 0) {
            throw new IllegalStateException("mmap of " + pages + " pages failed: " + addr);
        }
        for (int i = 0; i < pages; i++) {
            int sig = kernel.syscalls().store(parent, addr + (long) i * Page.PAGE_SIZE, i).complete().signal();
            if (sig != 0) {
                throw new IllegalStateException("store to page " + i + " raised signal " + sig);
            }
        }
    }

    @Benchmark
    public Task fork() {
        child = kernel.syscalls().fork(parent, "child").complete();
        return child;
    }

    @TearDown(Level.Invocation)
    public void exitChild() {
        if (child == null) {
            throw new IllegalStateException("fork of " + pages + " pages ran out of memory");
        }
        kernel.syscalls().exit(child).run();
        child = null;
        kernel = null;
        parent = null;
    }
}
