package org.mmsim.kernel.state;

import static org.assertj.core.api.Assertions.assertThat;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.notifier.MmuIntervalNotifier;
import org.mmsim.kernel.mm.notifier.RecordingNotifier;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Mman;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.testing.MutableFields;
import org.mmsim.kernel.testing.RecordingJournal;
import org.mmsim.kernel.testing.TestKernels;

/**
 * {@link Kernel#copy}: a copy is the same machine (every field equal, every reference to the copy's own object,
 * shared only where sharing is the design) and an independent one (steps on either leave the other alone), and it
 * goes on exactly as the original does: same fingerprints, same journals. Also the guard beside
 * {@code FingerprintCoverageTest}: every mutable field of the kernel packages is either seen carrying a value through
 * a copy of a machine that uses it, or listed here as left out with the reason.
 */
@InvariantsNotChecked("the machine copied holds calls stopped half way (a pin grabbed but not yet handed over), where"
        + " the explorer does not check invariants either")
class CopyTest {
    private static final String PACKAGE = "org.mmsim.kernel";

    /** Mutable fields a copy does not carry, or that the machine below does not reach, with the reason. */
    private static final Map<String, String> LEFT_OUT = new LinkedHashMap<>();

    static {
        LEFT_OUT.put("trace.Tracer.journal", "an observer: a copy starts with none attached");
        LEFT_OUT.put("trace.Tracer.observer", "an observer: a copy starts with none attached");
        LEFT_OUT.put("trace.Tracer.watchdog", "a budget's check, the caller's: a copy starts with none");
        LEFT_OUT.put("trace.Tracer.sinceWatchdog", "the watchdog's counter, not machine state");
        LEFT_OUT.put("trace.Tracer.depth", "0 between two calls run from outside the kernel, when machines are copied");
        LEFT_OUT.put("state.Footprint.on", "the explorer's accumulator: the copy's owner switches tracking on");
        LEFT_OUT.put("state.Footprint.bits", "the explorer's accumulator, taken after every step");
        for (String f : List.of("h0", "h1", "h2", "h3", "n")) {
            LEFT_OUT.put("state.StateHasher." + f, "a hash being computed, not state");
        }
        LEFT_OUT.put("state.Copier.table", "the copier's own map, not state");
        LEFT_OUT.put("state.Copier.size", "how full that map is");
        LEFT_OUT.put("state.Copier.list", "the copier's own list of pairs, not state");
        LEFT_OUT.put("state.Copier.listed", "how full that list is");
        LEFT_OUT.put("state.Copier.forwarded", "the originals whose forwarding pointers the copier set, to clear");
        LEFT_OUT.put("state.Copier.nrForwarded", "how many there are");
        LEFT_OUT.put("state.Copier.counterparts", "who names the copy's own mechanisms, for one copy being made");
        LEFT_OUT.put("state.Copier.branch", "what kind of copy is being made, for one copy: the copier's own");
        LEFT_OUT.put("state.StateObject.copiedBy", "a copier's forwarding pointer, set only while it copies");
        LEFT_OUT.put("state.StateObject.copiedTo", "a copier's forwarding pointer, set only while it copies");
        LEFT_OUT.put("check.AccountingInvariant.crossCheck", "a switch for tests, not state of any machine");
        LEFT_OUT.put("mm.page.AccountingLedger.balanced", "copied as a boolean; false: this machine's last check ran"
                + " with calls stopped half way (AccountingLedgerTest copies a balanced record)");
        LEFT_OUT.put("mm.page.AccountingLedger.overflow", "copied as a boolean; false: under 64 frames written since"
                + " the last check");
        LEFT_OUT.put("mm.page.AccountingLedger.mms", "copied as an int (AccountingLedgerTest copies a checked one)");
        LEFT_OUT.put("mm.page.AccountingLedger.deadMms", "copied as an int; 0: no mm of this machine has exited");
        LEFT_OUT.put("mm.page.AccountingLedger.scratch", "the check's working array, not state: a copy makes its own");
        LEFT_OUT.put("mm.page.AccountingLedger.scratchOrder", "the check's working array, not state: a copy makes"
                + " its own");
        LEFT_OUT.put("check.AccountingInvariant$Counts.ranges", "scratch of one check, not state");
        LEFT_OUT.put("check.AccountingInvariant$Counts.counts", "scratch of one check, not state");
        LEFT_OUT.put("profile.KernelProfile.values", "immutable, shared by every machine of a profile");
        LEFT_OUT.put("profile.Switch.choices", "an enum constant's unmodifiable list");
        LEFT_OUT.put("mm.VmFault.page", "lives within one fault; never in a machine between two steps");
        LEFT_OUT.put("sched.Syscall.made", "set and handed to finish() within the call's one step");
        LEFT_OUT.put("mm.page.FrameSections.owner", "identity token: a copy gets a new one on both sides by design");
        LEFT_OUT.put("mm.pgtable.PageTable.owner", "identity token: a copy gets a new one on both sides by design");
        LEFT_OUT.put("mm.page.FrameSections.dirtyToken", "identity token, shared by a copy and its original as"
                + " the dirty list it stands for is");
        LEFT_OUT.put("mm.page.FrameSections.lastOwned", "a lookup cache, emptied on both sides by a copy");
        LEFT_OUT.put("mm.page.FrameSections.lastOwnedSn", "a lookup cache, emptied on both sides by a copy");
        LEFT_OUT.put("mm.page.FrameSections.low", "the first chunk's sections array, which a copy shares with the"
                + " directory it shares: copy-on-write storage until one side writes that chunk");
        LEFT_OUT.put("mm.pgtable.PageTable$Leaf.own", "which blocks a leaf copied itself: 0 in a leaf just shared");
        LEFT_OUT.put("mm.memory.ZapWalk.refused", "set by the step that ends the walk and the call with it");
        LEFT_OUT.put("mm.gup.GupCall.rest", "made and consumed within the one step of the migrating long-term path");
        LEFT_OUT.put("mm.gup.GupHolders.nrFollPinReleased", "copied as a long; this machine releases no pin");
        LEFT_OUT.put("mm.gup.GupPages.released", "copied as a boolean; this machine releases no pin");
        LEFT_OUT.put("mm.MmCore.observations", "values copied as a list; this machine reads no other mm's data");
        LEFT_OUT.put("mm.MmCore.userLockedVm", "copied as a long; this machine charges no io_uring buffer");
        LEFT_OUT.put("mm.AddressSpace.evicted", "copied as a boolean; no inode of this machine is evicted");
        LEFT_OUT.put("mm.page.PageAlloc.sharedZones", "set on both sides by a copy: the zones whose stacks' arrays are shared");
        LEFT_OUT.put("mm.page.PageAlloc.memallocPin", "copied; set only within a long-term GUP's one step");
        LEFT_OUT.put("iouring.IoRing.ubuf", "copied; this machine registers no buffer");
        LEFT_OUT.put("iouring.IoRing.len", "copied; this machine registers no buffer");
        LEFT_OUT.put("iouring.IoRing.pages", "copied; this machine registers no buffer");
        LEFT_OUT.put("iouring.IoRing.accounted", "copied; this machine registers no buffer");
        LEFT_OUT.put("iouring.IoRing.closed", "copied; this machine's ring stays open");
        LEFT_OUT.put("fs.Inode.disk", "copied (blocks shared: write-back replaces a block, never changes one)");
        LEFT_OUT.put("mm.Mm.dead", "copied; no mm of this machine has exited");
        for (String f : List.of("mm.page.FrameSections$Chunk.sections", "mm.page.FrameSections$Section.written",
                "mm.page.FrameSections$Section.ints", "mm.page.FrameSections$Section.longs",
                "mm.page.FrameSections$Section.hash",
                "mm.page.FrameSections$Section.hashed", "mm.page.FrameSections$Section.dirty",
                "mm.page.FrameSections$Section.dirtyToken", "mm.page.PageAlloc.freeStack",
                "mm.page.PageAlloc.stackHash", "mm.pgtable.PageTable$Leaf.blocks",
                "mm.pgtable.PageTable$Leaf.present")) {
            LEFT_OUT.put(f, "copy-on-write storage: the copy shares the object until one side writes it");
        }
        LEFT_OUT.put("mm.gup.GupCall.fastPages", "copied as an int; this machine's GUP-fast has not fallen back");
        for (String f : List.of("mm.gup.GetUserPages.i", "mm.gup.GupFast.n", "mm.gup.GupFast.seq",
                "mm.mmap.MadviseCall.holes", "mm.page.FrameSections.nrDirty", "mm.page.FrameSections.stale",
                "mm.pgtable.PageTable.last", "sched.KernelCall.ret")) {
            LEFT_OUT.put(f, "copied as it is; zero (or false) in every call and at the moment this machine is copied");
        }
        LEFT_OUT.put("mm.notifier.MmuNotifiers$Subscriptions.deferred", "copied; empty but while an insert races an"
                + " invalidation, which NotifierTest covers");
        LEFT_OUT.put("syscall.IoctlCall.args", "an ioctl in flight needs a driver: DriversCopyTest");
        LEFT_OUT.put("syscall.DriverEntryCall.inner", "an ioctl or read in flight needs a driver: DriversCopyTest");
        LEFT_OUT.put("syscall.DriverEntryCall.held", "a read in flight needs a driver: DriversCopyTest");
        LEFT_OUT.put("syscall.RecordReadCall.buf", "a read of records in flight needs a driver: DriversCopyTest");
        LEFT_OUT.put("Kernel.deviceMemories", "drivers' tables: DriversCopyTest copies a machine with them");
        LEFT_OUT.put("api.Exports.deviceMemories", "drivers' tables: DriversCopyTest copies a machine with them");
        LEFT_OUT.put("fs.File.mapping", "copied; only device files set it: DriversCopyTest");
        for (String f : List.of("dmabuf.DmaBuf.attachments", "dmabuf.DmaBufAttachment.peer2peer")) {
            LEFT_OUT.put(f, "a dma-buf needs an exporting driver: DriversCopyTest copies a machine with an importer");
        }
        LEFT_OUT.put("dmabuf.SgTable.pfns", "immutable: a copy shares the table with its original");
        for (String f : List.of("mm.Mm.tlb", "mm.MmCore.tlbs", "mm.Tlb.entries", "mm.Tlb.gathering", "mm.Tlb.n",
                "mm.Tlb.np", "mm.Tlb.npg", "mm.Tlb.pages", "mm.Tlb.pending")) {
            LEFT_OUT.put(f, "this machine caches no translations: TlbTest copies one that does, mid-zap");
        }
        LEFT_OUT.put("mm.AddressSpace.truncateCount", "copied as a long; this machine unmaps no mapping range");
        LEFT_OUT.put("mm.Detachments.holders", "installed by each machine's constructor over its own holders");
        LEFT_OUT.put("mm.page.PageAlloc.onFree", "installed by each machine's mm core over its own records");
        LEFT_OUT.put("mm.page.PageAlloc.pagemapOps", "registered by each machine's drivers: DriversCopyTest");
        LEFT_OUT.put("mm.MmCore.deviceJudge", "installed by each machine's constructor over its own drivers' views");
        LEFT_OUT.put("mm.MmCore.deviceAccesses", "values copied as a list; drained by the invariant after every call");
        LEFT_OUT.put("mm.VmFault.resume", "lives within one step of a fault");
        LEFT_OUT.put("mm.memory.DeviceFault.pausable", "set and cleared within one step of a user access");
        LEFT_OUT.put("mm.memory.DeviceFault.paused", "set and taken within one step of a user access");
        LEFT_OUT.put("mm.gup.AccessRemoteVm.held", "set only while a /proc/PID/mem write sleeps in lock_page: "
                + "WritebackReclaimTest stops one there");
        for (String f : List.of("mm.memory.UnmapMappingRange.vi", "mm.memory.UnmapMappingRange.vmas",
                "mm.memory.UnmapMappingRange.walk", "mm.memory.UserAccess.pause", "mm.memory.UserAccess.holdsMmapLock",
                "mm.gup.AccessRemoteVm.physPte")) {
            LEFT_OUT.put(f, "a call of a device mapping in flight: DriversCopyTest copies a machine with one");
        }
        for (String f : List.of("mm.page.PageAlloc.deviceStart", "mm.page.PageAlloc.deviceEnd",
                "mm.page.PageAlloc.deviceNext")) {
            LEFT_OUT.put(f, "copied as an int; no driver of this machine reserves device memory");
        }
        LEFT_OUT.put("api.SecondaryMmus.views", "registered by drivers at init: DriversCopyTest");
        LEFT_OUT.put("api.SecondaryMmus.stale", "values copied as a list; drained by the invariant after every call");
        LEFT_OUT.put("mm.hmm.HmmRange.notifierSeq", "held only by driver calls: the drivers' copy tests");
        LEFT_OUT.put("mm.hmm.HmmRange.pfns", "held only by driver calls: the drivers' copy tests");
        LEFT_OUT.put("mm.notifier.MmuNotifier.unregistered", "copied as a boolean; this machine unregisters none");
        LEFT_OUT.put("mm.notifier.MmuNotifier.released", "copied as a boolean; no mm of this machine has exited");
        LEFT_OUT.put("mm.notifier.MmuIntervalNotifier.removed", "copied as a boolean; this machine removes none");
        LEFT_OUT.put("mm.notifier.IntervalTree.root", "immutable nodes, shared by the copy until one side changes");
        LEFT_OUT.put("mm.filemap.WritebackCall.index", "copied as a long; 0: the writeback is at the file's first page");
        LEFT_OUT.put("mm.filemap.WritebackCall.mi", "copied as an int; 0: the writeback is in its first file");
        LEFT_OUT.put("mm.filemap.WritebackCall.ptes", "copied VMA by VMA; empty: this machine's writeback is past its"
                + " pte walk (the reclaim's list of the same kind is not)");
        LEFT_OUT.put("mm.filemap.WritebackCall.pteAddrs", "copied as a list; empty, as ptes");
        for (String f : List.of("realMapcount", "mapcount1", "mapcount2", "rc2")) {
            LEFT_OUT.put("mm.filemap.WritebackCall." + f, "copied as an int; 0 outside pin_tracking=mapcount-*, which"
                    + " this machine's profile does not use (PinTrackingTest explores a mapcount-v2 machine)");
        }
        LEFT_OUT.put("mm.Mm.zapMarkers", "copied as a set; empty outside pin_tracking=mapcount-v2");
        LEFT_OUT.put("mm.AddressSpace.pinMissPins", "copied as an int; 0: no writeback of this machine misjudges a pin"
                + " (pinMissIndex, copied beside it, is -1)");
        LEFT_OUT.put("mm.vmscan.ReclaimCall.pi", "copied as an int; 0: the reclaim is at its first page");
        LEFT_OUT.put("mm.vmscan.ReclaimCall.reclaimed", "copied as an int; 0: no page freed yet");
        LEFT_OUT.put("mm.memory.ZapWalk.vi", "copied as an int; 0 while the walk is in its first VMA");
        LEFT_OUT.put("mm.memory.ZapWalk.toEnd", "true only inside run(), which ends within the step that called it");
        LEFT_OUT.put("fs.Vfs.splice", "vmsplice's mechanism, made on first use (a copy makes its own and pairs it"
                + " when its original has one: this machine splices nothing)");
        for (String f : List.of("Kernel.driverState", "Kernel.drivers", "Kernel.pageReferences", "Kernel.deviceChecks",
                "api.Exports.driverState", "api.Exports.pageReferences", "api.Exports.deviceChecks", "fs.Vfs.devices",
                "mm.Vma.privateData")) {
            LEFT_OUT.put(f, "drivers' state and tables: DriversCopyTest copies a machine with them");
        }
    }

