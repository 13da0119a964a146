package org.mmsim.kernel.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.api.DeviceMemory;
import org.mmsim.kernel.api.DeviceOwners;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.AddressSpaceOperations;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.mm.pgtable.Pte;

/**
 * Device isolation: a mapping of a device object (a GPU buffer, an SPU context's local store) reaches the memory that
 * object owns at that moment, never another object's. After every step, every present pte of a device mapping that
 * maps device memory must map a frame the driver says holds that object; and every load, store and ptrace access
 * that reached device memory since the last check must have reached such a frame when it happened. A pte that
 * outlives a move ({@code do_no_pfn} racing {@code unmap_mapping_range}, a fault that did not take the object's lock)
 * and a {@code struct page} GUP kept across a context switch (B5) are what it catches.
 */
final class DeviceIsolationInvariant implements Invariant {

    @Override
    public String name() {
        return "device-isolation";
    }

    @Override
    public String doc() {
        return "a device mapping and every access through it reach the memory its object owns now, not another's";
    }

    @Override
    public List<Violation> check(Kernel kernel) {
        List<DeviceMemory> devices = kernel.deviceMemories();
        MmCore core = kernel.mm();
        List<MmCore.DeviceAccess> accesses = core.drainDeviceAccesses();
        if (devices.isEmpty()) {
            return List.of();
        }
        List<Violation> out = new ArrayList<>();
        forEachDevicePte(deviceVmas(core), (mm, addr, pte) -> {
            if (kernel.pageAlloc().isDevice(Pte.pfn(pte))) {
                check(devices, mm, addr, Pte.pfn(pte), "maps", out);
            }
        });
        for (MmCore.DeviceAccess a : accesses) {
            out.add(new Violation(name(), a.problem()));
        }
        return out;
    }

    /** A present pte of a device mapping, for {@link #forEachDevicePte}. */
    interface DevicePte {
        void pte(Mm mm, long addr, long pte);
    }

    /**
     * Every present pte of {@code vmas} (as {@link #deviceVmas} gives them), in their order and by address, skipping
     * page tables that were never made.
     */
    static void forEachDevicePte(List<Vma> vmas, DevicePte out) {
        for (Vma vma : vmas) {
            PageTable table = vma.mm().pageTable();
            long addr = vma.start();
            while (addr < vma.end()) {
                long tableEnd = Math.min(vma.end(), (addr + PageTable.PMD_SIZE) & -PageTable.PMD_SIZE);
                addr = table.hasTable(addr) ? table.nextPresent(addr, tableEnd) : tableEnd;
                if (addr >= tableEnd) {
                    addr = tableEnd;
                    continue;
                }
                long pte = table.get(addr);
                if (Pte.present(pte)) {
                    out.pte(vma.mm(), addr, pte);
                }
                addr += Page.PAGE_SIZE;
            }
        }
    }

    /**
     * The VMAs of live mms that map a device object (an address space without page-cache operations), by mm and
     * address: found through each such object's {@code i_mmap}, so the cost is what the devices map, not every VMA.
     */
    static List<Vma> deviceVmas(MmCore core) {
        if (core.mappings().isEmpty()) {
            return List.of(); // anonymous memory only: checked after every step of most searches
        }
        List<Vma> out = new ArrayList<>();
        for (AddressSpace m : core.mappings()) {
            if (m.aops() != AddressSpaceOperations.NONE) {
                continue;
            }
            for (Vma vma : m.iMmap()) {
                if (!vma.mm().dead()) {
                    out.add(vma);
                }
            }
        }
        out.sort(Comparator.comparingInt((Vma v) -> v.mm().id()).thenComparingLong(Vma::start));
        return out;
    }

    private void check(List<DeviceMemory> devices, Mm mm, long addr, int pfn, String what, List<Violation> out) {
        String problem = DeviceOwners.judge(devices, mm, addr, pfn, what);
        if (problem != null) {
            out.add(new Violation(name(), problem));
        }
    }
}
