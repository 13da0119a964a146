package org.mmsim.drivers.kvm;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.api.Driver;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.api.SecondaryMmu;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FileOperations;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code /dev/kvm}: KVM as a secondary MMU ({@code virt/kvm/kvm_main.c}, {@code arch/x86/kvm/mmu/}). An open of the
 * device becomes a VM with {@link #KVM_CREATE_VM} ({@code kvm_dev_ioctl_create_vm} → {@code kvm_create_vm}, which
 * registers an MMU notifier on the caller's mm when {@code kvm_mmu_notifier} is on). The model has no
 * {@code fd_install} for drivers, so the VM is the {@code private_data} of that open file rather than of a new
 * anon-inode file; closing it is closing the VM fd ({@code kvm_vm_release} → {@code kvm_destroy_vm}).
 *
 * <p>Ioctls on the VM: {@link #KVM_SET_USER_MEMORY_REGION} (args: gpa, hva, len) and two the model adds for a vCPU
 * running a guest load or store at a guest-physical address ({@link #KVM_GUEST_LOAD}, {@link #KVM_GUEST_STORE}),
 * which go through the shadow pte or take the fault path of {@code kvm_tdp_page_fault} ({@link KvmGuestAccess}).
 *
 * <p>State: the live VMs (each fingerprinted and copied with its file; the list itself by VM id), and the next VM id.
 * The shadow ptes are registered as a {@link SecondaryMmu}, so the device-coherence invariant holds them against the
 * CPU's ptes. The page references sptes hold are {@code get_user_pages_fast} arrays, which the accounting invariant
 * already attributes through the GUP holders: nothing is registered with {@code registerPageReferences}.
 */
public final class KvmDriver implements Driver {
    /** The device node: {@code /dev/kvm}. */
    public static final String DEVICE = "kvm";

    /** {@code KVM_CREATE_VM} ({@code _IO(KVMIO, 0x01)}): 0, or -EBUSY if this open file is a VM already. */
    public static final int KVM_CREATE_VM = 0xAE01;
    /** {@code KVM_SET_USER_MEMORY_REGION} ({@code _IOW(KVMIO, 0x46, struct kvm_userspace_memory_region)}). */
    public static final int KVM_SET_USER_MEMORY_REGION = 0x4020AE46;
    /** Model-only: a vCPU loads the word at guest-physical args[0] (what KVM_RUN does when the guest loads). */
    public static final int KVM_GUEST_LOAD = 0xAEF0;
    /** Model-only: a vCPU stores args[1] at guest-physical args[0]. */
    public static final int KVM_GUEST_STORE = 0xAEF1;
    /**
     * The model-only fourth argument of {@link #KVM_SET_USER_MEMORY_REGION} that leaves the guest's accesses the
     * attribute of the host's mapping (any other is a {@code CacheMode} the guest maps the region with).
     */
    public static final int HOST_CACHE = -1;

    private Exports kernel;
    private final Vms vms = new Vms();

    /**
     * The live VMs, in creation order, and the next id. A copied machine's list is filled by {@link #copyState}:
     * the copy of a VM copies its mm, whose VMAs may name files whose operation tables the VFS pairs only after the
     * drivers are copied.
     */
    private static final class Vms implements Hashable {
        private final List<Vm> live = new ArrayList<>();
        int nextId = 1;

        List<Vm> live() {
            return live;
        }

        @Override
        public void hashInto(StateHasher h) {
            h.add(nextId).add(live().size());
            for (Vm vm : live()) {
                h.add(vm.id);
            }
        }
    }

    private final SecondaryMmu shadow = new SecondaryMmu() {
        @Override
        public String name() {
            return "kvm";
        }

        @Override
        public void forEachEntry(Entries out) {
            for (Vm vm : vms.live()) {
                for (Vm.Spte s : vm.sptes.values()) {
                    out.entry(vm.mm, s.hva(), s.pfn(), s.writable());
                }
            }
        }

        /** The guest's accesses use each spte's attribute (the memslot's, or the host pte's at the fault). */
        @Override
        public void forEachCacheEntry(CacheEntries out) {
            for (Vm vm : vms.live()) {
                for (Vm.Spte s : vm.sptes.values()) {
                    out.entry(vm.mm, s.hva(), s.pfn(), s.cache());
                }
            }
        }
    };

    private final FileOperations fops = new FileOperations() {
        @Override
        public String name() {
            return "kvm_fops";
        }

        @Override
        public KernelCall<Void> ioctlCall(File file, Mm current, int cmd, long[] args) {
            return switch (cmd) {
                case KVM_CREATE_VM -> new KvmCreateVm(KvmDriver.this, file, current);
                case KVM_SET_USER_MEMORY_REGION -> args.length < 3 ? null
                        : new KvmSetMemoryRegion(KvmDriver.this, file, current, args[0], args[1], args[2],
                                args.length > 3 ? args[3] : HOST_CACHE);
                case KVM_GUEST_LOAD -> args.length < 1 ? null
                        : new KvmGuestAccess(KvmDriver.this, file, current, args[0], false, 0);
                case KVM_GUEST_STORE -> args.length < 2 ? null
                        : new KvmGuestAccess(KvmDriver.this, file, current, args[0], true, args[1]);
                default -> null;
            };
        }

        /** Unknown commands, and known ones without their arguments. */
        @Override
        public long ioctl(File file, int cmd, long arg) {
            return switch (cmd) {
                case KVM_SET_USER_MEMORY_REGION, KVM_GUEST_LOAD, KVM_GUEST_STORE -> -Errno.EINVAL;
                default -> -Errno.ENOTTY;
            };
        }

        /**
         * {@code kvm_vm_release} → {@code kvm_destroy_vm}: {@code mmu_notifier_unregister} (which runs
         * {@code ->release} unless exit already did), then {@code kvm_arch_flush_shadow_all}: every spte and the page
         * references they hold go.
         */
        @Override
        public void release(File file) {
            if (!(file.privateData() instanceof Vm vm)) {
                return;
            }
            kernel.tracePath("kvm_destroy_vm");
            if (vm.sub != null) {
                kernel.mmuNotifierUnregister(vm.sub);
            }
            vm.zapAll();
            vm.dead = true;
            vms.live().remove(vm);
        }
    };

    @Override
    public String name() {
        return DEVICE;
    }

    @Override
    public void init(Exports k) {
        this.kernel = k;
        k.registerChrdev(DEVICE, fops);
        k.registerState(vms);
        k.registerSecondaryMmu(shadow);
    }

    @Override
    public Driver copy(Exports k, Copier c) {
        KvmDriver d = new KvmDriver();
        d.init(k);
        c.pair(this, d);
        c.pair(fops, d.fops);
        c.pair(shadow, d.shadow);
        c.pair(vms, d.vms);
        d.vms.nextId = vms.nextId;
        return d;
    }

    @Override
    public void copyState(Driver original, Copier c) {
        for (Vm o : ((KvmDriver) original).vms.live()) {
            vms.live().add(c.copy(o));
        }
    }

    // ---- for the VM and its calls -----------------------------------------------------------------------------

    Exports kernel() {
        return kernel;
    }

    /** The shadow table as the device-coherence invariant sees it (and names accesses by). */
    SecondaryMmu shadow() {
        return shadow;
    }

    void trace(String function) {
        kernel.tracePath(function);
    }

    boolean notifierOn() {
        return kernel.profile().on(Switch.KVM_MMU_NOTIFIER);
    }

    /** Whether an spte keeps its GUP reference: always without the notifier (the only tie), else per switch. */
    boolean sptesHoldRefs() {
        return !notifierOn() || kernel.profile().on(Switch.KVM_PAGE_REFS);
    }

    /** {@code kvm_create_vm}: a new VM of {@code mm}, subscribed to it if the notifier is on, listed. */
    Vm createVm(Mm mm) {
        Vm vm = new Vm(this, vms.nextId++, mm);
        if (notifierOn()) {
            vm.sub = kernel.mmuNotifierRegister(vm, mm);
        }
        vms.live().add(vm);
        return vm;
    }

    /** Drop the page reference an spte holds, if any ({@code kvm_release_pfn_clean} of the spte's page). */
    void dropRef(Vm.Spte s) {
        if (s.ref() != null && !s.ref().released()) {
            kernel.putPages(s.ref());
        }
    }

    /** The VM of {@code file}, or null if KVM_CREATE_VM has not run on it. */
    static Vm vmOf(File file) {
        return file.privateData() instanceof Vm vm ? vm : null;
    }
}
