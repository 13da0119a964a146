package org.mmsim.kernel.mm;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.trace.Change;

/**
 * {@code struct vm_area_struct}: [start, end) with {@code vm_flags}, {@code vm_pgoff}, the anon_vma its anonymous
 * pages hang off, the file it maps ({@code vm_file}), its {@code vm_ops} and the driver's {@code vm_private_data}.
 * {@link #pageProt()} is {@code vm_page_prot} as computed by {@code vm_get_page_prot()}: a private writable mapping
 * gets no RW bit (PAGE_COPY), so its first write to a present page faults and copies or reuses.
 */
public final class Vma extends StateObject implements Hashable {
    static {
        // loaded with Vma though only file mappings make one: see Mm's note on C2 and classes named in signatures
        AddressSpace.class.getName();
    }

    private final Mm mm;
    private long start;
    private long end;
    private long flags;
    private long pgoff;
    private AnonVma anonVma;
    /**
     * 0, or (for a forked child's VMA that fork linked to its parent's anon_vma) where the parent's VMA started then:
     * the kernel gives such a VMA an anon_vma of its own chained to the parent's ({@code anon_vma_fork}, from 2.6.34),
     * which its later parts share. The model links it to the parent's anon_vma alone; this stands for the child's own,
     * for {@link VmaMerge}: two VMAs of the child are on one anon_vma only if they carry the same value, and a VMA that
     * carries one has a chain of more than one link.
     */
    private long forkedAnon;
    /** {@code vm_file}: the file this VMA maps, or null for anonymous memory. */
    private final VmFile file;
    private VmOperations vmOps;
    private Object privateData;

    /** A VMA of {@code mm} for [start, end), mapping {@code file} (null: anonymous) from page {@code pgoff}. */
    public Vma(Mm mm, long start, long end, long flags, long pgoff, VmFile file) {
        this.mm = mm;
        this.file = file;
        this.start = start;
        this.end = end;
        this.flags = flags;
        this.pgoff = pgoff;
    }

    @Export
    public Mm mm() {
        return mm;
    }

    @Export
    public long start() {
        return start;
    }

    @Export
    public long end() {
        return end;
    }

    @Export
    public long flags() {
        return flags;
    }

    @Export
    public long pgoff() {
        return pgoff;
    }

    /**
     * {@code vma->vm_pgoff = pgoff}, as an exporter's {@code ->mmap} adds its object's fake offset
     * ({@code drm_gem_prime_mmap}); only before the VMA is linked into its mm and its file's {@code i_mmap}.
     *
     * @throws IllegalStateException once the VMA is linked
     */
    @Export
    public void setPgoff(long pgoff) {
        if (mm.vmaAt(start) == this) {
            throw new IllegalStateException("vm_pgoff of a linked VMA changes only with the VMA (split, mremap)");
        }
        this.pgoff = pgoff;
    }

    public AnonVma anonVma() {
        return anonVma;
    }

    /** Give the VMA its anon_vma ({@code anon_vma_prepare}, or fork's {@code anon_vma_fork}). */
    public void setAnonVma(AnonVma a) {
        this.anonVma = a;
    }

    /**
     * Fork's {@code anon_vma_fork}: this child's VMA, linked to {@code parent}'s anon_vma, stands for one of its own
     * chained to it ({@link #forkedAnon}).
     */
    public void forkedFrom(Vma parent) {
        this.anonVma = parent.anonVma;
        this.forkedAnon = parent.start;
    }

    /**
     * {@code vma_is_fork_child()} (6.16; before it, {@code !list_is_singular(&vma->anon_vma_chain)}): the VMA has an
     * anon_vma that fork chained to its parent's.
     */
    public boolean forkChild() {
        return forkedAnon != 0;
    }

    /** Whether the kernel would have this VMA and {@code other}, both with anon_vmas, on one anon_vma. */
    boolean sameAnonVma(Vma other) {
        return anonVma == other.anonVma && forkedAnon == other.forkedAnon;
    }

    @Export
    public boolean has(long flag) {
        return (flags & flag) != 0;
    }

    @Export
    public boolean contains(long addr) {
        return addr >= start && addr < end;
    }

    /** The mapped file, or null. */
    @Export
    public VmFile file() {
        return file;
    }

    /** {@code vma->vm_file->f_mapping}: the page cache the VMA maps, or null (anonymous, device). */
    public AddressSpace mapping() {
        return file == null ? null : file.mapping();
    }

    /** {@code vma->vm_ops}, or null: {@code vma_is_anonymous()}. */
    @Export
    public VmOperations vmOps() {
        return vmOps;
    }

