package org.mmsim.kernel.mm.mmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.boot;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.syscall.Syscalls;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.InvariantsNotChecked;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code vm.max_map_count} (DEFAULT_MAX_MAP_COUNT, 65530): do_mmap refuses a new mapping once {@code map_count} is
 * above it ({@code if (mm->map_count > sysctl_max_map_count) return -ENOMEM}), and {@code split_vma} refuses a split
 * once it is reached, so munmap and mprotect inside a VMA fail with -ENOMEM, and madvise with -EAGAIN.
 */
@InvariantsNotChecked("65,000 VMAs: the per-call check would walk them all after every call")
class MaxMapCountTest {
    private static final int ANON_FIXED = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED;
    private static final long BASE = 0x1000_0000L;

    private Kernel k;
    private Syscalls sys;
    private Task t;

    @BeforeEach
    void fillToTheLimit() {
        k = boot("6.18");
        sys = k.syscalls();
        t = k.spawn("p");
        // two-page VMAs (the first of three) with a gap between them: the gaps keep them from merging, so the count
        // is the number of mappings
        for (int i = 0; i <= Mm.MAX_MAP_COUNT; i++) {
            assertThat(sys.mmap(t, BASE + 4L * i * PAGE, (i == 0 ? 3 : 2) * PAGE, Mman.PROT_READ, ANON_FIXED).run())
                    .isEqualTo(BASE + 4L * i * PAGE);
        }
        assertThat(t.mm().mapCount()).isEqualTo(Mm.MAX_MAP_COUNT + 1);
    }

    @Test
    void mmapAboveTheLimitIsEnomem() {
        assertThat(sys.mmap(t, 0, PAGE, Mman.PROT_READ, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS).run())
                .isEqualTo(-Errno.ENOMEM);
        assertThat(t.mm().mapCount()).isEqualTo(Mm.MAX_MAP_COUNT + 1);
    }

    @Test
    void aSplitAtTheLimitIsEnomemAndChangesNothing() {
        assertThat(sys.munmap(t, BASE + PAGE, PAGE).run()).as("a hole inside a VMA: one VMA more").isEqualTo(
                -Errno.ENOMEM);
        assertThat(t.mm().vmaAt(BASE + PAGE)).isNotNull();
        assertThat(sys.mprotect(t, BASE + 4 * PAGE, PAGE, Mman.PROT_NONE).run()).isEqualTo(-Errno.ENOMEM);
        assertThat(t.mm().vmaAt(BASE + 4 * PAGE).flags() & VmFlags.VM_READ).isNotZero();
        assertThat(sys.madvise(t, BASE + 8 * PAGE, PAGE, Mman.MADV_DONTFORK).run())
                .as("madvise_vma_behavior reports split_vma's -ENOMEM as -EAGAIN").isEqualTo(-Errno.EAGAIN);
        assertThat(sys.madvise(t, BASE + 8 * PAGE, PAGE, Mman.MADV_DOFORK).run())
                .as("nothing to change: no split needed").isZero();
        assertThat(t.mm().mapCount()).isEqualTo(Mm.MAX_MAP_COUNT + 1);
    }

    /** vms_gather_munmap_vmas checks the count only for a hole: cutting a VMA's head or tail off leaves as many. */
    @Test
    void munmapOfAHeadOrATailNeedsNoRoom() {
        assertThat(sys.munmap(t, BASE + 2 * PAGE, PAGE).run()).as("the tail of the first VMA").isZero();
        assertThat(sys.munmap(t, BASE + 4 * PAGE, PAGE).run()).as("the head of the second").isZero();
        assertThat(t.mm().mapCount()).isEqualTo(Mm.MAX_MAP_COUNT + 1);
        assertThat(sys.munmap(t, BASE + 8 * PAGE, 2 * PAGE).run()).as("a whole VMA").isZero();
        assertThat(sys.mprotect(t, BASE + 12 * PAGE, PAGE, Mman.PROT_NONE).run())
                .as("split_vma: map_count >= max_map_count still").isEqualTo(-Errno.ENOMEM);
        assertThat(sys.munmap(t, BASE + 16 * PAGE, 2 * PAGE).run()).isZero();
        assertThat(sys.mprotect(t, BASE + 12 * PAGE, PAGE, Mman.PROT_NONE).run())
                .as("two VMAs fewer: the split fits again").isZero();
    }
}
