package org.mmsim.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmsim.explore.Options;
import org.mmsim.explore.Report;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifier;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifierOps;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifierOps;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.scenario.Checker;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.ScenarioError;
import org.mmsim.scenario.ScenarioException;
import org.mmsim.scenario.ScenarioModel;

/**
 * The headline cost figures of the kernel model, measured on the running JVM: heap bytes per resident anonymous
 * page, anonymous write faults per second, and the time of a large fork. This is the harness, not the model, so
 * it may read the wall clock and the heap; the model itself never does. For careful numbers use the JMH
 * benchmarks in {@code bench/}; these figures are a quick, self-contained summary for {@code mmsim bench}.
 *
 * <p>Design notes. Memory is measured, not computed from field sizes: the used heap after several full
 * collections, before and after writing one word into each of {@value #MEMORY_PAGES} pages of one mapping, with
 * the kernel kept reachable until the second reading. The delta covers everything a fault allocates (the
 * {@code struct page} sections, PTE tables and any bookkeeping), so a regression anywhere shows here. Timings
 * are the median of {@value #ROUNDS} rounds after one warm-up round, each on a freshly booted kernel so that no
 * round inherits another's free lists or garbage.
 */
public final class BenchFigures {
    /** Timed rounds per figure; the median is reported. */
    static final int ROUNDS = 5;
    /** Pages populated for the memory figure: 4 GiB of simulated memory. */
    static final int MEMORY_PAGES = 1 << 20;
    /** Write faults per timed round of the fault figure. */
    static final int FAULT_PAGES = 1 << 18;
    static final String PROFILE = "6.18";

    private static final int GC_PASSES = 4;
    private static final long GC_SETTLE_MS = 50;

    /**
     * The most pages the forked process may hold: half the frames of the machine {@link Kernel#boot} makes, so that the
     * page tables of the process and of its child always find frames too (a process of all the frames took a SIGBUS
     * while it was being populated).
     */
    static final int MAX_FORK_PAGES = Kernel.DEFAULT_NORMAL_FRAMES / 2;

    private BenchFigures() {}

    /** A booted kernel with one task and one anonymous private read-write mapping of {@code pages} pages. */
    private record Fixture(Kernel kernel, Task task, long addr, int pages) {
        static Fixture boot(KernelProfile profile, int pages) {
            Kernel k = Kernel.boot(profile);
            Task t = k.spawn("bench");
            long addr = k.syscalls().mmap(t, 0, (long) pages * Page.PAGE_SIZE, Mman.PROT_READ | Mman.PROT_WRITE,
                    Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS).run();
            if (addr < 0) {
                throw new IllegalStateException("mmap of " + pages + " pages failed: " + addr);
            }
            return new Fixture(k, t, addr, pages);
        }

        /** Write one word into every page, faulting each one in. */
        void populate() {
            for (int i = 0; i < pages; i++) {
                store(i);
            }
        }

        void store(int page) {
            int sig = kernel.syscalls().store(task, addr + (long) page * Page.PAGE_SIZE, page).complete().signal();
            if (sig != 0) {
                throw new IllegalStateException("store to page " + page + " raised signal " + sig);
            }
        }
    }

    /**
     * Measure the figures on profile {@value #PROFILE}.
     *
     * @param forkPages resident anonymous pages of the process that is forked (262144 = 1 GiB)
     * @return the figures in a fixed key order: {@code bytes_per_page}, {@code faults_per_second},
     *     {@code fork_<forkPages>_pages_ms}, {@code cow_faults_per_second}, {@code notifier_dispatch_ns},
     *     {@code mmu_notifier_register_ns}, {@code rounds}, {@code profile}, {@code java_version}
     */
    public static Map<String, Object> measure(int forkPages) {
        return measure(forkPages, null);
    }

