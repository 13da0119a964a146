package org.mmsim.drivers.kvm;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.notifier.MmuNotifier;
import org.mmsim.kernel.mm.notifier.MmuNotifierOps;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct kvm}: one virtual machine, the {@code private_data} of its file. It holds the guest's memslots
 * ({@code KVM_SET_USER_MEMORY_REGION}: guest-physical base → host virtual address, length), the shadow page table
 * (gfn → host pfn, writable, and the page reference the spte holds, if any), and the MMU-notifier handshake the fault
 * path checks under {@code mmu_lock}: {@code mmu_invalidate_seq}, {@code mmu_invalidate_in_progress} and the
 * invalidated range (host virtual addresses, as {@code mmu_notifier_range_start/end} before 6.x's gfn ranges).
 *
 * <p>It is also the VM's {@code kvm_mmu_notifier_ops} ({@code virt/kvm/kvm_main.c}): start zaps the sptes of the range
 * ({@code kvm_mmu_invalidate_begin} + {@code kvm_unmap_gfn_range}), end bumps the sequence and then drops the count
 * ({@code kvm_mmu_invalidate_end}), release zaps everything ({@code kvm_flush_shadow_all}) and the VM is dead.
 * {@code mmu_lock} is not an object here: every step that reads or writes these fields is one step of the machine,
 * so it is held for exactly that step.
 */
final class Vm extends StateObject implements MmuNotifierOps, Hashable {

    /**
     * A memslot: guest-physical [gpa, gpa + len) is host [hva, hva + len) of the VM's mm; {@code cache} is the
     * attribute the guest maps it with ({@code CacheMode}), or {@link KvmDriver#HOST_CACHE}: the host mapping's,
     * looked up with the pfn at each fault.
     */
    record Memslot(long gpa, long hva, long len, int cache) {}

    /**
     * A shadow pte for guest frame {@code gfn}: host address, frame, writability, the page reference it holds, and
     * the cache attribute the guest's accesses through it use.
     */
    record Spte(long gfn, long hva, int pfn, boolean writable, GupPages ref, int cache) {}

    private final KvmDriver driver;
    final int id;
    final Mm mm;
    /** The notifier subscription, or null ({@code kvm_mmu_notifier} off). */
    MmuNotifier sub;
    /** {@code kvm->vm_dead}: the notifier's {@code ->release} ran (the mm is exiting) or the file was released. */
    boolean dead;
    final List<Memslot> memslots = new ArrayList<>();
    final TreeMap<Long, Spte> sptes = new TreeMap<>();
    long invalidateSeq;
    int invalidateInProgress;
    long rangeStart;
    long rangeEnd;

    Vm(KvmDriver driver, int id, Mm mm) {
        this.driver = driver;
        this.id = id;
        this.mm = mm;
    }

    /** The host address of guest-physical {@code gpa} ({@code gfn_to_hva}), or -1 if no memslot covers it. */
    long gpaToHva(long gpa) {
        Memslot s = memslot(gpa);
        return s == null ? -1 : s.hva() + (gpa - s.gpa());
    }

    /** The memslot that covers guest-physical {@code gpa} ({@code gfn_to_memslot}), or null. */
    Memslot memslot(long gpa) {
        for (Memslot s : memslots) {
            if (gpa >= s.gpa() && gpa < s.gpa() + s.len()) {
                return s;
            }
        }
        return null;
    }

    /** {@code mmu_invalidate_retry_gfn()}: an invalidation covering {@code hva} runs, or one ended since {@code seq}. */
    boolean invalidateRetry(long seq, long hva) {
        if (invalidateInProgress > 0 && hva >= rangeStart && hva < rangeEnd) {
            return true;
        }
        return invalidateSeq != seq;
    }

    /** Install {@code s}, replacing (and dropping the reference of) any spte for its gfn. */
    void install(Spte s) {
        Spte old = sptes.put(s.gfn(), s);
        if (old != null) {
            driver.dropRef(old);
        }
    }

    /** Zap the sptes whose host page lies in [start, end) ({@code kvm_unmap_gfn_range}); how many. */
    int zap(long start, long end) {
        int n = 0;
        for (Iterator<Map.Entry<Long, Spte>> it = sptes.entrySet().iterator(); it.hasNext(); ) {
            Spte s = it.next().getValue();
            if (s.hva() >= start && s.hva() < end) {
                it.remove();
                driver.dropRef(s);
                n++;
            }
        }
        return n;
    }

    /** Zap every spte ({@code kvm_flush_shadow_all} / {@code kvm_mmu_zap_all}). */
    void zapAll() {
        zap(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    // ---- kvm_mmu_notifier_ops ---------------------------------------------------------------------------------

    @Override
    public String name() {
        return "kvm_mmu_notifier_ops";
    }

    /**
     * {@code kvm_mmu_notifier_invalidate_range_start}: under {@code mmu_lock}, {@code kvm_mmu_invalidate_begin}
     * (in_progress++, the range reset on the first of a nest) and {@code kvm_mmu_invalidate_range_add} (the range only
     * widens), then {@code kvm_unmap_gfn_range} of the memslots' hvas in the range. Never fails.
     */
    @Override
    public int invalidateRangeStart(MmuNotifier n, MmuNotifierRange range) {
        driver.trace("kvm_mmu_notifier_invalidate_range_start");
        if (invalidateInProgress++ == 0) {
            rangeStart = range.start();
            rangeEnd = range.end();
        } else {
            rangeStart = Math.min(rangeStart, range.start());
            rangeEnd = Math.max(rangeEnd, range.end());
        }
        zap(range.start(), range.end());
        return 0;
    }

    /** {@code kvm_mmu_notifier_invalidate_range_end} ({@code kvm_mmu_invalidate_end}): seq++, then in_progress--. */
    @Override
    public void invalidateRangeEnd(MmuNotifier n, MmuNotifierRange range) {
        driver.trace("kvm_mmu_notifier_invalidate_range_end");
        invalidateSeq++;
        invalidateInProgress--;
    }

    /** {@code kvm_mmu_notifier_release}: {@code kvm_flush_shadow_all}; the VM is dying and refuses guest entry. */
    @Override
    public void release(MmuNotifier n, Mm m) {
        driver.trace("kvm_mmu_notifier_release");
        zapAll();
        dead = true;
    }

    /** {@code kvm_mmu_notifier_clear_flush_young}: whether a spte of the range exists (KVM ages it; no A bit here). */
    @Override
    public boolean clearFlushYoung(MmuNotifier n, Mm m, long start, long end) {
        for (Spte s : sptes.values()) {
            if (s.hva() >= start && s.hva() < end) {
                return true;
            }
        }
        return false;
    }

    // ---- state ------------------------------------------------------------------------------------------------

    @Override
    public void hashInto(StateHasher h) {
        h.add(id).add(mm.id()).add(sub == null ? 0 : sub.id()).add(dead);
        h.add(memslots.size());
        for (Memslot s : memslots) {
            h.add(s.gpa()).add(s.hva()).add(s.len()).add(s.cache());
        }
        h.add(sptes.size());
        for (Spte s : sptes.values()) {
            h.add(s.gfn()).add(s.hva()).add(s.pfn()).add(s.writable()).add(s.ref() == null ? 0 : s.ref().id())
                    .add(s.cache());
        }
        h.add(invalidateSeq).add(invalidateInProgress).add(rangeStart).add(rangeEnd);
    }

    private Vm(Vm o, Copier c) {
        c.pair(o, this);
        this.driver = c.copy(o.driver);
        this.id = o.id;
        this.mm = c.copy(o.mm);
        this.sub = c.copy(o.sub);
        this.dead = o.dead;
        this.memslots.addAll(o.memslots);
        for (Spte s : o.sptes.values()) {
            sptes.put(s.gfn(), new Spte(s.gfn(), s.hva(), s.pfn(), s.writable(), c.copy(s.ref()), s.cache()));
        }
        this.invalidateSeq = o.invalidateSeq;
        this.invalidateInProgress = o.invalidateInProgress;
        this.rangeStart = o.rangeStart;
        this.rangeEnd = o.rangeEnd;
    }

    @Override
    public Vm copy(Copier c) {
        return new Vm(this, c);
    }

    /** The guest frame number of {@code gpa}. */
    static long gfn(long gpa) {
        return gpa >>> Page.PAGE_SHIFT;
    }
}
