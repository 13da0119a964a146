package org.mmsim.drivers.kvm;

import org.mmsim.kernel.api.DriverCall;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.pgtable.CacheMode;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * A vCPU's guest load or store at a guest-physical address (what {@code KVM_RUN} does while the guest touches
 * memory). Through a valid shadow pte (writable, for a store) it is one step. Otherwise it is the fault path of
 * {@code kvm_tdp_page_fault} → {@code kvm_faultin_pfn} → {@code direct_page_fault}, cut where KVM drops and takes
 * {@code mmu_lock}:
 * <ol>
 *   <li>{@code mmu_seq = kvm->mmu_invalidate_seq} ({@code smp_rmb}); {@code hva_to_pfn}: {@code get_user_pages_fast}
 *       of the page (FOLL_WRITE for a store), GUP-fast then the slow path under {@code mmap_lock} for read (so this
 *       step waits for it); failure: -EFAULT. The fault holds that reference until it ends. Then stop:
 *       {@code mmu_lock} is not held.</li>
 *   <li>Take {@code mmu_lock} (this step). {@code mmu_invalidate_retry_gfn}: an invalidation covering the page is in
 *       progress, or the sequence moved: drop the reference and go back to 1 ({@code RET_PF_RETRY}). Else install the
 *       spte (writable for a store), then do the access. With {@code kvm_page_refs} off (2.6.32 on) the fault's
 *       reference is dropped once the spte is in ({@code kvm_release_pfn_clean} at the end of
 *       {@code direct_page_fault}; {@code kvm_mmu_finish_page_fault} → {@code kvm_release_faultin_page} since 6.13):
 *       only the pfn is kept, and the sequence check is what makes that safe. With it on (the design before) the
 *       reference becomes the spte's, dropped when the spte is zapped.</li>
 * </ol>
 * Without the MMU notifier there is no sequence to check: the spte is installed at once and the reference it keeps is
 * all that ties it to its page. Returns the word loaded (a load), 0 (a store), or -EIO (the VM is dead, i.e. the mm
 * exited and {@code ->release} flushed the shadow tables; or the caller is not the VM's mm, as {@code kvm_vcpu_ioctl}
 * checks), -EFAULT (no memslot, or GUP failed), -EINVAL (an offset the model does not keep), -ENOTTY (no VM).
 */
final class KvmGuestAccess extends DriverCall {
    private static final int FAULTIN = 0;
    private static final int MAP = 1;

    private final KvmDriver driver;
    private final File file;
    private final Mm mm;
    private final long gpa;
    private final boolean write;
    private final long value;

    /** {@code mmu_seq}: the sequence read before the pfn was looked up. */
    private long mmuSeq;
    /** The pfn {@code hva_to_pfn} found. */
    private int pfn = -1;
    /** The reference GUP took, while held (null once dropped or never kept). */
    private GupPages page;

    KvmGuestAccess(KvmDriver driver, File file, Mm mm, long gpa, boolean write, long value) {
        super(driver.kernel(), write ? "kvm_guest_store" : "kvm_guest_load");
        this.driver = driver;
        this.file = file;
        this.mm = mm;
        this.gpa = gpa;
        this.write = write;
        this.value = value;
    }

    /** The spte to access through now, or null: the fault path runs. */
    private Vm.Spte usable(Vm vm) {
        Vm.Spte s = vm.sptes.get(Vm.gfn(gpa));
        return s != null && (!write || s.writable()) ? s : null;
    }

    @Override
    public Acquire blockedOn() {
        Vm vm = KvmDriver.vmOf(file);
        if (point0() != FAULTIN || vm == null || vm.dead || vm.mm != mm || mm.dead() || usable(vm) != null) {
            return null;
        }
        return driver.kernel().mmapReadAcquire(mm).blocked();
    }