    /**
     * As {@link #measure(int)}, plus, when {@code exploreScenario} is given, the explorer's figures
     * ({@link #explore}): {@code explore_scenario}, {@code explore_states}, {@code explore_states_per_second} (one
     * worker), {@code explore_states_per_second_2w}, {@code explore_2w_speedup} (the rounds' ratios of the two,
     * paired), {@code explore_two_searches_speedup} (two one-worker searches at once against one, paired by round
     * after every other figure: the ceiling for two workers in one JVM), {@code explore_walk_states_per_second} and
     * {@code explore_walk_speedup} (the model alone, {@link ModelWalk}, and its rounds' ratios to the one-worker
     * search; left out when the states are not a tree),
     * {@code explore_bytes_per_state} (the visited set),
     * {@code explore_bytes_per_state_with_trace}, {@code explore_bytes_per_open_state} (the live levels, at their
     * largest), {@code explore_peak_heap_mb} and {@code explore_alloc_bytes_per_state} (heap allocated by one
     * search, per state).
     */
    public static Map<String, Object> measure(int forkPages, Scenario exploreScenario) {
        return measure(forkPages, exploreScenario, null);
    }

    /**
     * As {@link #measure(int, Scenario)}, plus, when {@code largeScenario} is given, one search of it with one worker
     * and one with two: {@code explore_large_scenario}, {@code explore_large_states},
     * {@code explore_large_states_per_second}, {@code explore_large_states_per_second_2w} and
     * {@code explore_large_peak_heap_mb} (whether it fits the default heap is what it shows).
     */
    public static Map<String, Object> measure(int forkPages, Scenario exploreScenario, Scenario largeScenario) {
        return measure(forkPages, exploreScenario, largeScenario, EXPLORE_ROUNDS, EXPLORE_WARMUP);
    }

    /**
     * As {@link #measure(int, Scenario, Scenario)}, with the explorer figures of {@code exploreScenario} the medians
     * of {@code exploreRounds} rounds after {@code exploreWarmup} warm-up rounds, instead of {@value #EXPLORE_ROUNDS}
     * after {@value #EXPLORE_WARMUP}.
     */
    public static Map<String, Object> measure(int forkPages, Scenario exploreScenario, Scenario largeScenario,
            int exploreRounds, int exploreWarmup) {
        if (exploreRounds <= 0) {
            throw new IllegalArgumentException("exploreRounds must be positive: " + exploreRounds);
        }
        if (exploreWarmup < 0) {
            throw new IllegalArgumentException("exploreWarmup must not be negative: " + exploreWarmup);
        }
        if (forkPages <= 0 || forkPages > MAX_FORK_PAGES) {
            throw new IllegalArgumentException("forkPages must be in 1.." + MAX_FORK_PAGES + ": " + forkPages);
        }
        Map<String, Object> out = simulation(forkPages);
        if (exploreScenario != null) {
            // a search starts in a fresh JVM for its user: here it starts after full collections, so that it does not
            // pay for what the memory figures left in the old generation (two workers scaled 1.41-1.63 without them,
            // 1.61-1.97 with, explore_2w_speedup of whole bench runs; bench/README.md). `mmsim bench` goes further and
            // measures the explorer in JVMs of its own (BenchForks)
            usedHeapAfterGc();
            explore(exploreScenario, out, exploreRounds, exploreWarmup);
        }
        if (largeScenario != null) {
            exploreLarge(largeScenario, out);
        }
        return finish(out);
    }

    /**
     * The simulation's figures, in their order: {@code bytes_per_page}, {@code faults_per_second},
     * {@code fork_<forkPages>_pages_ms}, {@code cow_faults_per_second}, {@code notifier_dispatch_ns},
     * {@code mmu_notifier_register_ns}.
     */
    static Map<String, Object> simulation(int forkPages) {
        KernelProfile profile = Profiles.byName(PROFILE);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bytes_per_page", round(bytesPerPage(profile), 1));
        out.put("faults_per_second", Math.round(faultsPerSecond(profile)));
        out.put("fork_" + forkPages + "_pages_ms", round(forkMillis(profile, forkPages), 3));
        out.put("cow_faults_per_second", Math.round(cowFaultsPerSecond(profile)));
        out.put("notifier_dispatch_ns", round(notifierDispatchNs(profile), 1));
        out.put("mmu_notifier_register_ns", Math.round(mmuNotifierRegisterNs(profile)));
        return out;
    }

