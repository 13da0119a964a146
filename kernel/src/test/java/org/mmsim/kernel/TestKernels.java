package org.mmsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Profiles;

/** Small machines and the system-call idioms the kernel tests share. */
public final class TestKernels {
    public static final long PAGE = PageTable.PAGE_SIZE;
    public static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    public static final int PRIVATE_ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;
    /** Frames in ZONE_NORMAL of a test machine: plenty for every test, cheap to scan. */
    public static final int FRAMES = 1 << 12;

    private TestKernels() {}

    /** Boot a small machine running the named profile from {@link Profiles}. */
    public static Kernel boot(String profileName) {
        return Kernel.boot(profile(profileName), FRAMES, 0);
    }

    /** Boot the named profile with {@code movable} frames of ZONE_MOVABLE besides {@link #FRAMES} of ZONE_NORMAL. */
    public static Kernel bootWithMovable(String profileName, int movable) {
        return Kernel.boot(profile(profileName), FRAMES, movable);
    }

    /** The named profile from {@link Profiles}; fails for an unknown name. */
    public static KernelProfile profile(String profileName) {
        KernelProfile profile = Profiles.byName(profileName);
        if (profile == null) {
            throw new IllegalArgumentException("no profile named " + profileName + "; known: " + Profiles.names());
        }
        return profile;
    }

    /** {@code mmap(NULL, pages * PAGE, prot, flags, f, 0)}, which must succeed. */
    public static long mmapFile(Kernel k, Task t, OpenFile f, int pages, int prot, int flags) {
        long addr = k.mmapFile(t, 0, pages * PAGE, prot, flags, f, 0);
        assertThat(addr).as("mmap of %d pages of %s", pages, f).isPositive();
        return addr;
    }

    /** {@code pwrite()} of one word, which must succeed. */
    public static void pwrite(Kernel k, OpenFile f, long pos, long value) {
        assertThat(k.pwrite(f, pos, value)).as("pwrite of %s at %d", f, pos).isEqualTo(8);
    }

    /** {@code pread()} of one word, which must succeed: the word. */
    public static long pread(Kernel k, OpenFile f, long pos) {
        FileRead r = k.pread(f, pos);
        assertThat(r.ret()).as("pread of %s at %d", f, pos).isEqualTo(8);
        return r.value();
    }

    /** {@code mmap(NULL, pages * PAGE, prot, MAP_PRIVATE|MAP_ANONYMOUS)}, which must succeed. */
    public static long mmapAnon(Kernel k, Task t, int pages, int prot) {
        long addr = k.mmap(t, 0, pages * PAGE, prot, PRIVATE_ANON);
        assertThat(addr).as("mmap of %d pages", pages).isPositive();
        return addr;
    }

    /** A store that must not fault. */
    public static void write(Kernel k, Task t, long addr, long value) {
        assertThat(k.store(t, addr, value)).as("store to %#x by %s", addr, t).isZero();
    }

    /** The names of the violations {@link Invariants#checkStep} reports now. */
    public static List<String> violatedInvariants(Kernel k) {
        return Invariants.checkStep(k).stream().map(v -> v.invariant()).toList();
    }
}
