package org.mmsim.kernel.mm.mmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.boot;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code unmapped_area_topdown}: an mmap without a hint lands at the highest gap of its length below
 * {@code mmap_base}. The model's search starts below the stretch it last found covered (a shortcut the kernel's
 * maple tree gets from its gap bookkeeping); it must give exactly the address a walk from {@code mmap_base} gives,
 * across mappings, holes made by munmap, and splits made by mprotect.
 */
@InvariantsNotChecked("thousands of calls; only the addresses are under test")
class UnmappedAreaTest {
    private static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;

    /** The highest gap of {@code len} below mmap_base, by walking every VMA from the top. */
    private static long expected(Mm mm, long len) {
        long top = mm.mmapBase();
        List<Vma> vmas = mm.vmas();
        for (int i = vmas.size() - 1; i >= 0; i--) {
            Vma vma = vmas.get(i);
            if (vma.start() >= top) {
                continue;
            }
            if (vma.end() <= top - len) {
                return top - len;
            }
            top = vma.start();
        }
        return top - len;
    }

    @Test
    void randomMappingsHolesAndSplitsLandWhereAWalkFromMmapBaseSays() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        Random rnd = new Random(42);
        List<Long> mapped = new java.util.ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            int op = rnd.nextInt(10);
            if (op < 6 || mapped.isEmpty()) {
                long len = (1 + rnd.nextInt(4)) * PAGE;
                long want = expected(t.mm(), len);
                long got = k.syscalls().mmap(t, 0, len, Mman.PROT_READ, ANON).run();
                assertThat(got).as("mmap %d of %d bytes", i, len).isEqualTo(want);
                mapped.add(got);
            } else if (op < 9) {
                long a = mapped.remove(rnd.nextInt(mapped.size()));
                assertThat(k.syscalls().munmap(t, a, PAGE).run()).isZero();
            } else {
                long a = mapped.get(rnd.nextInt(mapped.size()));
                k.syscalls().mprotect(t, a, PAGE, Mman.PROT_NONE).run();
            }
        }
        assertThat(t.mm().mapCount()).isGreaterThan(500);
    }

    /** 20,000 mappings one below the other: each search starts where the last one ended. */
    @Test
    void mappingAfterMappingStaysCheap() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long last = 0;
        for (int i = 0; i < 20_000; i++) {
            last = k.syscalls().mmap(t, 0, PAGE, Mman.PROT_READ, ANON).run();
        }
        assertThat(last).isEqualTo(t.mm().mmapBase() - 20_000L * PAGE);
        assertThat(t.mm().coveredFrom()).isEqualTo(last + PAGE);
    }
}