    /** Set {@code vma->vm_ops}, as a file's {@code ->mmap} does. */
    @Export
    public void setVmOps(VmOperations ops) {
        this.vmOps = ops;
    }

    /** {@code vma->vm_private_data}: the driver's object behind the mapping. */
    @Export
    public Object privateData() {
        return privateData;
    }

    @Export
    public void setPrivateData(Object data) {
        this.privateData = data;
    }

    /**
     * {@code vm_flags_set()} / {@code vm_flags_clear()} in one: the VMA's flags become {@code newFlags}, journalled
     * once the VMA is in its mm (a driver's {@code ->mmap} sets flags before the VMA is linked).
     */
    @Export
    public void setFlags(long newFlags) {
        long old = flags;
        if (old == newFlags) {
            return;
        }
        flags = newFlags;
        if (mm.core().trace().on() && mm.vmaAt(start) == this) {
            mm.core().trace().record(new Change.Vma(mm.id(), Change.VmaEvent.FLAGS, start, end, old, newFlags));
        }
    }

    /** {@code vma_is_anonymous()}: no vm_ops. */
    public boolean isAnonymous() {
        return vmOps == null;
    }

    /** {@code vma_is_shmem()}: the VMA maps a tmpfs object. */
    @Export
    public boolean isShmem() {
        AddressSpace m = mapping();
        return m != null && m.isShmem();
    }

    /**
     * {@code vma_soft_dirty_enabled()}: soft-dirty tracking is on for this VMA, i.e. the kernel has it
     * (CONFIG_MEM_SOFT_DIRTY) and {@code clear_refs} has cleared VM_SOFTDIRTY, so a write must fault to be seen.
     */
    public boolean softDirtyEnabled() {
        return mm.core().profile().on(Switch.MEM_SOFT_DIRTY) && !has(VmFlags.VM_SOFTDIRTY);
    }

