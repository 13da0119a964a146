package org.mmsim.kernel.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.testing.MutableFields;

/**
 * Guards {@link Kernel#fingerprint()} and {@link KernelCall#fingerprint()} against new state: every mutable field
 * (a non-final instance field, a final array, collection or map, a non-final static) of every class in every package
 * under {@code org.mmsim.kernel} is listed here, as HASHED by its class's {@code hashInto} (for a kernel call: by its
 * {@code locals}, or by {@code KernelCall.fingerprint} itself; for {@link Kernel}: by {@code fingerprint}), or as
 * LEFT_OUT with the reason. A class that gains a field fails this test until its hash covers the field (or the reason
 * it need not is written here), and a field that goes away fails it until its line goes too.
 */
class FingerprintCoverageTest {
    private static final String PACKAGE = "org.mmsim.kernel";

    /** Field ({@code "mm.Mm.flags"}) to null (hashed) or the reason it is left out. */
    private static final Map<String, String> TABLE = new LinkedHashMap<>();

    private static void hashed(String type, String... fields) {
        for (String f : fields) {
            TABLE.put(type + "." + f, null);
        }
    }

    private static void leftOut(String type, String field, String why) {
        TABLE.put(type + "." + field, why);
    }

    static {
        // the machine and its subsystems, in the order Kernel.fingerprint() hashes them
        hashed("Kernel", "driverState");
        leftOut("Kernel", "pageReferences", "holders drivers register at boot: configuration; what they hold is the"
                + " drivers' state, which they register with registerState");
        leftOut("Kernel", "drivers", "the drivers initialised at boot: configuration (their state is driverState)");
        leftOut("api.Exports", "driverState", "the same list as Kernel.driverState, handed over at boot");
        leftOut("api.Exports", "pageReferences", "the same list as Kernel.pageReferences, handed over at boot");
        leftOut("Kernel", "deviceChecks", "invariants drivers register at boot: configuration; what they check is the"
                + " drivers' state");
        leftOut("api.Exports", "deviceChecks", "the same list as Kernel.deviceChecks, handed over at boot");
        leftOut("Kernel", "deviceMemories", "owners of device memory drivers register at boot: configuration");
        leftOut("api.Exports", "deviceMemories", "the same list as Kernel.deviceMemories, handed over at boot");
        hashed("fs.File", "mapping");
        hashed("mm.Mm", "tlb");
        hashed("mm.MmCore", "tlbs");
        hashed("mm.Tlb", "entries", "n", "pending", "np", "pages", "npg", "gathering");
        hashed("dmabuf.DmaBuf", "attachments");
        hashed("dmabuf.DmaBufAttachment", "peer2peer");
        hashed("dmabuf.SgTable", "pfns");
        hashed("mm.AddressSpace", "truncateCount");
        hashed("mm.MmCore", "deviceAccesses");
        leftOut("mm.MmCore", "deviceJudge", "the drivers' owner views, installed at boot: configuration");
        hashed("mm.Detachments", "records");
        leftOut("mm.Mm", "coveredFrom", "derived from the VMAs (where the top-down search may start), not state: any "
                + "value it may hold gives the same addresses");
        leftOut("mm.Detachments", "holders", "the kernel's GUP holders and secondary MMUs, installed at boot: wiring");
        leftOut("mm.page.PageAlloc", "onFree", "the mm core's records, installed by its constructor: wiring");
        leftOut("mm.page.PageAlloc", "pagemapOps", "the drivers' dev_pagemap_ops, registered by them: wiring");
        leftOut("mm.VmFault", "resume", "taken by the fault path within the step the handler paused in");
        leftOut("mm.memory.DeviceFault", "pausable", "set and cleared within one step of a user access");
        leftOut("mm.memory.DeviceFault", "paused", "set and taken within one step of a user access");
        hashed("mm.memory.UnmapMappingRange", "vi", "walk");
        leftOut("mm.memory.UnmapMappingRange", "vmas", "i_mmap when the call began, fixed; the VMAs are hashed with "
                + "their mms and the walk's index is hashed");
        hashed("mm.memory.UserAccess", "pause", "holdsMmapLock");
        hashed("mm.gup.AccessRemoteVm", "physPte", "held");
        hashed("mm.page.PageAlloc", "deviceStart", "deviceEnd", "deviceNext", "pagemaps");
        hashed("mm.notifier.MmuNotifiers", "byMm", "notifiers", "intervals");
        hashed("mm.notifier.MmuNotifiers$Subscriptions", "list", "invalidateSeq", "activeInvalidateRanges", "hasItree",
                "itree", "deferred");
        hashed("mm.notifier.IntervalTree", "root", "size");
        hashed("mm.notifier.MmuNotifier", "released", "unregistered");
        hashed("mm.notifier.MmuIntervalNotifier", "invalidateSeq", "inTree", "removed");
        hashed("mm.hmm.HmmRange", "pfns", "notifierSeq");
        hashed("api.SecondaryMmus", "stale");
        leftOut("api.SecondaryMmus", "views", "devices' tables registered at boot: configuration; their entries are the"
                + " drivers' state, which they register with registerState");
        hashed("mm.memory.ZapWalk", "rangeStart", "rangeEnd");
        hashed("mm.fork.ForkCall", "cowRange");
        hashed("syscall.IoctlCall", "args");
        hashed("syscall.DriverEntryCall", "inner", "held");
        hashed("syscall.RecordReadCall", "buf");
        hashed("mm.MmCore", "mms", "lineage", "anonVmas", "mappings", "observations", "userLockedVm");
        hashed("mm.page.PageAlloc", "start", "end", "next", "freeStack", "freeTop", "nrAllocated", "memallocPin");
        hashed("mm.page.PageAlloc", "stackHash"); // freeStack's hash, kept entry by entry as frames are freed
        leftOut("mm.page.PageAlloc", "sharedZones", "the zones whose stacks' arrays are shared with a copy: how they are kept");
        hashed("mm.page.PageFrames", "store");
        hashed("mm.page.FrameSections", "framesHash", "dir");
        for (String f : List.of("frames", "nrFrames", "lastPfn", "ptes", "nrPtes", "overflow", "balanced", "mms",
                "deadMms", "references")) {
            leftOut("mm.page.AccountingLedger", f, "what changed since the accounting check last ran: a record of the"
                    + " path, not state; the check gives what the full one gives (AccountingLedgerTest, and"
                    + " BundledScenariosTest compares them at every step of the library)");
        }
        for (String f : List.of("scratch", "scratchOrder")) {
            leftOut("mm.page.AccountingLedger", f, "the check's working arrays, kept between checks: their contents"
                    + " mean nothing outside one check");
        }
        leftOut("check.AccountingInvariant", "crossCheck", "a switch for tests, not state of any machine");
        leftOut("mm.page.FrameSections", "hashing", "whether framesHash is kept yet: how, not what, is hashed");
        leftOut("mm.page.FrameSections", "stale", "whether framesHash must be recomputed: how, not what, is hashed");
        leftOut("mm.page.FrameSections", "dirtyPfns", "frames written since the last fingerprint: how it is kept");
        leftOut("mm.page.FrameSections", "dirtyOld", "their hashes before: how the fingerprint is kept");
        leftOut("mm.page.FrameSections", "nrDirty", "the length of that list");
        leftOut("mm.page.FrameSections", "lastOwned", "a lookup cache");
        leftOut("mm.page.FrameSections", "low", "dir[0]'s sections, which dir covers: a lookup shortcut");
        leftOut("mm.page.FrameSections", "dirtyToken", "which sections' dirty bits are current: how it is kept");
        leftOut("mm.page.FrameSections$Section", "hash", "each frame's hash at the last fingerprint: a cache of it");
        leftOut("mm.page.FrameSections$Section", "hashed", "which of those hashes are current");
        leftOut("mm.page.FrameSections$Section", "dirty", "which frames are on the dirty list: how it is kept");
        leftOut("mm.page.FrameSections$Section", "dirtyToken", "under which token those bits are current");
        leftOut("mm.page.FrameSections", "lastOwnedSn", "a lookup cache");
        hashed("mm.page.FrameSections$Chunk", "sections");
        hashed("mm.page.FrameSections$Section", "ints", "longs", "written");
        leftOut("mm.page.FrameSections", "owner", "an identity token for copy-on-write, renewed by every copy");
        hashed("mm.VmaTree", "vmas", "size");
        leftOut("mm.VmaTree", "head", "where in its array the VMAs begin: how they are kept, not which they are");
        hashed("mm.Mm", "flags", "rssAnon", "rssFile", "rssShmem", "hiwaterRss", "pinnedVm", "lockedVm", "rlimitMemlock",
                "defFlags", "mmapBase", "users", "dead", "zapMarkers");
        hashed("mm.pgtable.PageTable", "hash", "present", "keys", "leaves", "nrLeaves");
        leftOut("mm.pgtable.PageTable", "hashed", "whether hash is kept yet: how, not what, is hashed");
        leftOut("mm.pgtable.PageTable", "last", "a lookup cache");
        hashed("mm.pgtable.PageTable$Leaf", "blocks", "present");
        leftOut("mm.pgtable.PageTable", "owner", "an identity token for copy-on-write, renewed by every copy");
        leftOut("mm.pgtable.PageTable$Leaf", "own", "which blocks the leaf copied itself, for copy-on-write");
        hashed("locking.RwSemaphore", "readers", "writer");
        hashed("locking.SpinLock", "locked");
        hashed("locking.SeqCount", "sequence");
        hashed("mm.Vma", "start", "end", "flags", "pgoff", "anonVma", "forkedAnon", "vmOps", "privateData");
        hashed("mm.AnonVma", "vmas");
        hashed("mm.AddressSpace", "size", "evicted", "pages", "inFlight", "iMmap", "pinMissIndex", "pinMissPins");
        hashed("mm.filemap.WritebackCall", "mappings", "mi", "index", "pfn", "dirtyPtes", "ptes", "pteAddrs",
                "realMapcount", "mapcount1", "mapcount2", "rc2");
        leftOut("mm.filemap.WritebackCall", "mapping", "mappings[mi] (or null past the end), both hashed");
        hashed("mm.vmscan.ReclaimCall", "mappings", "indices", "pi", "pfn", "reclaimed", "ptes", "pteAddrs");
        hashed("task.Tasks", "tasks", "nextPid");
        hashed("task.Task", "mm", "files");
        leftOut("task.Task", "record", "the record hash of the task as last worked out: a cache of it");
        leftOut("task.Task", "recordMm", "the mm id the cached record was worked out for: its key");
        leftOut("task.Task", "recordFiles", "whether there was an fd table when the cached record was worked out: its key");
        leftOut("task.Task", "recordDigest", "the fd table's digest the cached record was worked out for: its key");
        hashed("fs.FdTable", "fds", "users");
        leftOut("fs.FdTable", "digest", "the hash of fds and users as last worked out, cleared by every change of them");
        hashed("fs.Vfs", "inodes", "files", "pipes", "names");
        leftOut("fs.Vfs", "regularOps", "one file_operations table per filesystem, made on first use: configuration");
        leftOut("fs.Vfs", "pipeOps", "the pipes' file_operations, made on first use: configuration");
        leftOut("fs.Vfs", "splice", "vmsplice's mechanism, made on first use: no state");
        leftOut("fs.Vfs", "devices", "character devices drivers register at boot: configuration");
        hashed("fs.Inode", "disk", "count", "nlink");
        hashed("fs.File", "privateData", "count");
        hashed("fs.Pipe", "bufs", "readers", "writers");
        hashed("iouring.IoRing", "ubuf", "len", "pages", "accounted", "closed");
        hashed("mm.gup.GupHolders", "all", "nrFollPinAcquired", "nrFollPinReleased");
        hashed("mm.gup.GupPages", "pfns", "nr", "ret", "released");
        leftOut("mm.VmFault", "page", "the page a ->fault handler hands back, within the one fault that made the"
                + " struct vm_fault");

        // kernel calls: KernelCall.fingerprint() hashes name, pc, done and ret, then the call's locals()
        hashed("sched.KernelCall", "pc", "done", "ret");
        leftOut("sched.KernelCall", "pointFormat", "the point's description for traces; the point is pc");
        leftOut("sched.KernelCall", "pointArgs", "the point's description for traces; the point is pc");
        leftOut("sched.KernelCall", "result", "set with ret when the call returns (done); a made object is machine"
                + " state hashed with the machine (the child task, the pages the device holds)");
        leftOut("sched.KernelCall", "current", "the caller's mm id, set once before the first step, for footprints");
        leftOut("sched.KernelCall", "local", "set by the constructor: whether the call is confined to its mm");
        leftOut("sched.Syscall", "made", "set and handed to finish() within the call's one step");
        hashed("mm.fork.ForkCall", "newMm", "vi", "addr", "pte", "copied", "files");
        leftOut("mm.fork.ForkCall", "oldMm", "parent.mm() at the first step, and the parent task is fixed");
        leftOut("mm.fork.ForkCall", "vmas", "the parent's VMAs, copied under mmap_lock held for write, which fork"
                + " holds until it returns: equal to the parent mm's list, hashed with it");
        leftOut("mm.fork.ForkCall", "src", "vmas.get(vi); vi is hashed");
        leftOut("mm.fork.ForkCall", "dst", "the child's copy of src, linked into newMm, hashed with the machine");
        hashed("mm.gup.GupCall", "g", "fast", "slow", "fastPages");
        leftOut("mm.gup.GupCall", "rest", "the pages[] of slow (hashed there), or made and copied within the one"
                + " step of the migrating path");
        hashed("mm.gup.GetUserPages", "pages", "i", "vma", "follFlags", "attempt", "followed");
        hashed("mm.gup.GupFast", "pages", "walkFlags", "seqcount", "seq", "n", "pte", "pfn");
        hashed("mm.gup.AccessRemoteVm", "walk");
        hashed("fs.DirectIo", "file", "gupCall", "pages", "count");
        hashed("mm.mmap.MadviseCall", "walk");
        leftOut("mm.mmap.MadviseCall", "holes", "computed from the VMAs at the first step; they cannot change while"
                + " the call holds mmap_lock for read, until it returns");
        hashed("mm.memory.ZapWalk", "vi", "addr", "holdsPtl");
        leftOut("mm.memory.ZapWalk", "vmas", "the VMAs found under mmap_lock, which the caller holds for the whole"
                + " walk: equal to the mm's, hashed with it");
        leftOut("mm.memory.ZapWalk", "refused", "set by the step that ends the walk and the call with it");
        leftOut("mm.memory.ZapWalk", "toEnd", "true only inside run(), which ends within the step that called it");
        leftOut("mm.memory.ZapWalk", "lastZapped", "the address in the point's description, for traces");

        // not state
        leftOut("profile.KernelProfile", "values", "the profile is immutable and fixed per machine");
        leftOut("profile.Switch", "choices", "an unmodifiable list an enum constant makes in its constructor");
        leftOut("state.Footprint", "on", "the explorer's accumulator, not machine state");
        leftOut("state.Footprint", "bits", "the explorer's accumulator, not machine state");
        for (String f : List.of("h0", "h1", "h2", "h3", "n")) {
            leftOut("state.StateHasher", f, "the hash being computed");
        }
        leftOut("state.Copier", "table", "the map of one copy being made");
        leftOut("state.Copier", "size", "how full that map is");
        leftOut("state.Copier", "list", "the pairs of one copy being made");
        leftOut("state.Copier", "counterparts", "who names the copy's own mechanisms, for one copy being made");
        leftOut("state.Copier", "branch", "what kind of copy is being made, for one copy");
        leftOut("state.Copier", "listed", "how full that list is");
        leftOut("state.Copier", "forwarded", "the originals whose forwarding pointers one copy set, to clear");
        leftOut("state.Copier", "nrForwarded", "how many there are");
        leftOut("state.StateObject", "copiedBy", "a copier's forwarding pointer while it copies: no outcome depends on it");
        leftOut("state.StateObject", "copiedTo", "a copier's forwarding pointer while it copies: no outcome depends on it");
        leftOut("check.AccountingInvariant$Counts", "ranges", "scratch of one check, not state");
        leftOut("check.AccountingInvariant$Counts", "counts", "scratch of one check, not state");
        leftOut("trace.Tracer", "journal", "an observer");
        leftOut("trace.Tracer", "observer", "an observer");
        leftOut("trace.Tracer", "watchdog", "a budget's check, not machine state");
        leftOut("trace.Tracer", "sinceWatchdog", "the watchdog's counter, not machine state");
        leftOut("trace.Tracer", "depth", "0 between two calls run from outside the kernel");
    }

