package org.mmsim.kernel.mm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Footprint;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Tracer;

/**
 * What every memory-management mechanism shares: the running profile, physical memory ({@code mem_map} and the
 * page allocator), the instrumentation (tracer and footprint), the kernel's event clock, and the mm-level
 * registries the kernel keeps as globals or reaches through pointers: every mm with its lineage, every anon_vma and
 * every address_space by id (what {@code page->mapping} names), {@code user->locked_vm}, and the isolation shadow.
 * Mechanisms meet through their own constructor-injected references, never through this object.
 *
 * <p>Design notes. The lineage and the observation log are model shadows for the isolation invariant, not kernel
 * state. For each mm the lineage holds its parent, its <em>separation epoch</em> (how many forks the parent had
 * completed once the fork that made this mm was over) and its own <em>epoch</em> (how many forks it has completed).
 * A user store stamps the page with the writer and the writer's epoch; a read of another mm's anonymous data is
 * legitimate only if the writer is an ancestor and its epoch at the store was below the separation epoch of its
 * child on the way to the reader: the store came before the fork that separated them.
 *
 * <p>Why epochs and not a machine-wide clock: a store's place relative to its own mm's forks is all the oracle can
 * ask, and all the kernel's behaviour depends on. A clock ticked by every store made two stores of different
 * processes, or of two threads of one process, into different states in either order, though nothing the kernel
 * does can tell them apart; with epochs they commute, and the explorer's sleep sets can prune them.
 */
public final class MmCore implements Hashable {
    private final KernelProfile profile;
    private final Tracer trace;
    private final Footprint footprint;
    private final PageFrames frames;
    private final PageAlloc alloc;
    private final List<Mm> mms = new ArrayList<>();
    private final List<int[]> lineage = new ArrayList<>();
    private final List<AnonVma> anonVmas = new ArrayList<>();
    private final List<AddressSpace> mappings = new ArrayList<>();
    private final List<Observation> observations = new ArrayList<>();
    /** Accesses through a pte or a GUP reference to device memory since the last check: {mm, addr, pfn, how}. */
    private final List<DeviceAccess> deviceAccesses = new ArrayList<>();
    /** {@code user->locked_vm} of the one user every process runs as, in pages. */
    private long userLockedVm;
    /** Whether mms cache translations per CPU ({@link Tlb}): a scenario's {@code tlb}. */
    private boolean tlbs;
    private final Detachments detachments;

    public MmCore(KernelProfile profile, Tracer trace, Footprint footprint, PageFrames frames, PageAlloc alloc) {
        this.profile = profile;
        this.trace = trace;
        this.footprint = footprint;
        this.frames = frames;
        this.alloc = alloc;
        this.detachments = new Detachments(trace);
        alloc.onFree(detachments::freed);
    }

    public KernelProfile profile() {
        return profile;
    }

    public Tracer trace() {
        return trace;
    }

    public Footprint footprint() {
        return footprint;
    }

    public PageFrames frames() {
        return frames;
    }

    public PageAlloc alloc() {
        return alloc;
    }

    // ---- mms ----------------------------------------------------------------------------------------------

    /** Give every mm, now and from now on, a TLB per CPU ({@link Tlb}). */
    public void enableTlbs() {
        tlbs = true;
        for (Mm mm : mms) {
            mm.enableTlb();
        }
    }

    /** Whether mms cache translations per CPU. */
    public boolean tlbs() {
        return tlbs;
    }

    /**
     * {@code mm_alloc()}: a new, empty mm, child of mm {@code parentId} (0: none). Until {@link #forked} says so, the
     * child counts as separated from the parent's next epoch on.
     */
    public Mm newMm(int parentId) {
        Mm mm = new Mm(this, mms.size() + 1);
        if (tlbs) {
            mm.enableTlb();
        }
        mms.add(mm);
        lineage.add(new int[] {parentId, parentId == 0 ? 0 : epoch(parentId) + 1, 0});
        return mm;
    }

    /** Every mm ever created, by id (ids start at 1). */
    public List<Mm> mms() {
        return Collections.unmodifiableList(mms);
    }

    /** How many mms were ever created (ids 1 to this). */
    public int nrMms() {
        return mms.size();
    }

    /** How many of them are dead ({@code exit_mmap} done): with {@link #nrMms}, for the accounting check's ledger. */
    public int nrDeadMms() {
        int dead = 0;
        for (int i = 0; i < mms.size(); i++) {
            dead += mms.get(i).dead() ? 1 : 0;
        }
        return dead;
    }

    /** The mm with id {@code id}, or null. */
    public Mm mm(int id) {
        return id <= 0 || id > mms.size() ? null : mms.get(id - 1);
    }

    /** The id of the mm {@code mmId} was forked from, or 0. */
    public int mmParent(int mmId) {
        return lineage.get(mmId - 1)[0];
    }

