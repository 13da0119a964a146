package org.mmsim.drivers.dmirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.FRAMES;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.load;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.open;
import static org.mmsim.kernel.testing.TestKernels.profile;
import static org.mmsim.kernel.testing.TestKernels.violatedInvariants;
import static org.mmsim.kernel.testing.TestKernels.write;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/**
 * The coherent devices of {@code hmm_dmirror} (units 2 and 3, 6.0+): migration to and from their memory
 * (migrate_vma_*), the pages' refcounts and their return to the device's free list, snapshots, and long-term pins
 * that move them back to system RAM.
 */
class DmirrorCoherentTest {
    private final Kernel k = TestKernels.boot(profile("6.18"), FRAMES, 0, List.of(new DmirrorDriver()));
    private final Task t = k.spawn("p");
    private final int fd = open(k, t, "/dev/" + DmirrorDriver.deviceName(2), Fcntl.O_RDWR);

    private long ioctl(int cmd, long addr, long npages) {
        return k.fileSyscalls().ioctl(t, fd, cmd, addr, npages).run();
    }

    private long toDevice(long addr, long npages) {
        return ioctl(DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_DEV, addr, npages);
    }

    private int pfn(long addr) {
        return Pte.pfn(t.mm().pte(addr));
    }

    /** A new private anonymous page holding {@code value}, migrated to unit 2: its address. */
    private long migratedPage(long value) {
        long a = mmapAnon(k, t, 1, Mman.PROT_READ | Mman.PROT_WRITE);
        write(k, t, a, value);
        assertThat(toDevice(a, 1)).isEqualTo(1);
        return a;
    }