    /**
     * {@code vma_wants_writenotify()}: a shared writable mapping whose clean pages must be mapped read-only so the
     * first write faults: the VMA has {@code ->page_mkwrite}, soft-dirty tracking is on, or the file has writeback
     * (dirty accounting).
     */
    public boolean wantsWritenotify() {
        if ((flags & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) != (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) {
            return false;
        }
        if (vmOps != null && vmOps.hasPageMkwrite()) {
            return true;
        }
        if (softDirtyEnabled()) {
            return true;
        }
        if (has(VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP)) {
            return false;
        }
        return mapping() != null && mapping().canWriteback();
    }

    /**
     * {@code vma_needs_dirty_tracking()} (6.5): a shared writable file mapping whose filesystem must hear of writes
     * ({@code page_mkwrite}) or writes back dirty pages. GUP refuses writable long-term pins of these.
     */
    public boolean needsDirtyTracking() {
        if ((flags & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) != (VmFlags.VM_WRITE | VmFlags.VM_SHARED)
                || mapping() == null) {
            return false;
        }
        return (vmOps != null && vmOps.hasPageMkwrite()) || mapping().canWriteback();
    }

    /** {@code linear_page_index(vma, addr)}. */
    @Export
    public long linearPageIndex(long addr) {
        return ((addr - start) >>> Page.PAGE_SHIFT) + pgoff;
    }

    /**
     * {@code vm_page_prot} as {@code vma_set_page_prot()} computes it: {@code vm_get_page_prot(vm_flags)} (x86
     * protection_map), without the write bit when the VMA wants write notification.
     */
    @Export
    public long pageProt() {
        return pageProt(wantsWritenotify() ? flags & ~VmFlags.VM_SHARED : flags);
    }

    /** {@code vm_get_page_prot(flags)}. */
    public static long pageProt(long flags) {
        if ((flags & (VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC)) == 0) {
            return Pte.PROTNONE;
        }
        long prot = Pte.PRESENT | Pte.USER;
        if ((flags & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) == (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) {
            prot |= Pte.RW;
        }
        return prot;
    }

    /**
     * {@code vm_area_dup()}: a copy for mm {@code newMm} (fork), holding its own file reference and opened with
     * {@code vm_ops->open}; the anon_vma link is made by the caller.
     */
    public Vma dup(Mm newMm) {
        Vma copy = new Vma(newMm, start, end, flags, pgoff, file);
        copy.vmOps = vmOps;
        copy.privateData = privateData;
        copy.opened();
        return copy;
    }

    /**
     * {@code copy_vma()} for mremap: a VMA of the same mm at [newStart, newEnd) with this one's flags, pgoff (so the
     * anon pages moved with it keep their index; an anonymous VMA never faulted takes its new address's instead, "to
     * increase its chance of merging"), anon_vma, file and ops, holding its own file reference and opened with
     * {@code vm_ops->open}; the caller links it to the anon_vma and into the mm.
     */
    public Vma copyTo(long newStart, long newEnd) {
        return copyTo(start, newStart, newEnd);
    }

    /** {@link #copyTo(long, long)} of the part of this VMA from {@code from} on (MREMAP_DONTUNMAP splits nothing). */
    public Vma copyTo(long from, long newStart, long newEnd) {
        long newPgoff = isAnonymous() && anonVma == null ? newStart >>> Page.PAGE_SHIFT
                : pgoff + ((from - start) >>> Page.PAGE_SHIFT);
        Vma copy = new Vma(mm, newStart, newEnd, flags, newPgoff, file);
        copy.anonVma = anonVma;
        copy.forkedAnon = forkedAnon;
        copy.vmOps = vmOps;
        copy.privateData = privateData;
        copy.opened();
        return copy;
    }

    /** {@code vma_expand()} for mremap: the VMA now ends at {@code newEnd} (its start, and so its key, stay). */
    public void expandTo(long newEnd) {
        end = newEnd;
    }

    /** The flags of a VMA that a merge made ({@link VmaMerge}, which journals the merge as a whole). */
    void mergedFlags(long newFlags) {
        flags = newFlags;
    }

    /** {@code unlink_anon_vmas()}: the VMA leaves its anon_vma and has none, as if never faulted. */
    public void unlinkAnonVma() {
        anonVma.unlink(this);
        anonVma = null;
        forkedAnon = 0;
    }

    /** {@code dup_anon_vma}: a VMA without an anon_vma takes in {@code from}'s, which had one. */
    void importAnonVma(Vma from) {
        anonVma = from.anonVma;
        forkedAnon = from.forkedAnon;
        anonVma.link(this);
    }

    /** The upper part of a split at {@code addr}; this VMA keeps [start, addr). */
    Vma splitOff(long addr) {
        Vma upper = new Vma(mm, addr, end, flags, pgoff + ((addr - start) >>> Page.PAGE_SHIFT), file);
        upper.anonVma = anonVma;
        upper.forkedAnon = forkedAnon;
        upper.vmOps = vmOps;
        upper.privateData = privateData;
        upper.opened();
        end = addr;
        return upper;
    }

    /** A new VMA that shares this one's file and ops: {@code get_file()} and {@code vm_ops->open()}. */
    private void opened() {
        if (file != null) {
            file.get();
        }
        if (vmOps != null) {
            vmOps.open(this);
        }
    }

    /**
     * Start, end, flags, pgoff, the anon_vma by id and {@link #forkedAnon}, the file by id (or 0), vm_ops by name
     * (null: anonymous), and the driver's private data if it is state of its own.
     */
    @Override
    public void hashInto(StateHasher h) {
        // one strong hash of the fields, worked out in registers: every VMA is hashed at every explored state
        long a = StateHasher.step(StateHasher.LANE, StateHasher.pack(mm.id(), anonVma == null ? 0 : anonVma.id()));
        a = StateHasher.step(a, start);
        a = StateHasher.step(a, end);
        a = StateHasher.step(a, flags);
        long b = StateHasher.step(StateHasher.LANE + 1, pgoff);
        b = StateHasher.step(b, forkedAnon);
        b = StateHasher.step(b, file == null ? 0 : file.id());
        b = StateHasher.step(b, vmOps == null ? 0 : StateHasher.digest(vmOps.name()));
        h.add(a, b);
        if (privateData instanceof Hashable state) {
            state.hashInto(h);
        }
    }

    /** The VMA as {@code (mm, start, end)}, how it is named from outside its mm (anon_vma and i_mmap lists). */
    public void hashRef(StateHasher h) {
        h.add(mm.id()).add(start).add(end);
    }

    @Override
    public String toString() {
        return String.format("%#x-%#x %s", start, end, VmFlags.describe(flags));
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private Vma(Vma o, Copier c) {
        c.pair(o, this);
        this.mm = c.copy(o.mm);
        this.start = o.start;
        this.end = o.end;
        this.flags = o.flags;
        this.pgoff = o.pgoff;
        this.file = c.copy(o.file);
        this.anonVma = c.copy(o.anonVma);
        this.forkedAnon = o.forkedAnon;
        this.vmOps = c.copy(o.vmOps);
        this.privateData = c.copy(o.privateData);
    }

    @Override
    public Vma copy(Copier c) {
        return new Vma(this, c);
    }
}