    /** A machine with a bit of everything, and two calls stopped half way (a fork and a GUP-fast pin). */
    private record Scene(Kernel k, List<KernelCall<?>> calls) {}

    private static Scene scene() {
        FingerprintTest.Machine m = FingerprintTest.machine();
        Kernel k = m.k();
        assertThat(k.syscalls().pinUserPages(m.p(), m.a(), 1, Foll.FOLL_WRITE).complete().nr()).isOne();
        assertThat(k.fileSyscalls().write(m.p(), m.pipe()[1], 3).run()).isEqualTo(8);
        assertThat(k.fileSyscalls().ioUringSetup(m.q()).run()).isPositive();
        assertThat(k.syscalls().mprotect(m.q(), m.b(), TestKernels.PAGE, org.mmsim.kernel.uapi.Mman.PROT_READ).run())
                .isZero();
        long shared = TestKernels.mmapSharedAnon(k, m.q(), 1, TestKernels.RW);
        TestKernels.write(k, m.q(), shared, 5);
        assertThat(k.syscalls().mlock(m.q(), shared, TestKernels.PAGE).run()).isZero(); // mm->locked_vm
        assertThat(k.syscalls().mlockall(m.q(), org.mmsim.kernel.uapi.Mman.MCL_FUTURE).run()).isZero(); // def_flags
        int g = TestKernels.creat(k, m.q(), org.mmsim.kernel.fs.FsType.EXT4, "g", TestKernels.PAGE);
        long buf = TestKernels.mmapAnon(k, m.q(), 1, TestKernels.RW);
        KernelCall<?> odirect = k.fileSyscalls().odirectRead(m.q(), g, 0, buf, TestKernels.PAGE);
        while (!odirect.point().contains("in flight")) {
            odirect.step();
        }
        int ring = (int) k.fileSyscalls().ioUringSetup(m.p()).run();
        assertThat(k.fileSyscalls().ioUringRegisterBuffers(m.p(), ring, m.a(), TestKernels.PAGE).run()).isZero();
        RecordingNotifier subscriber = new RecordingNotifier();
        k.notifiers().register(subscriber, m.q().mm());
        MmuIntervalNotifier mni = k.notifiers().insert(m.q().mm(), m.b(), 2 * TestKernels.PAGE, subscriber);
        k.notifiers().insert(m.p().mm(), m.a(), TestKernels.PAGE, subscriber);
        // a long-term pin the program unmapped from under: a Detachments record
        long detached = TestKernels.mmapAnon(k, m.q(), 1, TestKernels.RW);
        TestKernels.write(k, m.q(), detached, 9);
        k.syscalls().pinUserPages(m.q(), detached, 1, Foll.FOLL_WRITE | Foll.FOLL_LONGTERM).complete();
        assertThat(k.syscalls().munmap(m.q(), detached, TestKernels.PAGE).run()).isZero();
        assertThat(k.mm().detachments().all()).hasSize(1);
        // an ext4 file: writeback stopped with page 0's bio in flight, reclaim of page 1 between its two ptes
        int fd = TestKernels.creat(k, m.p(), FsType.EXT4, "wb", 2 * TestKernels.PAGE);
        long fa = TestKernels.mmapFile(k, m.p(), fd, 2, TestKernels.RW, Mman.MAP_SHARED);
        long fb = TestKernels.mmapFile(k, m.p(), fd, 2, TestKernels.RW, Mman.MAP_SHARED);
        TestKernels.write(k, m.p(), fa, 7);
        TestKernels.load(k, m.p(), fa + TestKernels.PAGE);
        TestKernels.load(k, m.p(), fb + TestKernels.PAGE);
        KernelCall<?> wb = k.fileSyscalls().writeback(m.p(), fd);
        steps(wb, 2);
        KernelCall<?> reclaim = k.fileSyscalls().reclaim(m.p(), fd, TestKernels.PAGE);
        steps(reclaim, 1);
        KernelCall<?> fork = k.syscalls().fork(m.p(), "child");
        fork.step();
        KernelCall<?> pin = k.syscalls().pinUserPagesFast(m.q(), m.b(), 2, 0);
        steps(pin, 3);
        KernelCall<?> gup = k.syscalls().getUserPages(m.q(), m.b() + TestKernels.PAGE, 1, Foll.FOLL_WRITE);
        steps(gup, 4);
        KernelCall<?> peek = k.syscalls().procMemRead(m.q(), m.q(), m.b());
        peek.step();
        KernelCall<?> zap = k.syscalls().madvise(m.q(), m.b(), 2 * TestKernels.PAGE,
                org.mmsim.kernel.uapi.Mman.MADV_DONTNEED);
        steps(zap, 1);
        assertThat(mni.invalidateSeq()).as("the madvise is invalidating the interval").isOdd();
        List<KernelCall<?>> calls = new ArrayList<>(List.of(fork, pin, gup, peek, zap, odirect, wb, reclaim));
        assertThat(calls).noneMatch(KernelCall::done);
        KernelCall<?> load = k.syscalls().load(m.q(), m.b());
        load.run();
        calls.add(load);
        k.fingerprint();
        return new Scene(k, calls);
    }