    /** {@code out} with the figures every run ends with: {@code rounds}, {@code profile}, {@code java_version}. */
    static Map<String, Object> finish(Map<String, Object> out) {
        out.put("rounds", ROUNDS);
        out.put("profile", PROFILE);
        out.put("java_version", Runtime.version().toString());
        return out;
    }

    /**
     * Rounds of the explorer figure by default (each explores the whole scenario with one worker and with two). Nine,
     * not five: this machine moves between two speed levels within seconds, now and then inside a round, so a round's
     * two-worker ratio strays far from the others now and then; the median of nine is steadier than that of five.
     */
    static final int EXPLORE_ROUNDS = 9;
    /**
     * Warm-up rounds before them by default. The JIT compiles the kernel model's hot paths over the first few
     * seconds of searching: on explore-100k the rate of one worker rises round by round over the first five rounds
     * (from a quarter of its warm rate to all of it), and that of two workers, whose compiler threads share the two
     * cores with them, over the first six; a figure taken earlier measures the compiler as much as the explorer.
     */
    static final int EXPLORE_WARMUP = 6;

    /**
     * The explorer's figures on {@code s}: distinct states per second with one worker and with two (the median of
     * {@code rounds} rounds after {@code warmup} rounds not timed, each round a search with one worker and one with
     * two, one worker first in even rounds and two first in odd ones so that a drift in the machine's speed does not
     * favour either, then a walk of the model alone), the median of the rounds' two-worker-to-one ratios, the walk's
     * states per second and the median of its ratios to the one-worker search (if the states are a tree: see
     * {@link ModelWalk}), the visited set's bytes per state (the fingerprint table alone, and with the parent/choice
     * trace), and the peak heap of one search: the used heap after a full collection before it, and the most the heap
     * pools held during it.
     */
    static void explore(Scenario s, Map<String, Object> out, int rounds, int warmup) {
        KernelProfile profile = Checker.profile(s, PROFILE, Map.of());
        Report last = null;
        double[] rates = new double[rounds];
        double[] rates2 = new double[rounds];
        double[] walks = new double[rounds];
        boolean tree = true;
        for (int r = -warmup; r < rounds; r++) {
            Report two = null;
            if ((r & 1) != 0) {
                two = search(s, profile, Options.defaults().withWorkers(2));
            }
            last = search(s, profile, Options.defaults());
            if (two == null) {
                two = search(s, profile, Options.defaults().withWorkers(2));
            }
            double walk = tree ? walkStatesPerSecond(s, profile, last.states()) : -1;
            tree = walk >= 0;
            if (r >= 0) {
                rates[r] = statesPerSecond(last);
                rates2[r] = statesPerSecond(two);
                walks[r] = walk;
            }
        }
        long[] allocated = new long[1];
        double peakMb = peakHeapMb(() -> allocated[0] = allocatedBy(() -> search(s, profile, Options.defaults())));
        // two searches at once only after every other figure, so that their threads and garbage disturb none of them;
        // each round pairs them with a one-worker search of its own, the pair first in odd rounds
        double[] ceilings = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double apart;
            double one;
            if ((r & 1) != 0) {
                apart = twoSearchesAtOnce(s, profile);
                one = statesPerSecond(search(s, profile, Options.defaults()));
            } else {
                one = statesPerSecond(search(s, profile, Options.defaults()));
                apart = twoSearchesAtOnce(s, profile);
            }
            ceilings[r] = apart / one;
        }
        out.put("explore_scenario", s.name());
        out.put("explore_states", last.states());
        out.put("explore_states_per_second", Math.round(median(rates)));
        out.put("explore_states_per_second_2w", Math.round(median(rates2)));
        // paired round by round: the machine's speed drifts between rounds far more than within one, so the median of
        // the rounds' own ratios says how two workers scale better than the ratio of the two medians
        double[] speedups = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            speedups[r] = rates2[r] / rates[r];
        }
        out.put("explore_2w_speedup", round(median(speedups), 2));
        out.put("explore_two_searches_speedup", round(median(ceilings), 2));
        if (tree) {
            // paired round by round like the speedup: how much faster the model runs alone than under the search
            double[] walkRatios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                walkRatios[r] = walks[r] / rates[r];
            }
            out.put("explore_walk_states_per_second", Math.round(median(walks)));
            out.put("explore_walk_speedup", round(median(walkRatios), 2));
        }
        out.put("explore_bytes_per_state", round(last.fingerprintBytesPerState(), 1));
        out.put("explore_bytes_per_state_with_trace", round(last.bytesPerState(), 1));
        out.put("explore_bytes_per_open_state", round(last.bytesPerOpenState(), 1));
        out.put("explore_peak_heap_mb", round(peakMb, 1));
        out.put("explore_alloc_bytes_per_state", Math.round((double) allocated[0] / last.states()));
    }

    /**
     * States per second of two one-worker searches of {@code s} run at once, one per thread, together: what two of this
     * machine's cores give two searches that share nothing but the heap, the ceiling of what two workers of one search
     * can reach: from 1.12 to 1.92 times one search's rate in {@code bench} runs on this machine, a shared two-CPU VM
     * (bench/README.md, stops 49 and 50), against which {@code explore_2w_speedup} is read. Two searches in two JVMs get about 1.95 from
     * the same cores: sharing one JVM and its serial collector costs each of them 13-18% (bench/README.md, "Stop 50").
     * The harness's threads and clock, not the model's.
     */
    private static double twoSearchesAtOnce(Scenario s, KernelProfile profile) {
        Report[] reports = new Report[2];
        Throwable[] failed = new Throwable[1];
        Thread other = new Thread(() -> {
            try {
                reports[1] = search(s, profile, Options.defaults());
            } catch (RuntimeException | Error e) {
                failed[0] = e;
            }
        }, "mmsim-bench-second-search");
        long start = System.nanoTime();
        other.start();
        reports[0] = search(s, profile, Options.defaults());
        try {
            other.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while two searches ran at once", e);
        }
        long elapsed = System.nanoTime() - start;
        if (failed[0] instanceof RuntimeException e) {
            throw e;
        }
        if (failed[0] instanceof Error e) {
            throw e;
        }
        return (reports[0].states() + reports[1].states()) * 1e9 / Math.max(elapsed, 1);
    }

    /**
     * The heap bytes every thread together allocated while {@code work} ran (the JVM's running total, so the
     * explorer's worker threads count too): unlike a rate, a figure that does not move with the machine's speed.
     */
    private static long allocatedBy(Runnable work) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getTotalThreadAllocatedBytes();
        work.run();
        return mx.getTotalThreadAllocatedBytes() - before;
    }

    /** The large search's figures ({@link #measure(int, Scenario, Scenario)}) into {@code out}. */
    static void exploreLarge(Scenario s, Map<String, Object> out) {
        KernelProfile profile = Checker.profile(s, PROFILE, Map.of());
        Report[] one = new Report[1];
        double peakMb = peakHeapMb(() -> one[0] = search(s, profile, Options.defaults()));
        Report two = search(s, profile, Options.defaults().withWorkers(2));
        out.put("explore_large_scenario", s.name());
        out.put("explore_large_states", one[0].states());
        out.put("explore_large_complete", one[0].complete() && two.complete());
        out.put("explore_large_states_per_second", Math.round(statesPerSecond(one[0])));
        out.put("explore_large_states_per_second_2w", Math.round(statesPerSecond(two)));
        out.put("explore_large_peak_heap_mb", round(peakMb, 1));
    }

    /**
     * States per second of the model alone on {@code s} ({@link ModelWalk}), or -1 if its states are not a tree of the
     * {@code states} its search found. The harness's clock, not the model's.
     */
    private static double walkStatesPerSecond(Scenario s, KernelProfile profile, long states) {
        ScenarioModel model = new ScenarioModel(s, profile, Options.defaults().reduction());
        long start = System.nanoTime();
        long walked;
        try {
            walked = ModelWalk.walk(model, states);
        } catch (ScenarioError e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        long elapsed = System.nanoTime() - start;
        return walked < 0 ? -1 : walked * 1e9 / Math.max(elapsed, 1);
    }

    private static double statesPerSecond(Report r) {
        return r.states() * 1e9 / Math.max(r.elapsedNanos(), 1);
    }

    /**
     * The most the heap held while {@code work} ran, in MiB: the heap pools' peaks summed (they may peak at different
     * moments, so this is an upper bound), or the used heap before it if that is more.
     */
    private static double peakHeapMb(Runnable work) {
        long before = usedHeapAfterGc();
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        pools.forEach(MemoryPoolMXBean::resetPeakUsage);
        work.run();
        long peak = pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return Math.max(peak, before) / 1048576.0;
    }

    private static Report search(Scenario s, KernelProfile profile, Options opts) {
        try {
            return Checker.explore(s, profile, opts);
        } catch (ScenarioException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Heap bytes per resident page: used heap after populating minus before, over the page count. */
    static double bytesPerPage(KernelProfile profile) {
        Fixture f = Fixture.boot(profile, MEMORY_PAGES);
        long before = usedHeapAfterGc();
        f.populate();
        long after = usedHeapAfterGc();
        Reference.reachabilityFence(f);
        return (double) (after - before) / MEMORY_PAGES;
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < GC_PASSES; i++) {
            System.gc();
            try {
                Thread.sleep(GC_SETTLE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring the heap", e);
            }
        }
        return mx.getHeapMemoryUsage().getUsed();
    }

    /** Anonymous write faults per second: stores into fresh pages of a fresh mapping, median round. */
    static double faultsPerSecond(KernelProfile profile) {
        double[] rates = new double[ROUNDS];
        for (int r = -1; r < ROUNDS; r++) {
            Fixture f = Fixture.boot(profile, FAULT_PAGES);
            long t0 = System.nanoTime();
            f.populate();
            long ns = System.nanoTime() - t0;
            if (r >= 0) {
                rates[r] = FAULT_PAGES * 1e9 / ns;
            }
        }
        return median(rates);
    }

    /**
     * Copy-on-write faults per second: after a fork, the parent's stores into every page it shares with its child
     * ({@code do_wp_page} → {@code wp_page_copy}: a new page, the data copied, the pte replaced), median round.
     */
    static double cowFaultsPerSecond(KernelProfile profile) {
        double[] rates = new double[ROUNDS];
        for (int r = -1; r < ROUNDS; r++) {
            Fixture f = Fixture.boot(profile, FAULT_PAGES);
            f.populate();
            Task child = f.kernel().syscalls().fork(f.task(), "child").complete();
            if (child == null) {
                throw new IllegalStateException("fork of " + FAULT_PAGES + " pages ran out of memory");
            }
            long t0 = System.nanoTime();
            f.populate();
            long ns = System.nanoTime() - t0;
            Reference.reachabilityFence(child);
            if (r >= 0) {
                rates[r] = FAULT_PAGES * 1e9 / ns;
            }
        }
        return median(rates);
    }

    /** Interval notifiers registered on one mm for {@link #notifierDispatchNs}. */
    static final int DISPATCH_NOTIFIERS = 100_000;
    /** VMAs of the mm {@link #mmuNotifierRegisterNs} registers on. */
    static final int REGISTER_VMAS = 10_000;

    /** An interval notifier that does what {@code ->invalidate} must: {@code mmu_interval_set_seq}. */
    private static final MmuIntervalNotifierOps SET_SEQ = new MmuIntervalNotifierOps() {
        @Override
        public String name() {
            return "bench_interval_ops";
        }

        @Override
        public boolean invalidate(MmuIntervalNotifier mni, MmuNotifierRange range, long curSeq) {
            mni.setSeq(curSeq);
            return true;
        }
    };

    /**
     * Nanoseconds for one {@code mmu_notifier_invalidate_range_start}/{@code _end} of one page of an mm that has
     * {@value #DISPATCH_NOTIFIERS} interval notifiers, one per page: the interval tree finds the one that overlaps in
     * O(log n). Median round of 100,000 invalidations, each of a different page.
     */
    static double notifierDispatchNs(KernelProfile profile) {
        Kernel k = Kernel.boot(profile, 1 << 12, 0);
        Task t = k.spawn("bench");
        long len = (long) DISPATCH_NOTIFIERS * Page.PAGE_SIZE;
        long a = k.syscalls().mmap(t, 0, len, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0).run();
        MmuNotifiers n = k.notifiers();
        for (int i = 0; i < DISPATCH_NOTIFIERS; i++) {
            n.insert(t.mm(), a + i * Page.PAGE_SIZE, Page.PAGE_SIZE, SET_SEQ);
        }
        int ops = 100_000;
        double[] ns = new double[ROUNDS];
        for (int r = -1; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < ops; i++) {
                long s = a + (long) ((i * 7919L) % DISPATCH_NOTIFIERS) * Page.PAGE_SIZE;
                MmuNotifierRange range = MmuNotifierRange.of(MmuNotifierEvent.CLEAR, t.mm(), s, s + Page.PAGE_SIZE);
                n.invalidateRangeStart(range);
                n.invalidateRangeEnd(range);
            }
            long took = System.nanoTime() - t0;
            if (r >= 0) {
                ns[r] = (double) took / ops;
            }
        }
        return median(ns);
    }

    /**
     * Nanoseconds for {@code mmu_notifier_register} on an mm with {@value #REGISTER_VMAS} VMAs (each touched, so each
     * has an anon_vma to lock): {@code mmap_write_lock} and {@code mm_take_all_locks}, O(#VMAs). Median round of 20.
     */
    static double mmuNotifierRegisterNs(KernelProfile profile) {
        Kernel k = Kernel.boot(profile, 1 << 15, 0);
        Task t = k.spawn("bench");
        for (int i = 0; i < REGISTER_VMAS; i++) {
            int prot = (i & 1) == 0 ? Mman.PROT_READ | Mman.PROT_WRITE : Mman.PROT_READ;
            long a = k.syscalls().mmap(t, 0, Page.PAGE_SIZE, prot, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0)
                    .run();
            k.syscalls().load(t, a).run();
        }
        if (t.mm().vmas().size() < REGISTER_VMAS) {
            throw new IllegalStateException("the bench mm has " + t.mm().vmas().size() + " VMAs, not "
                    + REGISTER_VMAS);
        }
        MmuNotifierOps ops = () -> "bench_ops";
        int reps = 20;
        double[] ns = new double[ROUNDS];
        for (int r = -1; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                k.exports().mmuNotifierRegister(ops, t.mm());
            }
            long took = System.nanoTime() - t0;
            if (r >= 0) {
                ns[r] = (double) took / reps;
            }
        }
        return median(ns);
    }

    /** Milliseconds for {@code fork()} of a process with {@code pages} resident pages, median round. */
    static double forkMillis(KernelProfile profile, int pages) {
        double[] ms = new double[ROUNDS];
        for (int r = -1; r < ROUNDS; r++) {
            Fixture f = Fixture.boot(profile, pages);
            f.populate();
            long t0 = System.nanoTime();
            Task child = f.kernel().syscalls().fork(f.task(), "child").complete();
            long ns = System.nanoTime() - t0;
            if (child == null) {
                throw new IllegalStateException("fork of " + pages + " pages ran out of memory");
            }
            f.kernel().syscalls().exit(child).run();
            if (r >= 0) {
                ms[r] = ns / 1e6;
            }
        }
        return median(ms);
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double round(double x, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(x * scale) / scale;
    }
}
