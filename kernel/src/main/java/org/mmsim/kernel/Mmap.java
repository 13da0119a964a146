package org.mmsim.kernel;

import java.util.List;

/**
 * Creating and removing mappings (mm/mmap.c, mm/vma.c): {@code do_mmap} with {@code get_unmapped_area},
 * {@code do_munmap}, {@code exit_mmap}, and {@code __mm_populate} for MAP_POPULATE/MAP_LOCKED.
 *
 * <p>Anonymous private mappings, file mappings (shared or private) and shared anonymous memory, which is a
 * tmpfs object of its own ({@code shmem_zero_setup}). VMAs are never merged ({@code vma_merge}), which changes no page state, only how many VMAs a listing shows.
 */
final class Mmap {
    private final Kernel k;

    Mmap(Kernel k) {
        this.k = k;
    }

    /** {@code do_mmap()} for anonymous memory: {@code mmap(addr, len, prot, flags, -1, 0)}. */
    long doMmap(Mm mm, long addr, long len, int prot, int flags) {
        return doMmap(mm, addr, len, prot, flags, null, 0);
    }

    /**
     * {@code do_mmap()}: {@code mmap(addr, len, prot, flags, file, off)}. {@code file} is ignored with
     * MAP_ANONYMOUS. A shared mapping of a file opened read-only loses VM_MAYWRITE and VM_SHARED (it can never
     * become writable); a private one keeps VM_MAYWRITE, which is what lets FOLL_FORCE write to it (COW).
     *
     * @return the start address, or -EINVAL (bad length, alignment or flags), -EBADF (no file), -EACCES (the
     *     file's open mode forbids the mapping), -ENOMEM (no room, no memory)
     */
    long doMmap(Mm mm, long addr, long len, int prot, int flags, OpenFile file, long off) {
        k.path("do_mmap");
        if (len <= 0) {
            return -Errno.EINVAL;
        }
        len = pageAlign(len);
        int type = flags & (Mman.MAP_SHARED | Mman.MAP_PRIVATE);
        if (type != Mman.MAP_SHARED && type != Mman.MAP_PRIVATE) {
            return -Errno.EINVAL;
        }
        boolean anon = (flags & Mman.MAP_ANONYMOUS) != 0;
        if (anon) {
            file = null;
            off = 0;
        } else if (file == null || file.closed) {
            return -Errno.EBADF;
        } else if ((off & (PageTable.PAGE_SIZE - 1)) != 0 || off < 0) {
            return -Errno.EINVAL;
        }
        long fileFlags = 0;
        if (file != null) {
            if (type == Mman.MAP_SHARED) {
                if ((prot & Mman.PROT_WRITE) != 0 && !file.writable()) {
                    return -Errno.EACCES;
                }
                fileFlags = VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;
            }
            if (!file.readable()) {
                return -Errno.EACCES;
            }
        }
        if ((flags & Mman.MAP_FIXED) != 0) {
            if ((addr & (PageTable.PAGE_SIZE - 1)) != 0 || addr + len > PageTable.TASK_SIZE || addr <= 0) {
                return -Errno.EINVAL;
            }
            doMunmap(mm, addr, len);
        } else {
            addr = getUnmappedArea(mm, addr, len);
            if (addr < 0) {
                return addr;
            }
        }
        long vmFlags = Mman.calcVmProtBits(prot) | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC
                | VmFlags.VM_SOFTDIRTY | fileFlags;
        if (file != null && type == Mman.MAP_SHARED && !file.writable()) {
            vmFlags &= ~(VmFlags.VM_MAYWRITE | VmFlags.VM_SHARED);
        }
        if ((flags & Mman.MAP_NORESERVE) == 0 && (file == null || type == Mman.MAP_PRIVATE)) {
            vmFlags |= VmFlags.VM_ACCOUNT;
        }
        if ((flags & Mman.MAP_LOCKED) != 0) {
            vmFlags |= VmFlags.VM_LOCKED;
        }
        long pgoff = addr >>> PageTable.PAGE_SHIFT;
        if (file != null) {
            pgoff = off >>> PageTable.PAGE_SHIFT;
        } else if (type == Mman.MAP_SHARED) {
            file = shmemZeroSetup(len);
            vmFlags |= VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;
            pgoff = 0;
        }
        Vma vma = new Vma(mm, addr, addr + len, vmFlags, pgoff, file);
        mm.insertVma(vma);
        k.note("mm " + mm.id() + ": vma " + vma + " created");
        if ((flags & (Mman.MAP_POPULATE | Mman.MAP_LOCKED)) != 0) {
            populate(mm, vma);
        }
        return addr;
    }

    /**
     * {@code shmem_zero_setup()}: shared anonymous memory is an unlinked tmpfs object of the mapping's size; the
     * VMA holds the only reference, so the object dies with the last mapping.
     */
    private OpenFile shmemZeroSetup(long len) {
        Inode inode = k.newInode(FsType.TMPFS, "dev/zero", len, 0);
        return new OpenFile(inode, true, true);
    }

