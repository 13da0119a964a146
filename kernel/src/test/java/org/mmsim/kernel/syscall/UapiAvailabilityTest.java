package org.mmsim.kernel.syscall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * System calls, advices and flags exist only from the kernel that added them: each profile answers as that kernel
 * would (the switches madv_free, madv_wipeonfork, madv_populate, map_shared_validate, map_fixed_noreplace,
 * process_vm, memfd_create).
 */
class UapiAvailabilityTest {

    /**
     * {@code madvise_behavior_valid()} knows MADV_FREE from 4.5 (854e9ed09ded), MADV_WIPEONFORK/KEEPONFORK from 4.14
     * (d2cd9ede6e19) and MADV_POPULATE_READ/WRITE from 5.14 (4ca9b3859dac); an advice it does not know is -EINVAL.
     */
    @ParameterizedTest(name = "{0}: FREE {1}, WIPEONFORK {2}, KEEPONFORK {2}, POPULATE {3}")
    @CsvSource({"2.6.27, -22, -22, -22", "4.8, 0, -22, -22", "4.9, 0, -22, -22", "5.7, 0, 0, -22", "5.11, 0, 0, -22",
            "5.19, 0, 0, 0", "6.18, 0, 0, 0"})
    void madviseKnowsAnAdviceFromTheKernelThatAddedIt(String profile, long free, long wipe, long populate) {
        Kernel k = boot(profile);
        Task t = k.spawn("p");
        long a = mmapAnon(k, t, 1, RW);
        write(k, t, a, 1);

        assertThat(k.syscalls().madvise(t, a, PAGE, Mman.MADV_FREE).run()).isEqualTo(free);
        assertThat(k.syscalls().madvise(t, a, PAGE, Mman.MADV_WIPEONFORK).run()).isEqualTo(wipe);
        assertThat(k.syscalls().madvise(t, a, PAGE, Mman.MADV_KEEPONFORK).run()).isEqualTo(wipe);
        assertThat(k.syscalls().madvise(t, a, PAGE, Mman.MADV_POPULATE_READ).run()).isEqualTo(populate);
        assertThat(k.syscalls().madvise(t, a, PAGE, Mman.MADV_POPULATE_WRITE).run()).isEqualTo(populate);
        assertThat(k.syscalls().madvise(t, a, PAGE, Mman.MADV_DONTNEED).run()).as("there all along").isZero();
    }

    /**
     * Before 4.15 (1c9725974074) do_mmap's map-type switch for a file has no case 3: MAP_SHARED_VALIDATE is -EINVAL;
     * from 4.15 it is MAP_SHARED that checks its flags. (Anonymous memory never takes it: -EINVAL in every kernel.)
     */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({"4.9, -22", "5.7, 1", "6.18, 1"})
    void mapSharedValidateOfAFileExistsFrom415(String profile, long expected) {
        Kernel k = boot(profile);
        Task p = k.spawn("p");
        int fd = creat(k, p, FsType.TMPFS, "f", PAGE);
        long r = k.syscalls().mmap(p, 0, PAGE, RW, Mman.MAP_SHARED_VALIDATE, fd, 0).run();
        assertThat(expected < 0 ? r : Long.signum(r)).isEqualTo(expected);
        assertThat(k.syscalls().mmap(p, 0, PAGE, RW, Mman.MAP_SHARED_VALIDATE | Mman.MAP_ANONYMOUS).run())
                .isEqualTo(-Errno.EINVAL);
    }

    /**
     * Before 4.17 (a4ff8e8620d3) MAP_FIXED_NOREPLACE is an unknown bit, ignored, so the address is a hint: over an
     * existing mapping the kernel places the new one elsewhere instead of failing with -EEXIST.
     */
    @Test
    void mapFixedNoreplaceIsOnlyAHintBefore417() {
        int flags = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED_NOREPLACE;
        Kernel old = boot("4.9");
        Task p = old.spawn("p");
        long a = mmapAnon(old, p, 1, RW);
        long r = old.syscalls().mmap(p, a, PAGE, RW, flags).run();
        assertThat(r).isPositive().isNotEqualTo(a);
        // placed by the top-down search right below the first page, the two anonymous pages merge into one VMA
        assertThat(p.mm().vmas()).singleElement().satisfies(v -> {
            assertThat(v.start()).isEqualTo(r);
            assertThat(v.end()).isEqualTo(a + PAGE);
        });

        Kernel k = boot("5.7");
        Task q = k.spawn("q");
        long b = mmapAnon(k, q, 1, RW);
        assertThat(k.syscalls().mmap(q, b, PAGE, RW, flags).run()).isEqualTo(-Errno.EEXIST);
    }

    /** process_vm_readv/writev came in 3.2 (fcf634098c00): -ENOSYS before, in any argument. */
    @Test
    void processVmIsEnosysBefore32() {
        Kernel old = boot("2.6.27");
        Task p = old.spawn("p");
        long a = mmapAnon(old, p, 1, RW);
        assertThat(old.syscalls().processVmReadv(p, p, a).complete().ret()).isEqualTo(-Errno.ENOSYS);
        assertThat(old.syscalls().processVmWritev(p, p, a, 5).complete().ret()).isEqualTo(-Errno.ENOSYS);

        Kernel k = boot("4.8");
        Task q = k.spawn("q");
        long b = mmapAnon(k, q, 1, RW);
        write(k, q, b, 7);
        assertThat(k.syscalls().processVmReadv(q, q, b).complete().value()).isEqualTo(7);
    }

    /** memfd_create came in 3.17 (9183df25fe7b): -ENOSYS before, and no fd is installed. */
    @Test
    void memfdCreateIsEnosysBefore317() {
        Kernel old = boot("2.6.27");
        Task p = old.spawn("p");
        assertThat(old.fileSyscalls().memfdCreate(p, "m", PAGE).run()).isEqualTo(-Errno.ENOSYS);
        assertThat(p.files().get(3)).isNull();

        Kernel k = boot("4.8");
        assertThat(k.fileSyscalls().memfdCreate(k.spawn("q"), "m", PAGE).run()).isEqualTo(3);
    }
}