    /**
     * Fork of {@code parentId} into {@code childId} is done: the parent's epoch advances, and the child is separate
     * from the parent's stores of the new epoch on. A store another parent thread made while fork was still copying
     * (to a pte not yet write-protected) belongs to the old epoch, so the child may legitimately see it; every later
     * store to a shared page faults and waits for fork's mmap_lock.
     */
    public void forked(int parentId, int childId) {
        footprint.mm(parentId);
        int[] parent = lineage.get(parentId - 1);
        parent[2]++;
        lineage.get(childId - 1)[1] = parent[2];
    }

    /** How many forks mm {@code mmId} has completed: what a store by it is stamped with. */
    public int epoch(int mmId) {
        footprint.mm(mmId);
        return lineage.get(mmId - 1)[2];
    }

    /** The parent's epoch from which mm {@code mmId} is separate from its parent (0 for an mm not forked). */
    public int mmSeparation(int mmId) {
        return lineage.get(mmId - 1)[1];
    }

    // ---- anon_vmas and address spaces ----------------------------------------------------------------------

    /** A new anon_vma ({@code anon_vma_alloc}); ids are dense from 1. */
    public AnonVma newAnonVma() {
        AnonVma a = new AnonVma(anonVmas.size() + 1);
        anonVmas.add(a);
        return a;
    }

    /** The anon_vma an anon page's {@code mapping} names, or null. */
    public AnonVma anonVma(int id) {
        return id <= 0 || id > anonVmas.size() ? null : anonVmas.get(id - 1);
    }

    /**
     * A new address_space for an inode of filesystem {@code fs} named {@code name} (null: none); its id is the inode's
     * number and what {@code page->mapping} holds for its pages.
     */
    public AddressSpace newMapping(String fs, String name, boolean shmem, boolean canWriteback, long size,
            AddressSpaceOperations aops) {
        int id = mappings.size() + 1;
        AddressSpace m = new AddressSpace(this, id, new Change.InodeRef(id, fs, name), shmem, canWriteback, size,
                aops);
        mappings.add(m);
        if (trace.on()) {
            trace.record(new Change.InodeCreated(m.host(), size));
        }
        return m;
    }

    /** The address_space a page-cache page's {@code mapping} names, or null. */
    public AddressSpace mapping(int id) {
        return id <= 0 || id > mappings.size() ? null : mappings.get(id - 1);
    }

    /** Every address_space ever created, by id. */
    public List<AddressSpace> mappings() {
        // after every explored step several checks ask, mostly of a machine with no file mapped: no view to make then
        return mappings.isEmpty() ? List.of() : Collections.unmodifiableList(mappings);
    }

    // ---- user->locked_vm ----------------------------------------------------------------------------------

    /** {@code user->locked_vm}: pages charged to RLIMIT_MEMLOCK by io_uring and the like. */
    public long userLockedVm() {
        return userLockedVm;
    }

    /** Add {@code pages} (negative to uncharge) to {@code user->locked_vm}. */
    public void addUserLockedVm(long pages) {
        long old = userLockedVm;
        userLockedVm += pages;
        if (trace.on()) {
            trace.record(new Change.UserLockedVm(old, userLockedVm));
        }
    }

    /** Pages the program unmapped from under a pin or a device (model shadow). */
    public Detachments detachments() {
        return detachments;
    }

    // ---- the isolation shadow -----------------------------------------------------------------------------

    /** Mm {@code observerMmId} read anonymous page {@code pfn}: log it if another mm's store put the data there. */
    public void observe(int observerMmId, int pfn, String how) {
        int writer = frames.writer(pfn);
        if (writer >= 0 && writer != observerMmId && frames.test(pfn, PageFlags.PG_ANON)) {
            observations.add(new Observation(observerMmId, pfn, writer, frames.writeEpoch(pfn), how));
        }
    }

    /**
     * A CPU or ptrace access of mm {@code mmId} at {@code addr} reached device frame {@code pfn}, which held another
     * object's memory at that moment: {@code problem} says whose.
     */
    public record DeviceAccess(int mmId, long addr, int pfn, String how, String problem) {}

    /** Judges a device access at the moment it happens, against the drivers' owners of device memory. */
    @FunctionalInterface
    public interface DeviceAccessJudge {
        /** Null if {@code mm}'s access at {@code addr} may reach {@code pfn} now, else what is wrong. */
        String judge(Mm mm, long addr, int pfn, String how);
    }

    private DeviceAccessJudge deviceJudge;

    /** Set at boot (and in a copy) by the kernel, which knows the drivers' owner views. */
    public void judgeDeviceAccessesWith(DeviceAccessJudge judge) {
        this.deviceJudge = judge;
    }