    @Override
    protected void advance() {
        Vm vm = KvmDriver.vmOf(file);
        if (vm == null) {
            drop();
            returns(-Errno.ENOTTY);
            return;
        }
        if (vm.dead || vm.mm != mm || mm.dead()) {
            drop();
            returns(-Errno.EIO);
            return;
        }
        long off = gpa & 4095;
        if ((off & 7) != 0 || off >= 16) {
            returns(-Errno.EINVAL);
            return;
        }
        long hva = vm.gpaToHva(gpa);
        if (hva < 0) {
            drop();
            returns(-Errno.EFAULT);
            return;
        }
        int word = (int) (off >>> 3);
        switch (point0()) {
            case FAULTIN -> {
                Vm.Spte s = usable(vm);
                if (s != null) {
                    access(vm, s.hva(), s.pfn(), word);
                    return;
                }
                driver.trace("kvm_faultin_pfn");
                mmuSeq = vm.invalidateSeq;
                GupPages g = driver.kernel().getUserPagesFast(mm, hva & ~4095L, 1, write ? Foll.FOLL_WRITE : 0);
                if (g.ret() < 1) {
                    // hva_to_pfn: GUP refuses VM_IO|VM_PFNMAP, "so do it here" (hva_to_pfn_remapped): the pte's pfn,
                    // with no reference (the model's such frames have no struct page to count)
                    long remapped = driver.kernel().followPfnmap(mm, hva & ~4095L, write);
                    if (remapped < 0) {
                        returns(-Errno.EFAULT);
                        return;
                    }
                    driver.trace("hva_to_pfn_remapped");
                    pfn = (int) remapped;
                    if (!driver.notifierOn()) {
                        map(vm, hva & ~4095L, word);
                        return;
                    }
                    stopAt(MAP, "pfn %d for gpa %#x (remapped), mmu_seq %d", pfn, gpa, mmuSeq);
                    return;
                }
                pfn = g.pfn(0);
                page = g;
                if (!driver.kernel().profile().on(Switch.KVM_FAULT_REF) && driver.notifierOn()) {
                    // kvm_fault_ref=off, the proposal: keep the pfn only, hold nothing while the fault goes on
                    drop();
                }
                if (!driver.notifierOn()) {
                    map(vm, hva & ~4095L, word);
                    return;
                }
                stopAt(MAP, "pfn %d for gpa %#x, mmu_seq %d", pfn, gpa, mmuSeq);
            }
            case MAP -> {
                driver.trace("kvm_mmu_map");
                if (vm.invalidateRetry(mmuSeq, hva & ~4095L)) {
                    drop();
                    pfn = -1;
                    stopAt(FAULTIN, "retry gpa %#x: invalidation (seq %d, in progress %d)", gpa, vm.invalidateSeq,
                            vm.invalidateInProgress);
                    return;
                }
                map(vm, hva & ~4095L, word);
            }
            default -> throw new IllegalStateException("kvm guest access at point " + point0());
        }
    }

    /**
     * Install the spte, the fault's reference becoming its own where sptes hold references, else dropped now that the
     * spte is in, and access through it.
     */
    private void map(Vm vm, long pageHva, int word) {
        boolean keep = driver.sptesHoldRefs();
        vm.install(new Vm.Spte(Vm.gfn(gpa), pageHva, pfn, write, keep ? page : null, cacheOf(vm, pageHva)));
        if (keep) {
            page = null;
        } else {
            drop();
        }
        access(vm, pageHva, pfn, word);
    }

    /**
     * The attribute the guest's accesses through the new spte use: the memslot's, if the guest maps the region with
     * its own, else the host pte's, read with the pfn (WB if the host maps none there: RAM that GUP found).
     */
    private int cacheOf(Vm vm, long pageHva) {
        Vm.Memslot slot = vm.memslot(gpa);
        if (slot != null && slot.cache() != KvmDriver.HOST_CACHE) {
            return slot.cache();
        }
        int host = driver.kernel().pteCacheMode(mm, pageHva);
        return host < 0 ? CacheMode.WB : host;
    }

    private void access(Vm vm, long pageHva, int framePfn, int word) {
        if (write) {
            driver.kernel().secondaryWrite(driver.shadow(), mm, pageHva, framePfn, word, value, vm.sub);
            returns(0);
        } else {
            returns(driver.kernel().secondaryRead(driver.shadow(), mm, pageHva, framePfn, word, vm.sub));
        }
    }

    /** {@code kvm_release_pfn_clean}: drop the reference this fault holds, if any. */
    private void drop() {
        if (page != null) {
            driver.kernel().putPages(page);
            page = null;
        }
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(file.id()).add(mm.id()).add(gpa).add(write).add(value).add(mmuSeq).add(pfn)
                .add(page == null ? 0 : page.id());
    }

    private KvmGuestAccess(KvmGuestAccess o, Copier c) {
        super(o, c);
        this.driver = c.copy(o.driver);
        this.file = c.copy(o.file);
        this.mm = c.copy(o.mm);
        this.gpa = o.gpa;
        this.write = o.write;
        this.value = o.value;
        this.mmuSeq = o.mmuSeq;
        this.pfn = o.pfn;
        this.page = c.copy(o.page);
    }

    @Override
    public KvmGuestAccess copy(Copier c) {
        return new KvmGuestAccess(this, c);
    }
}