    @Test
    void aMigratedPageIsTheDevicesMappedByAPresentPteWithItsDataAndOneReference() {
        long a = mmapAnon(k, t, 2, Mman.PROT_READ | Mman.PROT_WRITE);
        write(k, t, a, 0x11);
        write(k, t, a + PAGE, 0x12);
        int ram = pfn(a);
        int free = k.pageAlloc().nrAllocated();

        assertThat(toDevice(a, 2)).isEqualTo(2);

        int dev = pfn(a);
        assertThat(k.pageAlloc().isDeviceCoherent(dev)).isTrue();
        assertThat(Pte.present(t.mm().pte(a))).isTrue();
        assertThat(Pte.write(t.mm().pte(a))).isTrue();
        assertThat(k.frames().refcount(dev)).isEqualTo(1);
        assertThat(k.frames().mapcount(dev)).isEqualTo(1);
        assertThat(k.frames().test(dev, PageFlags.PG_ANON)).isTrue();
        assertThat(k.frames().test(dev, PageFlags.PG_LRU)).isFalse();
        assertThat(k.frames().refcount(ram)).isZero();
        assertThat(k.pageAlloc().nrAllocated()).isEqualTo(free - 2);
        assertThat(load(k, t, a)).isEqualTo(0x11);
        assertThat(load(k, t, a + PAGE)).isEqualTo(0x12);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void aHoleOfAnAnonymousVmaBecomesAZeroedDevicePage() {
        long a = mmapAnon(k, t, 1, Mman.PROT_READ | Mman.PROT_WRITE);
        assertThat(toDevice(a, 1)).isEqualTo(1);
        assertThat(k.pageAlloc().isDeviceCoherent(pfn(a))).isTrue();
        assertThat(load(k, t, a)).isZero();
        assertThat(t.mm().rssAnon()).isEqualTo(1);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void munmapGivesTheDevicePageBackToTheDevice() {
        long a = migratedPage(0x21);
        int dev = pfn(a);
        assertThat(k.syscalls().munmap(t, a, PAGE).run()).isZero();
        assertThat(k.frames().refcount(dev)).isZero();
        assertThat(k.frames().flags(dev)).isZero();
        // the page is the device's again: the next migration takes it off the free list first
        long b = mmapAnon(k, t, 1, Mman.PROT_READ | Mman.PROT_WRITE);
        assertThat(toDevice(b, 1)).isEqualTo(1);
        assertThat(pfn(b)).isEqualTo(dev);
        assertThat(Invariants.checkStep(k)).isEmpty();
    }

    @Test
    void aPinnedPageStaysInSystemRamAndTheMigrationReportsItMissing() {
        long a = mmapAnon(k, t, 1, Mman.PROT_READ | Mman.PROT_WRITE);
        write(k, t, a, 0x31);
        int ram = pfn(a);
        GupPages g = k.exports().pinUserPages(t.mm(), a, 1, Foll.FOLL_WRITE);
        assertThat(g.nr()).isEqualTo(1);
        assertThat(toDevice(a, 1)).isEqualTo(-Errno.ENOENT);
        assertThat(pfn(a)).isEqualTo(ram);
        k.exports().unpinUserPages(g);
        assertThat(toDevice(a, 1)).isEqualTo(1);
        assertThat(pfn(a)).isNotEqualTo(ram);
    }

    @Test
    void migrateToSystemBringsTheDataBackAndErasesTheMirrorsEntry() {
        long a = migratedPage(0x41);
        int dev = pfn(a);
        assertThat(ioctl(DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_SYS, a, 1)).isEqualTo(1);
        assertThat(k.pageAlloc().isDeviceCoherent(pfn(a))).isFalse();
        assertThat(k.frames().test(pfn(a), PageFlags.PG_LRU)).isTrue();
        assertThat(k.frames().refcount(dev)).isZero();
        assertThat(load(k, t, a)).isEqualTo(0x41);
        assertThat(ioctl(DmirrorDriver.HMM_DMIRROR_SNAPSHOT, a, 1)).isEqualTo(DmirrorDriver.PROT_WRITE);
        // nothing of this device's is left there: a second migration back moves nothing
        assertThat(ioctl(DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_SYS, a, 1)).isZero();
    }

    @Test
    void aLongTermPinMigratesTheDevicePageToSystemRamFirst() {
        long a = migratedPage(0x51);
        int dev = pfn(a);
        GupPages g = k.exports().pinUserPages(t.mm(), a, 1, Foll.FOLL_WRITE | Foll.FOLL_LONGTERM);
        assertThat(g.nr()).isEqualTo(1);
        assertThat(g.pfn(0)).isNotEqualTo(dev).isEqualTo(pfn(a));
        assertThat(k.pageAlloc().isDeviceCoherent(g.pfn(0))).isFalse();
        assertThat(k.frames().refcount(dev)).isZero();
        assertThat(load(k, t, a)).isEqualTo(0x51);
        k.exports().unpinUserPages(g);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void snapshotReportsErrorNoneZeroReadWriteAndCoherentWithoutFaulting() {
        long a = mmapAnon(k, t, 4, Mman.PROT_READ | Mman.PROT_WRITE);
        assertThat(k.syscalls().mprotect(t, a + PAGE, PAGE, Mman.PROT_READ).run()).isZero();
        load(k, t, a + PAGE);                       // the zero page, read-only
        write(k, t, a + 2 * PAGE, 1);
        assertThat(toDevice(a + 3 * PAGE, 1)).isEqualTo(1);
        long s = ioctl(DmirrorDriver.HMM_DMIRROR_SNAPSHOT, a, 4);
        assertThat(s).isEqualTo(0x42021100L);   // page 0 NONE, 1 ZERO|READ, 2 WRITE, 3 COHERENT_LOCAL|WRITE
        assertThat(t.mm().pte(a)).isZero();          // nothing was faulted in
        assertThat(ioctl(DmirrorDriver.HMM_DMIRROR_SNAPSHOT, a + 4 * PAGE, 1)).isEqualTo(DmirrorDriver.PROT_ERROR);
        assertThat(ioctl(DmirrorDriver.HMM_DMIRROR_SNAPSHOT, a, 8)).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void theIoctlsCheckTheirArgumentsAsTestHmmDoes() {
        long a = mmapAnon(k, t, 1, Mman.PROT_READ | Mman.PROT_WRITE);
        assertThat(toDevice(a + 8, 1)).isEqualTo(-Errno.EINVAL);
        assertThat(toDevice(a, 0)).isEqualTo(-Errno.EINVAL);
        assertThat(toDevice(a + PAGE, 1)).isEqualTo(-Errno.EINVAL);   // no VMA
        long n = mmapAnon(k, t, 1, Mman.PROT_NONE);
        assertThat(toDevice(n, 1)).isEqualTo(-Errno.EINVAL);          // not VM_READ
        int plain = open(k, t, "/dev/" + DmirrorDriver.deviceName(0), Fcntl.O_RDWR);
        assertThat(k.fileSyscalls().ioctl(t, plain, DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_DEV, a, 1).run())
                .isEqualTo(-Errno.EOPNOTSUPP);
    }

    @Test
    void theDeviceRunsOutOfPagesAfterItsSixteen() {
        long a = mmapAnon(k, t, DmirrorDriver.COHERENT_PAGES + 1, Mman.PROT_READ | Mman.PROT_WRITE);
        assertThat(toDevice(a, DmirrorDriver.COHERENT_PAGES + 1)).isEqualTo(-Errno.ENOENT);
        long moved = 0;
        for (int i = 0; i <= DmirrorDriver.COHERENT_PAGES; i++) {
            moved += k.pageAlloc().isDeviceCoherent(pfn(a + (long) i * PAGE)) ? 1 : 0;
        }
        assertThat(moved).isEqualTo(DmirrorDriver.COHERENT_PAGES);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void beforeSixZeroTheCoherentDevicesDoNotExist() {
        Kernel old = TestKernels.boot(profile("5.19"), FRAMES, 0, List.of(new DmirrorDriver()));
        Task p = old.spawn("p");
        assertThat(old.fileSyscalls().open(p, "/dev/" + DmirrorDriver.deviceName(2), Fcntl.O_RDWR).run())
                .isEqualTo(-Errno.ENOENT);
    }

    @Test
    void aCopyOfTheMachineHasItsOwnDevicePagesAndFreeList() {
        long a = mmapAnon(k, t, 2, Mman.PROT_READ | Mman.PROT_WRITE);
        write(k, t, a, 0x61);
        assertThat(toDevice(a, 1)).isEqualTo(1);
        Kernel copy = k.copy();
        Task ct = copy.tasks().byPid(t.pid());
        // the copy's migration takes its own free page; the original's free list is untouched
        assertThat(copy.fileSyscalls().ioctl(ct, fd, DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_DEV, a + PAGE, 1).run())
                .isEqualTo(1);
        assertThat(Pte.pfn(ct.mm().pte(a + PAGE))).isNotEqualTo(Pte.pfn(t.mm().pte(a)));
        assertThat(t.mm().pte(a + PAGE)).isZero();
        assertThat(copy.syscalls().munmap(ct, a, 2 * PAGE).run()).isZero();
        assertThat(load(k, t, a)).isEqualTo(0x61);
        assertThat(toDevice(a + PAGE, 1)).isEqualTo(1);
        assertThat(violatedInvariants(k)).isEmpty();
        assertThat(violatedInvariants(copy)).isEmpty();
        assertThat(copy.fingerprint()).isNotEqualTo(k.fingerprint());
    }

    @Test
    void aGupReferenceKeepsTheOldDevicePageAliveAfterItMigratesBack() {
        long a = migratedPage(0x71);
        int dev = pfn(a);
        GupPages g = k.exports().getUserPages(t.mm(), a, 1, Foll.FOLL_WRITE);
        assertThat(g.pfn(0)).isEqualTo(dev);
        // one reference beyond the mapping's: a ZONE_DEVICE page may have it and still move
        assertThat(ioctl(DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_SYS, a, 1)).isEqualTo(1);
        assertThat(pfn(a)).isNotEqualTo(dev);
        assertThat(k.frames().refcount(dev)).isEqualTo(1);
        assertThat(violatedInvariants(k)).isEmpty();
        k.exports().putPages(g);
        assertThat(k.frames().refcount(dev)).isZero();
        // it is the device's again: the next migration takes it first
        assertThat(toDevice(a, 1)).isEqualTo(1);
        assertThat(pfn(a)).isEqualTo(dev);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    /**
     * A forked child opens a mirror of unit 2 and reads {@code a}, a page migrated there holding {@code value},
     * through it: that mirror, whose table now maps the shared device page.
     */
    private DmirrorDriver.Dmirror migratedAndMirroredInAChild(long a, long value) {
        Task c = TestKernels.fork(k, t, "c");
        int cfd = open(k, c, "/dev/" + DmirrorDriver.deviceName(2), Fcntl.O_RDWR);
        assertThat(k.fileSyscalls().ioctl(c, cfd, DmirrorDriver.HMM_DMIRROR_READ, a, 1).run()).isEqualTo(value);
        DmirrorDriver.Dmirror child = (DmirrorDriver.Dmirror) TestKernels.file(c, cfd).privateData();
        assertThat(child.pt).containsKey(a);
        return child;
    }

    @Test
    void aForkedChildsMirrorOnTheSameDeviceLosesItsEntryWhenTheParentMovesThePage() {
        long a = migratedPage(0x81);
        DmirrorDriver.Dmirror child = migratedAndMirroredInAChild(a, 0x81);
        // the child's mapping is unmapped by try_to_migrate (MMU_NOTIFY_CLEAR), which its mirror must obey even though
        // its device is the one migrating
        assertThat(ioctl(DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_SYS, a, 1)).isEqualTo(1);
        assertThat(child.pt).doesNotContainKey(a);
        assertThat(Pte.pfn(child.mm.pte(a))).isEqualTo(pfn(a));
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void aLongTermPinFailsWithEbusyWhenACoherentPageCannotMoveAndMovesNothingElse() {
        long a = mmapAnon(k, t, 2, Mman.PROT_READ | Mman.PROT_WRITE);
        write(k, t, a, 0x91);
        write(k, t, a + PAGE, 0x92);
        assertThat(toDevice(a, 2)).isEqualTo(2);
        int dev0 = pfn(a);
        int dev1 = pfn(a + PAGE);
        GupPages g1 = k.exports().getUserPages(t.mm(), a, 1, 0);
        GupPages g2 = k.exports().getUserPages(t.mm(), a, 1, 0);
        GupPages pin = k.exports().pinUserPages(t.mm(), a, 2, Foll.FOLL_WRITE | Foll.FOLL_LONGTERM);
        assertThat(pin.ret()).isEqualTo(-Errno.EBUSY);
        assertThat(pfn(a)).isEqualTo(dev0);
        assertThat(pfn(a + PAGE)).isEqualTo(dev1);
        k.exports().putPages(g1);
        k.exports().putPages(g2);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void aPageThatStaysIsStillUnmappedFromAnotherMmFirstSoItsMirrorsForgetIt() {
        long a = migratedPage(0xa1);
        DmirrorDriver.Dmirror child = migratedAndMirroredInAChild(a, 0xa1);
        GupPages g1 = k.exports().getUserPages(t.mm(), a, 1, 0);
        GupPages g2 = k.exports().getUserPages(t.mm(), a, 1, 0);
        int dev = pfn(a);
        // two references beyond the mappings': the page stays, but try_to_migrate unmapped the child's first
        assertThat(ioctl(DmirrorDriver.HMM_DMIRROR_MIGRATE_TO_SYS, a, 1)).isZero();
        assertThat(pfn(a)).isEqualTo(dev);
        assertThat(child.pt).doesNotContainKey(a);
        k.exports().putPages(g1);
        k.exports().putPages(g2);
        assertThat(violatedInvariants(k)).isEmpty();
    }

    @Test
    void aUnitWhoseMemoryCannotBeMappedFailsItsOpenWithEnomem() {
        Kernel full = TestKernels.boot(profile("6.18"), FRAMES, 0, List.of(new DmirrorDriver()));
        // the device region used up, as other drivers' reservations could
        while (full.exports().reserveDeviceMemory(1, false) >= 0) {
            continue;
        }
        Task p = full.spawn("p");
        assertThat(full.fileSyscalls().open(p, "/dev/" + DmirrorDriver.deviceName(2), Fcntl.O_RDWR).run())
                .isEqualTo(-Errno.ENOMEM);
        assertThat(full.fileSyscalls().open(p, "/dev/" + DmirrorDriver.deviceName(0), Fcntl.O_RDWR).run())
                .isNotNegative();
    }
}