    @Test
    void everyMutableFieldOfEveryKernelPackageIsHashedOrDeliberatelyLeftOut() {
        Set<String> unknown = new TreeSet<>(MutableFields.mutableFields(Kernel.class, PACKAGE).keySet());
        unknown.removeAll(TABLE.keySet());

        assertThat(unknown).as("mutable fields the fingerprint does not know: hash them in their class's hashInto"
                + " (or a call's locals) and list them as hashed, or list them as left out with the reason").isEmpty();
    }

    @Test
    void everyListedFieldExistsAndIsMutable() {
        Set<String> mutable = MutableFields.mutableFields(Kernel.class, PACKAGE).keySet();
        List<String> declared = MutableFields.declaredFields(Kernel.class, PACKAGE);

        assertThat(declared).as("fields named by this test").containsAll(TABLE.keySet());
        assertThat(mutable).as("fields named by this test that are not mutable").containsAll(TABLE.keySet());
    }

    @Test
    void everyLeftOutFieldSaysWhy() {
        TABLE.forEach((field, why) -> {
            if (why != null) {
                assertThat(why).as("why %s is left out", field).isNotBlank();
            }
        });
    }

    @Test
    void theScanSeesEveryPackageAndTheCalls() {
        assertThat(MutableFields.classesUnder(Kernel.class, PACKAGE)).extracting(Class::getPackageName)
                .contains("org.mmsim.kernel", "org.mmsim.kernel.mm", "org.mmsim.kernel.mm.gup", "org.mmsim.kernel.fs",
                        "org.mmsim.kernel.sched", "org.mmsim.kernel.iouring", "org.mmsim.kernel.task");
        assertThat(MutableFields.classesUnder(Kernel.class, PACKAGE))
                .filteredOn(KernelCall.class::isAssignableFrom)
                .extracting(Class::getSimpleName)
                .contains("GupCall", "GetUserPages", "GupFast", "AccessRemoteVm", "ForkCall", "MadviseCall",
                        "Syscall", "Wrapper");
    }
}