    /**
     * Mm {@code mmId} reached device memory {@code pfn} at {@code addr} ({@code how}: load, store, ptrace): judged now,
     * while the owners are those of this moment, and kept for the device-isolation invariant if wrong.
     */
    public void observeDevice(int mmId, long addr, int pfn, String how) {
        if (deviceJudge == null || !alloc.isDevice(pfn)) {
            return;
        }
        String problem = deviceJudge.judge(mm(mmId), addr, pfn, how);
        if (problem != null) {
            deviceAccesses.add(new DeviceAccess(mmId, addr, pfn, how, problem));
        }
    }

    /** Accesses to device memory since the last call, for the device-isolation invariant; clears the list. */
    public List<DeviceAccess> drainDeviceAccesses() {
        if (deviceAccesses.isEmpty()) { // after almost every explored step: List.copyOf would make an array
            return List.of();
        }
        List<DeviceAccess> out = List.copyOf(deviceAccesses);
        deviceAccesses.clear();
        return out;
    }

    /** Cross-mm reads of anonymous data since the last call, for the isolation invariant; clears the list. */
    public List<Observation> drainObservations() {
        if (observations.isEmpty()) {
            return List.of();
        }
        List<Observation> out = List.copyOf(observations);
        observations.clear();
        return out;
    }

    /**
     * The clock, {@code user->locked_vm}, the allocator, every frame ever allocated and the zero page, every mm
     * (its lineage, fields, locks, VMAs and ptes), every anon_vma with its VMAs, every address_space, and the pending
     * observations.
     */
    @Override
    public void hashInto(StateHasher h) {
        // the fields and every list's length as one record worked out in registers (the lengths first, so that the
        // lists' contents after it are delimited): the core is hashed at every explored state
        long a = StateHasher.step(StateHasher.LANE, userLockedVm);
        a = StateHasher.step(a, frames.fingerprint());
        a = StateHasher.step(a, StateHasher.pack(mms.size(), anonVmas.size()));
        long b = StateHasher.step(StateHasher.LANE + 1, StateHasher.pack(mappings.size(), observations.size()));
        b = StateHasher.step(b, StateHasher.pack(detachments.size(), deviceAccesses.size()));
        b = StateHasher.step(b, tlbs ? 1 : 0);
        h.add(a, b);
        alloc.hashInto(h);
        // indexed loops: the explorer fingerprints at every step, and these iterators were not optimised away
        for (int i = 0; i < mms.size(); i++) {
            Mm mm = mms.get(i);
            int[] l = lineage.get(mm.id() - 1);
            h.add(StateHasher.pack(l[0], l[1])).add(l[2]);
            mm.hashInto(h);
        }
        for (int i = 0; i < anonVmas.size(); i++) {
            anonVmas.get(i).hashInto(h);
        }
        for (int i = 0; i < mappings.size(); i++) {
            mappings.get(i).hashInto(h);
        }
        for (int i = 0; i < observations.size(); i++) {
            Observation o = observations.get(i);
            h.add(o.observerMmId()).add(o.pfn()).add(o.writerMmId()).add(o.writeEpoch()).add(o.how());
        }
        detachments.hashInto(h);
        for (int i = 0; i < deviceAccesses.size(); i++) {
            DeviceAccess d = deviceAccesses.get(i);
            h.add(d.mmId()).add(d.addr()).add(d.pfn()).add(d.how()).add(d.problem());
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /**
     * Fill this core, built by a copied machine over its copied frames and allocator and paired with {@code o}, with
     * copies of {@code o}'s registries: mms, lineage (with the epochs), anon_vmas, address spaces, pending
     * observations (values) and {@code user->locked_vm}.
     */
    public void copyFrom(MmCore o, Copier c) {
        tlbs = o.tlbs;
        // indexed loops: a machine is copied at every branch of an explored state, and these iterators stayed
        for (int i = 0; i < o.mms.size(); i++) {
            mms.add(c.copy(o.mms.get(i)));
        }
        for (int i = 0; i < o.lineage.size(); i++) {
            lineage.add(o.lineage.get(i).clone());
        }
        for (int i = 0; i < o.anonVmas.size(); i++) {
            anonVmas.add(c.copy(o.anonVmas.get(i)));
        }
        for (int i = 0; i < o.mappings.size(); i++) {
            mappings.add(c.copy(o.mappings.get(i)));
        }
        // ArrayList.addAll makes an array of what it adds even when that is nothing, and most copies have nothing here
        if (!o.observations.isEmpty()) {
            observations.addAll(o.observations);
        }
        if (!o.deviceAccesses.isEmpty()) {
            deviceAccesses.addAll(o.deviceAccesses);
        }
        detachments.copyFrom(o.detachments);
        userLockedVm = o.userLockedVm;
    }
}