    private static void steps(KernelCall<?> call, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(call.blockedOn()).as("%s before step %d", call, i + 1).isNull();
            call.step();
        }
    }

    /** The scene, copied with its calls, walked beside its copy. */
    private static Walk walkedCopy(Scene s, Kernel[] copyOut) {
        Copier c = new Copier();
        Kernel copy = s.k().copy(c);
        List<Object> calls = new ArrayList<>();
        for (KernelCall<?> call : s.calls()) {
            calls.add(c.copy(call));
        }
        Walk walk = new Walk();
        walk.compare(s.k(), copy, "kernel");
        walk.compare(s.calls(), calls, "calls");
        copyOut[0] = copy;
        return walk;
    }

    @Test
    void aCopyIsTheSameMachineMadeOfItsOwnObjects() {
        Scene s = scene();
        Kernel[] copy = new Kernel[1];
        Walk walk = walkedCopy(s, copy);

        assertThat(walk.problems).as("differences between the machine and its copy").isEmpty();
        assertThat(copy[0].fingerprint()).isEqualTo(s.k().fingerprint());
    }

    @Test
    void everyMutableFieldIsCarriedByTheCopyOrLeftOutWithAReason() {
        Walk walk = walkedCopy(scene(), new Kernel[1]);

        Set<String> unseen = new TreeSet<>(MutableFields.mutableFields(Kernel.class, PACKAGE).keySet());
        unseen.removeAll(walk.carried);
        unseen.removeAll(LEFT_OUT.keySet());
        assertThat(unseen).as("mutable fields no copy was seen to carry: copy them in the class's copy section (and"
                + " give the machine of this test a use of them), or list them as left out with the reason").isEmpty();
        assertThat(MutableFields.declaredFields(Kernel.class, PACKAGE)).as("fields listed as left out")
                .containsAll(LEFT_OUT.keySet());
    }

    @Test
    void stepsOnACopyLeaveTheOriginalAloneAndBothGoOnAlike() {
        Map<String, Consumer<FingerprintTest.Machine>> steps = FingerprintTest.everyKindOfCall();
        List<String> names = new ArrayList<>(steps.keySet());
        for (int from = 0; from <= names.size(); from++) {
            FingerprintTest.Machine original = FingerprintTest.machine();
            for (int i = 0; i < from; i++) {
                steps.get(names.get(i)).accept(original);
            }
            long before = original.k().fingerprint();
            FingerprintTest.Machine copy = copyOf(original);
            assertThat(copy.k().fingerprint()).as("copy after %d steps", from).isEqualTo(before);

            RecordingJournal copyJournal = new RecordingJournal();
            copy.k().attach(copyJournal);
            List<Long> copyPrints = new ArrayList<>();
            for (int i = from; i < names.size(); i++) {
                steps.get(names.get(i)).accept(copy);
                copyPrints.add(copy.k().fingerprint());
            }
            assertThat(original.k().fingerprint()).as("original after steps on its copy (from %d)", from)
                    .isEqualTo(before);

            RecordingJournal journal = new RecordingJournal();
            original.k().attach(journal);
            List<Long> prints = new ArrayList<>();
            for (int i = from; i < names.size(); i++) {
                steps.get(names.get(i)).accept(original);
                prints.add(original.k().fingerprint());
            }
            assertThat(copyPrints).as("fingerprints of the copy, from step %d", from).isEqualTo(prints);
            assertThat(copyJournal.lines()).as("journal of the copy, from step %d", from).isEqualTo(journal.lines());
        }
    }

    private static FingerprintTest.Machine copyOf(FingerprintTest.Machine m) {
        Kernel k = m.k().copy();
        return new FingerprintTest.Machine(k, task(k, m.p()), task(k, m.q()), m.a(), m.b(), m.f(), m.fa(),
                m.pipe());
    }

    private static Task task(Kernel k, Task t) {
        return k.tasks().byPid(t.pid());
    }

    /**
     * Walks a machine and its copy side by side: values must be equal, objects of the model distinct (each the copy
     * of the other) unless sharing them is the design (sections and PTE tables until written, immutable values,
     * lambdas that capture nothing). Records every field seen carrying a value that is not its type's default.
     */
    private static final class Walk {
        final List<String> problems = new ArrayList<>();
        final Set<String> carried = new TreeSet<>();
        private final Map<Object, Object> seen = new IdentityHashMap<>();

        void compare(Object a, Object b, String path) {
            if (a == null || b == null) {
                if (a != b) {
                    problems.add(path + ": " + a + " vs " + b);
                }
                return;
            }
            if (a.getClass() != b.getClass()) {
                problems.add(path + ": " + a.getClass().getName() + " vs " + b.getClass().getName());
                return;
            }
            if (isValue(a)) {
                if (!a.equals(b)) {
                    problems.add(path + ": " + a + " vs " + b);
                }
                return;
            }
            if (seen.containsKey(a)) {
                if (seen.get(a) != b) {
                    problems.add(path + ": one object, two copies");
                }
                return;
            }
            seen.put(a, b);
            if (a == b) {
                if (!sharedByDesign(a)) {
                    problems.add(path + ": the copy shares a " + a.getClass().getName() + " with the original");
                }
                return;
            }
            Class<?> c = a.getClass();
            if (c.isArray()) {
                compareArrays(a, b, path);
            } else if (a instanceof Map<?, ?> ma) {
                Map<?, ?> mb = (Map<?, ?>) b;
                compare(new ArrayList<>(ma.keySet()), new ArrayList<>(mb.keySet()), path + ".keys");
                compare(new ArrayList<>(ma.values()), new ArrayList<>(mb.values()), path + ".values");
            } else if (a instanceof Collection<?> ca) {
                Collection<?> cb = (Collection<?>) b;
                if (ca.size() != cb.size()) {
                    problems.add(path + ": " + ca.size() + " elements vs " + cb.size());
                    return;
                }
                Iterator<?> ib = cb.iterator();
                int i = 0;
                for (Object x : ca) {
                    compare(x, ib.next(), path + "[" + i++ + "]");
                }
            } else if (c.getName().startsWith("org.mmsim.")) {
                compareFields(a, b, path);
            } else {
                problems.add(path + ": cannot compare a " + c.getName());
            }
        }

        private void compareFields(Object a, Object b, String path) {
            for (Class<?> c = a.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) {
                        continue;
                    }
                    String key = c.getName().startsWith(PACKAGE + ".") ? MutableFields.key(c, PACKAGE) + "."
                            + f.getName() : c.getName() + "." + f.getName();
                    if (LEFT_OUT.containsKey(key)) {
                        continue;
                    }
                    f.setAccessible(true);
                    try {
                        Object va = f.get(a);
                        Object vb = f.get(b);
                        if (!isDefault(va)) {
                            carried.add(key);
                        }
                        compare(va, vb, path + "." + f.getName());
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }

        private void compareArrays(Object a, Object b, String path) {
            int n = java.lang.reflect.Array.getLength(a);
            if (n != java.lang.reflect.Array.getLength(b)) {
                problems.add(path + ": length " + n + " vs " + java.lang.reflect.Array.getLength(b));
                return;
            }
            for (int i = 0; i < n; i++) {
                compare(java.lang.reflect.Array.get(a, i), java.lang.reflect.Array.get(b, i), path + "[" + i + "]");
            }
        }

        private static boolean isDefault(Object v) {
            if (v == null) {
                return true;
            }
            if (v instanceof Number n) {
                return n.doubleValue() == 0;
            }
            if (v instanceof Boolean bool) {
                return !bool;
            }
            if (v instanceof Collection<?> col) {
                return col.isEmpty();
            }
            if (v instanceof Map<?, ?> map) {
                return map.isEmpty();
            }
            return false;
        }

        private static boolean isValue(Object o) {
            return o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Character
                    || o instanceof Enum<?> || (o instanceof Record && !(o instanceof KernelCall.SubPoint));
        }

        /** Shared by design: copy-on-write storage, immutable configuration, and lambdas with nothing captured. */
        private static boolean sharedByDesign(Object o) {
            String n = o.getClass().getName();
            return n.equals("org.mmsim.kernel.mm.page.FrameSections$Chunk")
                    || n.equals("org.mmsim.kernel.mm.page.FrameSections$Section")
                    || n.equals("org.mmsim.kernel.mm.pgtable.PageTable$Leaf")
                    || o instanceof long[]
                    || o.getClass().isArray() && java.lang.reflect.Array.getLength(o) == 0
                    || o instanceof org.mmsim.kernel.profile.KernelProfile
                    || o.getClass().isSynthetic() || o.getClass().isHidden()
                    || n.equals("org.mmsim.kernel.mm.AddressSpaceOperations$1");
        }
    }
}
