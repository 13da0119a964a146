package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.name;
import static org.mmsim.scenario.Bindings.num;

import java.util.List;
import org.mmsim.drivers.kvm.KvmDriver;
import org.mmsim.kernel.uapi.Fcntl;

/**
 * The operations of the {@code kvm} device ({@code org.mmsim.drivers.kvm}): a VM of the process, a memslot, and guest
 * loads and stores at guest-physical addresses, each a vCPU touching guest memory through KVM's shadow page table.
 */
final class KvmOps {
    private KvmOps() {}

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
                Operation.of("kvm_set_user_memory_region", "FILE FOFF ADDR LEN",
                        "ioctl(KVM_SET_USER_MEMORY_REGION) of VM FILE: guest-physical [FOFF, FOFF+LEN) is [ADDR, "
                                + "ADDR+LEN) of the process",
                        (b, t, op) -> b.files().ioctl(t, b.fd(op, 0, "VM"), KvmDriver.KVM_SET_USER_MEMORY_REGION,
                                num(op, 1), b.addr(op, 2), num(op, 3))),
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
