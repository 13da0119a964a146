package org.mmsim.kernel.mm;

import java.util.StringJoiner;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.uapi.Mman;

/** {@code vm_flags} bits with the values of include/linux/mm.h. */
@Export
public final class VmFlags {
    public static final long VM_READ = 0x1;
    public static final long VM_WRITE = 0x2;
    public static final long VM_EXEC = 0x4;
    public static final long VM_SHARED = 0x8;
    public static final long VM_MAYREAD = 0x10;
    public static final long VM_MAYWRITE = 0x20;
    public static final long VM_MAYEXEC = 0x40;
    public static final long VM_MAYSHARE = 0x80;
    public static final long VM_GROWSDOWN = 0x100;
    public static final long VM_PFNMAP = 0x400;
    public static final long VM_LOCKED = 0x2000;
    public static final long VM_IO = 0x4000;
    public static final long VM_DONTCOPY = 0x20000;
    public static final long VM_DONTEXPAND = 0x40000;
    public static final long VM_LOCKONFAULT = 0x80000;
    public static final long VM_ACCOUNT = 0x100000;
    public static final long VM_NORESERVE = 0x200000;
    public static final long VM_HUGETLB = 0x400000;
    public static final long VM_WIPEONFORK = 0x2000000;
    public static final long VM_DONTDUMP = 0x4000000;
    public static final long VM_SOFTDIRTY = 0x8000000;
    public static final long VM_MIXEDMAP = 0x10000000;
    public static final long VM_HUGEPAGE = 0x20000000;
    public static final long VM_NOHUGEPAGE = 0x40000000;

    /** {@code VM_LOCKED_MASK}: the flags mlock sets and munlock clears. */
    public static final long VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;

    private static final long[] BITS = {
        VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, VM_MAYREAD, VM_MAYWRITE, VM_MAYEXEC, VM_MAYSHARE, VM_GROWSDOWN,
        VM_PFNMAP, VM_LOCKED, VM_IO, VM_DONTCOPY, VM_DONTEXPAND, VM_LOCKONFAULT, VM_ACCOUNT, VM_NORESERVE, VM_HUGETLB,
        VM_WIPEONFORK, VM_DONTDUMP, VM_SOFTDIRTY, VM_MIXEDMAP, VM_HUGEPAGE, VM_NOHUGEPAGE
    };
    private static final String[] NAMES = {
        "READ", "WRITE", "EXEC", "SHARED", "MAYREAD", "MAYWRITE", "MAYEXEC", "MAYSHARE", "GROWSDOWN",
        "PFNMAP", "LOCKED", "IO", "DONTCOPY", "DONTEXPAND", "LOCKONFAULT", "ACCOUNT", "NORESERVE", "HUGETLB",
        "WIPEONFORK", "DONTDUMP", "SOFTDIRTY", "MIXEDMAP", "HUGEPAGE", "NOHUGEPAGE"
    };

    private VmFlags() {}

    /** {@code is_cow_mapping()}: private and may be written, so writes copy. */
    public static boolean isCowMapping(long flags) {
        return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
    }

    /** {@code calc_vm_prot_bits()}: PROT_* to VM_READ/WRITE/EXEC. */
    public static long fromProt(int prot) {
        long f = 0;
        if ((prot & Mman.PROT_READ) != 0) {
            f |= VM_READ;
        }
        if ((prot & Mman.PROT_WRITE) != 0) {
            f |= VM_WRITE;
        }
        if ((prot & Mman.PROT_EXEC) != 0) {
            f |= VM_EXEC;
        }
        return f;
    }

    /** E.g. {@code "READ|WRITE|MAYREAD|MAYWRITE"}. */
    public static String describe(long flags) {
        StringJoiner j = new StringJoiner("|");
        for (int i = 0; i < BITS.length; i++) {
            if ((flags & BITS[i]) != 0) {
                j.add(NAMES[i]);
            }
        }
        return j.length() == 0 ? "0" : j.toString();
    }
}
