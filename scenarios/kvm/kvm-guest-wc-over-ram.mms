# A guest that maps ordinary RAM write-combined while the host's direct map caches it (kernel-mm.md §8.5): the
# mismatched-attribute alias that x86 without self-snoop and arm64 forbid (cache-alias), and the reason a VMM must
# not hand its guest an attribute that disagrees with the host's. The model lets the guest's attribute through, as
# arm64 without FEAT_S2FWB and AMD's nested paging do (Intel VMX forces WB for RAM unless the VMM turns off
# KVM_X86_QUIRK_IGNORE_GUEST_PAT; docs/devices/dmabuf.md). On CPUs that snoop their own caches
# (cache_aliasing=self_snoop) the mismatch is benign and not checked.
scenario kvm-guest-wc-over-ram
doc "A guest mapping of RAM with WC against the host's WB direct map breaks cache-alias"

memory normal=1M
process P
P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
P: store A 0x5
P: kvm_create_vm VM
P: kvm_set_user_memory_region VM 0 A 4K wc
P: r0 = kvm_guest_load VM 0

exists (violated cache-alias)

expect 6.18 always
expect 6.18[cache_aliasing=self_snoop] never