    /**
     * A device's mmap handler that maps its MMIO aperture with {@code remap_pfn_range()} (mm/memory.c): a
     * VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP VMA whose special ptes point at PFNs above RAM, which have no
     * struct page. GUP refuses such VMAs; loads read all-ones, stores are dropped (an unclaimed BAR).
     *
     * @return the start address, or -EINVAL/-ENOMEM as {@link #doMmap}
     */
    long mmapPfnRange(Mm mm, long len, int prot) {
        k.path("remap_pfn_range");
        if (len <= 0) {
            return -Errno.EINVAL;
        }
        len = pageAlign(len);
        long addr = getUnmappedArea(mm, 0, len);
        if (addr < 0) {
            return addr;
        }
        long vmFlags = Mman.calcVmProtBits(prot) | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_SHARED
                | VmFlags.VM_MAYSHARE | VmFlags.VM_IO | VmFlags.VM_PFNMAP | VmFlags.VM_DONTEXPAND
                | VmFlags.VM_DONTDUMP;
        Vma vma = new Vma(mm, addr, addr + len, vmFlags, 0);
        mm.insertVma(vma);
        k.note("mm " + mm.id() + ": vma " + vma + " created");
        int pfn = k.frames.nrFrames() + k.nextMmioPfn;
        for (long a = addr; a < addr + len; a += PageTable.PAGE_SIZE) {
            mm.setPte(a, Pte.mkSpecial(Pte.make(pfn++, vma.pageProt())));
        }
        k.nextMmioPfn = pfn - k.frames.nrFrames();
        return addr;
    }

    static long pageAlign(long len) {
        return (len + PageTable.PAGE_SIZE - 1) & -PageTable.PAGE_SIZE;
    }

    /**
     * {@code get_unmapped_area()} top-down ({@code unmapped_area_topdown}): the hint if it is free, else the
     * highest gap below {@code mmap_base} that fits.
     */
    private long getUnmappedArea(Mm mm, long hint, long len) {
        if (hint > 0 && (hint & (PageTable.PAGE_SIZE - 1)) == 0 && hint + len <= PageTable.TASK_SIZE
                && isFree(mm, hint, hint + len)) {
            return hint;
        }
        long top = mm.mmapBase;
        for (Vma vma : mm.vmas.descendingMap().values()) {
            if (vma.start >= top) {
                continue;
            }
            if (vma.end <= top - len) {
                return top - len;
            }
            top = vma.start;
        }
        return top - len >= PageTable.PAGE_SIZE * 16 ? top - len : -Errno.ENOMEM;
    }

    private static boolean isFree(Mm mm, long start, long end) {
        for (Vma vma : mm.vmas.values()) {
            if (vma.start < end && vma.end > start) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code populate_vma_page_range()}: fault the range in through GUP. Writable private mappings are touched
     * with a write fault to break COW, as the kernel does.
     */
    private void populate(Mm mm, Vma vma) {
        int gupFlags = Gup.FOLL_TOUCH;
        if ((vma.flags & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) == VmFlags.VM_WRITE) {
            gupFlags |= Gup.FOLL_WRITE;
        }
        int nr = (int) ((vma.end - vma.start) >>> PageTable.PAGE_SHIFT);
        k.gup.getUserPagesInternal(mm, vma.start, nr, gupFlags | Gup.FOLL_POPULATE, null);
    }

    /**
     * {@code do_munmap()}: remove [addr, addr+len) from the address space, splitting VMAs at the edges.
     *
     * @return 0, or -EINVAL for an unaligned or empty range
     */
    long doMunmap(Mm mm, long addr, long len) {
        k.path("do_munmap");
        if ((addr & (PageTable.PAGE_SIZE - 1)) != 0 || len <= 0 || addr + len > PageTable.TASK_SIZE) {
            return -Errno.EINVAL;
        }
        long end = addr + pageAlign(len);
        List<Vma> victims = mm.vmasIn(addr, end);
        for (Vma vma : victims) {
            k.unmap.zapRange(vma, vma.start, vma.end);
            mm.removeVma(vma);
            k.note("mm " + mm.id() + ": vma " + vma + " removed");
        }
        mm.pgd.freeTables(addr, end);
        return 0;
    }

    /** {@code exit_mmap()}: unmap everything and free the page tables; the mm is dead afterwards. */
    void exitMmap(Mm mm) {
        k.path("exit_mmap");
        for (Vma vma : mm.vmas()) {
            k.unmap.zapRange(vma, vma.start, vma.end);
            mm.removeVma(vma);
        }
        mm.pgd.freeTables(0, PageTable.TASK_SIZE);
        mm.dead = true;
        k.note("mm " + mm.id() + ": exit_mmap done");
    }
}
