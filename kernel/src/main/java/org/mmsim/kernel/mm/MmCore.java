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
 * <p>Design notes. The lineage (parent mm and the event time at which fork separated a child from its parent) and
 * the observation log are model shadows for the isolation invariant, not kernel state: a store is stamped with the
 * clock, and a read of another mm's anonymous data is legitimate only if the writer is an ancestor that stored it
 * before the separating fork.
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
    /** {@code user->locked_vm} of the one user every process runs as, in pages. */
    private long userLockedVm;
    private int time;

    public MmCore(KernelProfile profile, Tracer trace, Footprint footprint, PageFrames frames, PageAlloc alloc) {
        this.profile = profile;
        this.trace = trace;
        this.footprint = footprint;
        this.frames = frames;
        this.alloc = alloc;
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

    // ---- the event clock ----------------------------------------------------------------------------------

    /** The kernel's event clock: advanced by every user store, DMA write and fork. */
    public int time() {
        footprint.clock();
        return time;
    }

    /** Advance the clock; the new time stamps the event. */
    public int tick() {
        footprint.clock();
        return ++time;
    }

    // ---- mms ----------------------------------------------------------------------------------------------

    /** {@code mm_alloc()}: a new, empty mm, child of mm {@code parentId} (0: none) since event {@code forkTime}. */
    public Mm newMm(int parentId, int forkTime) {
        Mm mm = new Mm(this, mms.size() + 1);
        mms.add(mm);
        lineage.add(new int[] {parentId, forkTime});
        return mm;
    }

    /** Every mm ever created, by id (ids start at 1). */
    public List<Mm> mms() {
        return Collections.unmodifiableList(mms);
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
     * Fork is done: the child's address space is separate from its parent's for stores from {@code time} on (fork
     * passes the clock plus one: stores are stamped with ticks, and one made at the current tick came before). A
     * store another parent thread made while fork was still copying (to a pte not yet write-protected) is one the
     * child may legitimately see; every later store to a shared page faults and waits for fork's mmap_lock.
     */
    public void separatedAt(int mmId, int time) {
        lineage.get(mmId - 1)[1] = time;
    }

    /** The event time at which mm {@code mmId} was separated from its parent by fork (or created). */
    public int mmForkTime(int mmId) {
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
        return Collections.unmodifiableList(mappings);
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

    // ---- the isolation shadow -----------------------------------------------------------------------------

    /** Mm {@code observerMmId} read anonymous page {@code pfn}: log it if another mm's store put the data there. */
    public void observe(int observerMmId, int pfn, String how) {
        int writer = frames.writer(pfn);
        if (writer >= 0 && writer != observerMmId && frames.test(pfn, PageFlags.PG_ANON)) {
            observations.add(new Observation(observerMmId, pfn, writer, frames.writeTime(pfn), how));
        }
    }

    /** Cross-mm reads of anonymous data since the last call, for the isolation invariant; clears the list. */
    public List<Observation> drainObservations() {
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
        h.add(time).add(userLockedVm);
        alloc.hashInto(h);
        h.add(frames.fingerprint());
        h.add(mms.size());
        for (Mm mm : mms) {
            h.add(mmParent(mm.id())).add(mmForkTime(mm.id()));
            mm.hashInto(h);
        }
        h.add(anonVmas.size());
        for (AnonVma a : anonVmas) {
            a.hashInto(h);
        }
        h.add(mappings.size());
        for (AddressSpace m : mappings) {
            m.hashInto(h);
        }
        h.add(observations.size());
        for (Observation o : observations) {
            h.add(o.observerMmId()).add(o.pfn()).add(o.writerMmId()).add(o.writeTime()).add(o.how());
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /**
     * Fill this core, built by a copied machine over its copied frames and allocator and paired with {@code o}, with
     * copies of {@code o}'s registries: mms, lineage, anon_vmas, address spaces, pending observations (values), the
     * clock and {@code user->locked_vm}.
     */
    public void copyFrom(MmCore o, Copier c) {
        for (Mm mm : o.mms) {
            mms.add(c.copy(mm));
        }
        for (int[] l : o.lineage) {
            lineage.add(l.clone());
        }
        for (AnonVma a : o.anonVmas) {
            anonVmas.add(c.copy(a));
        }
        for (AddressSpace m : o.mappings) {
            mappings.add(c.copy(m));
        }
        observations.addAll(o.observations);
        userLockedVm = o.userLockedVm;
        time = o.time;
    }
}
