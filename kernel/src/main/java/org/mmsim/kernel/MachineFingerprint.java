package org.mmsim.kernel;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@link Kernel#fingerprint()}: the whole mutable state of a machine fed, in one canonical order, to a
 * {@link StateHasher}. Every object is named by what the kernel names it by: a PFN, an mm, anon_vma, inode,
 * pipe or ring id, an address, or its position in one of the kernel's lists (open files, GUP holders); never by
 * Java identity. Each variable-length part is preceded or followed by its length.
 *
 * <p>Covered, in this order:
 * <ol>
 *   <li>kernel scalars: the event clock, {@code user->locked_vm}, the next anon_vma id, next MMIO pfn and next
 *       pid, {@code nr_foll_pin_acquired/released};</li>
 *   <li>the page allocator: zone bounds, frontier, free stacks in order, {@code nrAllocated},
 *       {@code PF_MEMALLOC_PIN};</li>
 *   <li>every frame ever allocated, and the zero page: refcount, mapcount, flags, mapping, index, all
 *       {@value PageFrames#PAGE_WORDS} data words and the writer/write-time shadows (a frame never allocated
 *       holds the boot values, which the allocator's frontier already determines);</li>
 *   <li>tasks in creation order: pid, tgid, comm, mm id (0 once exited);</li>
 *   <li>mms by id: parent and fork time, every {@link Mm} scalar (flags, RSS counters, hiwater, pinned_vm,
 *       RLIMIT_MEMLOCK, write_protect_seq, mmap_lock readers and writer, PTL, mmap_base, users, dead), every VMA
 *       in address order (start, end, flags, pgoff, anon_vma id, and the file as its index in the open-file list
 *       or, for a shared anonymous mapping's tmpfs object, its inode and mode) and
 *       every non-zero pte with its address (empty PTE tables that are still allocated are not state: nothing
 *       can tell them from absent ones);</li>
 *   <li>anon_vmas by id, each with its VMAs in list order as (mm id, start, end);</li>
 *   <li>inodes by number: fs, name, size, i_count, i_nlink, evicted, the page cache in index order,
 *       {@code i_mmap} in list order as (mm id, start, end), and the disk blocks in index order;</li>
 *   <li>open files in opening order: inode, mode, closed;</li>
 *   <li>pipes by id: closed, and each buffer in ring order (pfn, owner mm, gifted);</li>
 *   <li>the GUP holder list in order: mm id, start, FOLL_* flags, nr, ret, released and every pfn slot;</li>
 *   <li>io_uring rings by id: mm, registered range, the buffer's pins (as a GUP holder), accounted pages,
 *       closed;</li>
 *   <li>pending {@link Observation}s in order, every field.</li>
 * </ol>
 *
 * <p>Deliberately left out: the {@link Journal} (an observer of changes, not machine state); the last signal a
 * load or store raised (a return channel its caller reads at once, not state: two faulting loads in different
 * processes would otherwise not commute); the
 * {@link org.mmsim.kernel.profile.KernelProfile} (fixed for the machine's life, so equal for every state an
 * explorer compares); the {@link Footprint} accumulator (bookkeeping about the last steps, not state); spare
 * capacity of arrays and lists; the mechanism objects ({@link Memory}, {@link Gup}, ...), which hold only final
 * references; and suspended {@link KernelCall}s, which the caller owns and fingerprints with
 * {@link KernelCall#fingerprint()} (a {@link GupPages} a call has not yet handed over is part of the call).
 */
final class MachineFingerprint implements PageTable.PteVisitor {
    private final Kernel k;
    private final StateHasher h = new StateHasher();
    /** Each open file's position in the kernel's list: a lookup only, so identity never reaches the hash. */
    private final Map<OpenFile, Integer> fileIndex = new IdentityHashMap<>();
    private int ptes;

    private MachineFingerprint(Kernel k) {
        this.k = k;
        List<OpenFile> files = k.files();
        for (int i = 0; i < files.size(); i++) {
            fileIndex.put(files.get(i), i);
        }
    }

    /** The fingerprint of {@code k}'s state; the caller keeps footprint tracking off meanwhile. */
    static long of(Kernel k) {
        MachineFingerprint f = new MachineFingerprint(k);
        f.scalars();
        k.alloc.hashInto(f.h);
        f.frames();
        f.tasks();
        f.mms();
        f.anonVmas();
        f.inodes();
        f.files();
        f.pipes();
        f.gupHolders();
        f.rings();
        f.observations();
        return f.h.value();
    }

    private void scalars() {
        h.add(k.time()).add(k.userLockedVm).add(k.nextAnonVmaId).add(k.nextMmioPfn).add(k.nextPid)
                .add(k.nrFollPinAcquired).add(k.nrFollPinReleased);
    }

    private void frames() {
        frame(PageAlloc.ZERO_PFN);
        k.alloc.everAllocated().forEach(this::frame);
    }

    private void frame(int pfn) {
        PageFrames f = k.frames;
        h.add(pfn).add(f.refcount(pfn)).add(f.mapcount(pfn)).add(f.flags(pfn)).add(f.mapping(pfn)).add(f.index(pfn));
        for (int w = 0; w < PageFrames.PAGE_WORDS; w++) {
            h.add(f.word(pfn, w));
        }
        h.add(f.writer(pfn)).add(f.writeTime(pfn));
    }

    private void tasks() {
        h.add(k.tasks().size());
        for (Task t : k.tasks()) {
            h.add(t.pid()).add(t.tgid()).add(t.comm()).add(t.mm == null ? 0 : t.mm.id());
        }
    }

    private void mms() {
        h.add(k.mms().size());
        for (Mm mm : k.mms()) {
            h.add(mm.id()).add(k.mmParent(mm.id())).add(k.mmForkTime(mm.id()));
            h.add(mm.flags).add(mm.rssAnon).add(mm.rssFile).add(mm.rssShmem).add(mm.hiwaterRss).add(mm.pinnedVm)
                    .add(mm.rlimitMemlock).add(mm.writeProtectSeq).add(mm.mmapLockReaders).add(mm.mmapLockWriter)
                    .add(mm.ptlHeld).add(mm.mmapBase).add(mm.users).add(mm.dead);
            h.add(mm.vmas.size());
            for (Vma vma : mm.vmas.values()) {
                vma(vma);
            }
            ptes = 0;
            mm.pgd.forEach(this);
            h.add(ptes);
        }
    }

    private void vma(Vma vma) {
        h.add(vma.mm().id()).add(vma.start).add(vma.end).add(vma.flags).add(vma.pgoff)
                .add(vma.anonVma == null ? 0 : vma.anonVma.id());
        fileRef(vma.file);
    }

    /**
     * A VMA's file: its position in the open-file list, or, for a file no process opened (the tmpfs object
     * {@code shmem_zero_setup} makes for {@code MAP_SHARED|MAP_ANONYMOUS}), its inode and mode.
     */
    private void fileRef(OpenFile f) {
        Integer index = f == null ? null : fileIndex.get(f);
        if (f == null) {
            h.add(0);
        } else if (index != null) {
            h.add(1).add(index);
        } else {
            h.add(2).add(f.inode().id()).add(f.readable()).add(f.writable()).add(f.closed);
        }
    }

    @Override
    public void visit(long address, long pte) {
        h.add(address).add(pte);
        ptes++;
    }

    /** A VMA named from outside its mm (anon_vma and i_mmap lists): mm, start and end. */
    private void vmaRef(Vma vma) {
        h.add(vma.mm().id()).add(vma.start).add(vma.end);
    }

    private void anonVmas() {
        int id = 1;
        for (AnonVma a = k.anonVma(id); a != null; a = k.anonVma(++id)) {
            h.add(a.id()).add(a.vmas().size());
            for (Vma vma : a.vmas()) {
                vmaRef(vma);
            }
        }
        h.add(id);
    }

    private void inodes() {
        h.add(k.inodes().size());
        for (Inode inode : k.inodes()) {
            h.add(inode.id()).add(inode.fs().ordinal()).add(inode.name()).add(inode.size).add(inode.count)
                    .add(inode.nlink).add(inode.evicted);
            h.add(inode.pages.size());
            for (Map.Entry<Long, Integer> e : inode.pages.entrySet()) {
                h.add(e.getKey()).add(e.getValue());
            }
            h.add(inode.iMmap.size());
            for (Vma vma : inode.iMmap) {
                vmaRef(vma);
            }
            SortedMap<Long, long[]> disk = inode.disk instanceof SortedMap<Long, long[]> sorted
                    ? sorted : new TreeMap<>(inode.disk);
            h.add(disk.size());
            for (Map.Entry<Long, long[]> e : disk.entrySet()) {
                h.add(e.getKey()).add(e.getValue().length);
                for (long word : e.getValue()) {
                    h.add(word);
                }
            }
        }
    }

    private void files() {
        h.add(k.files().size());
        for (OpenFile f : k.files()) {
            h.add(f.inode().id()).add(f.readable()).add(f.writable()).add(f.closed);
        }
    }

    private void pipes() {
        h.add(k.pipes().size());
        for (Pipe p : k.pipes()) {
            h.add(p.id()).add(p.closed).add(p.bufs.size());
            for (Pipe.Buffer b : p.bufs) {
                h.add(b.pfn()).add(b.ownerMmId()).add(b.gifted());
            }
        }
    }

    private void gupHolders() {
        h.add(k.gupHolders().size());
        for (GupPages g : k.gupHolders()) {
            gupPages(g);
        }
    }

    private void gupPages(GupPages g) {
        h.add(g.mm().id()).add(g.address(0)).add(g.gupFlags()).add(g.nr).add(g.ret).add(g.released)
                .add(g.pfns.length);
        for (int pfn : g.pfns) {
            h.add(pfn);
        }
    }

    private void rings() {
        h.add(k.ioRings().size());
        for (IoRing r : k.ioRings()) {
            h.add(r.id()).add(r.mm.id()).add(r.ubuf).add(r.len).add(r.accounted).add(r.closed)
                    .add(r.pages != null);
            if (r.pages != null) {
                gupPages(r.pages);
            }
        }
    }

    private void observations() {
        h.add(k.observations.size());
        for (Observation o : k.observations) {
            h.add(o.observerMmId()).add(o.pfn()).add(o.writerMmId()).add(o.writeTime()).add(o.how());
        }
    }
}
