package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.name;
import static org.mmsim.scenario.Bindings.num;

import java.util.List;
import org.mmsim.drivers.kvm.KvmDriver;
import org.mmsim.kernel.mm.pgtable.CacheMode;
import org.mmsim.kernel.uapi.DmaBufUapi;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;

/**
 * The operations of the {@code kvm} device ({@code org.mmsim.drivers.kvm}): a VM of the process, a memslot, and guest
 * loads and stores at guest-physical addresses, each a vCPU touching guest memory through KVM's shadow page table.
 */
final class KvmOps {
    private KvmOps() {}

    /**
     * The attribute a VMM has its guest map a dma-buf with, from {@code DMA_BUF_IOCTL_INFO}'s answer {@code info}:
     * the host mapping's where the ioctl does not exist (-ENOTTY), WC for COHERENT_WC, WB for COHERENT_CACHED; null
     * where it makes no memslot (INCOHERENT, the import rejected, or another error).
     */
    private static Integer guestCache(long info) {
        if (info == -Errno.ENOTTY) {
            return KvmDriver.HOST_CACHE;
        }
        if (info == DmaBufUapi.DMA_BUF_COHERENT_WC) {
            return CacheMode.WC;
        }
        return info == DmaBufUapi.DMA_BUF_COHERENT_CACHED ? CacheMode.WB : null;
    }

    static List<Operation> operations() {
        return List.of(
                Operation.of("kvm_create_vm", "NEW",
                        "open(/dev/kvm) + ioctl(KVM_CREATE_VM): a VM of this process (an MMU notifier on its mm if "
                                + "kvm_mmu_notifier is on); NEW names the VM's fd; returns it or -errno",
                        (b, t, op) -> b.files().open(t, "/dev/" + KvmDriver.DEVICE, Fcntl.O_RDWR))
                        .binding("file")
                        .then((b, t, op, calls) -> {
                            int fd = (int) calls.get(0).ret();
                            return calls.size() == 1 && fd >= 0 ? b.files().ioctl(t, fd, KvmDriver.KVM_CREATE_VM)
                                    : null;
                        })
                        .returning((b, t, op, calls) -> {
                            long fd = calls.get(0).ret();
                            long ret = calls.size() > 1 ? calls.get(1).ret() : fd;
                            b.bind(name(op, 0), new Bindings.Fd((int) fd, null));
                            return Value.of(ret < 0 ? ret : fd);
                        }),
                Operation.of("kvm_set_user_memory_region", "FILE FOFF ADDR LEN [CACHE]",
                        "ioctl(KVM_SET_USER_MEMORY_REGION) of VM FILE: guest-physical [FOFF, FOFF+LEN) is [ADDR, "
                                + "ADDR+LEN) of the process; CACHE (wb, wc or uc, model-only) is the attribute the "
                                + "guest maps the region with, by default the host mapping's",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "VM"), KvmDriver.KVM_SET_USER_MEMORY_REGION,
                                num(op, 1), b.addr(op, 2), num(op, 3), op.arg(4) == null ? KvmDriver.HOST_CACHE
                                        : DmaBufUserOps.word(op, 4, DmaBufUserOps.CACHE))),
                Operation.of("vmm_map_dmabuf", "FILE FOFF FD ADDR LEN",
                        "what a VMM does to give its guest a dma-buf it mapped at ADDR (seed 001): "
                                + "DMA_BUF_IOCTL_INFO of FD; where the ioctl does not exist (-ENOTTY, Linux), "
                                + "KVM_SET_USER_MEMORY_REGION of VM FILE with the host mapping's attribute; where it "
                                + "answers incoherent, reject the import (-EINVAL, the proposal's rule, no memslot); "
                                + "else a memslot the guest maps write-combined (coherent_wc) or cached "
                                + "(coherent_cached); returns the memslot ioctl's result or -errno",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 2, "file"), DmaBufUapi.DMA_BUF_IOCTL_INFO,
                                DmaBufUapi.DMA_BUF_INFO_MAP_INFO))
                        .then((b, t, op, calls) -> {
                            Integer cache = calls.size() > 1 ? null : guestCache(calls.get(0).ret());
                            return cache == null ? null : b.files().ioctl(t, b.fd(op, 0, "VM"),
                                    KvmDriver.KVM_SET_USER_MEMORY_REGION, num(op, 1), b.addr(op, 3), num(op, 4),
                                    cache);
                        })
                        .returning((b, t, op, calls) -> {
                            long info = calls.get(0).ret();
                            return Value.of(calls.size() > 1 ? calls.get(1).ret()
                                    : info == DmaBufUapi.DMA_BUF_MAP_INCOHERENT ? -Errno.EINVAL : info);
                        }),
                Operation.of("kvm_guest_load", "FILE FOFF",
                        "a vCPU of VM FILE loads the word at guest-physical FOFF (through its shadow pte, or "
                                + "kvm_tdp_page_fault); returns the word, or -EFAULT/-EIO",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "VM"), KvmDriver.KVM_GUEST_LOAD, num(op, 1)))
                        .returning((b, t, op, calls) -> {
                            long ret = calls.get(0).ret();
                            return ret < 0 && ret >= -4095 ? Value.of(ret) : Value.data(ret);
                        }),
                Operation.of("kvm_guest_store", "FILE FOFF VALUE",
                        "a vCPU of VM FILE stores VALUE at guest-physical FOFF; returns 0 or -EFAULT/-EIO",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "VM"), KvmDriver.KVM_GUEST_STORE, num(op, 1),
                                num(op, 2))));
    }
}
