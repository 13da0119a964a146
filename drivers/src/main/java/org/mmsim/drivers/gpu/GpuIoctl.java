package org.mmsim.drivers.gpu;

import org.mmsim.kernel.api.DriverCall;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * The ioctls of {@code /dev/gpu} on the file's BO. CREATE, MAP_OFFSET, READ and WRITE are one step; VALIDATE and EVICT
 * are a TTM move ({@code ttm_bo_validate} → {@code ttm_bo_handle_move_mem} / {@code ttm_bo_evict}), cut where the
 * kernel sleeps:
 *
 * <pre>
 *   ENTRY   (waits for bo-&gt;base.resv) reserve the BO; -EINVAL if it is pinned and must move. VALIDATE: if VRAM
 *           has no room, pick an unpinned victim BO in VRAM whose reservation is free (ttm_mem_evict_first's
 *           trylock) and move it to SYSTEM first; -ENOMEM if none
 *   UNMAP   ttm_bo_unmap_virtual → unmap_mapping_range(mapping, offset, size, 1... even_cows 0) of the BO moving,
 *           stepped: a point per VMA and per pte (it waits for each mm's pte lock)
 *           when it is done, in the same step: amdgpu_bo_move (a BO exported as a dma-buf: its importers'
 *           -&gt;move_notify), copy the words to the new frames (ttm_bo_move_memcpy), switch the placement; a victim
 *           is unreserved and ENTRY's search goes on; the BO itself is unreserved: 0
 * </pre>
 *
 * Errnos: CREATE -EINVAL (pages 0 or above {@link GpuDriver#MAX_BO_PAGES}, an unknown placement or flag), -EBUSY
 * (the file has a BO), -ENOMEM (no room in the placement; CREATE does not evict); the others -EINVAL without a BO
 * (READ/WRITE also for an offset outside it or not a modelled word); VALIDATE -ENOMEM when VRAM cannot be made to fit
 * it; EVICT -ENOMEM when system memory is full; VALIDATE and EVICT -EINVAL for a pinned BO that would move (pinned
 * through its dma-buf: {@link GpuPrime}).
 */
final class GpuIoctl extends DriverCall {
    private static final int ENTRY = 0;
    private static final int UNMAP = 1;

    private final GpuDriver driver;
    private final File file;
    private final int cmd;
    private final long[] args;
    /** During a move: the BO whose mappings are being zapped (the file's BO or a victim) and where it goes. */
    private Bo moving;
    private int dest;
    private KernelCall<Void> unmap;

    GpuIoctl(GpuDriver driver, File file, int cmd, long[] args) {
        super(driver.kernel(), name(cmd));
        this.driver = driver;
        this.file = file;
        this.cmd = cmd;
        this.args = args.clone();
    }

    private static String name(int cmd) {
        return switch (cmd) {
            case GpuDriver.GPU_CREATE -> "gpu_create";
            case GpuDriver.GPU_MAP_OFFSET -> "gpu_map_offset";
            case GpuDriver.GPU_VALIDATE -> "ttm_bo_validate";
            case GpuDriver.GPU_EVICT -> "ttm_bo_evict";
            case GpuDriver.GPU_READ -> "gpu_engine_read";
            default -> "gpu_engine_write";
        };
    }

    private Bo bo() {
        return file.privateData() instanceof Bo b ? b : null;
    }

    private Exports k() {
        return driver.kernel();
    }

    private boolean moves() {
        return cmd == GpuDriver.GPU_VALIDATE || cmd == GpuDriver.GPU_EVICT;
    }

    @Override
    public Acquire blockedOn() {
        Bo bo = bo();
        if (point0() == ENTRY) {
            boolean reserves = moves() || cmd == GpuDriver.GPU_READ || cmd == GpuDriver.GPU_WRITE;
            return reserves && bo != null ? bo.resv.acquire().blocked() : null;
        }
        return unmap.blockedOn();
    }

    @Override
    protected void advance() {
        if (point0() == UNMAP) {
            unmap.step();
            if (!unmap.done()) {
                stopAt(UNMAP, "unmap_mapping_range of bo %d", moving.id);
                return;
            }
            finishMove();
            if (moving == null) {
                return;
            }
            unmap = null;
            if (moving != bo()) {
                moving.resv.unlock();
                moving = null;
                validate();
            }
            return;
        }
        Bo bo = bo();
        switch (cmd) {
            case GpuDriver.GPU_CREATE -> create();
            case GpuDriver.GPU_MAP_OFFSET -> returns(bo == null ? -Errno.EINVAL : bo.pgoff << 12);
            case GpuDriver.GPU_READ, GpuDriver.GPU_WRITE -> engine(bo);
            default -> {
                if (bo == null) {
                    returns(-Errno.EINVAL);
                    return;
                }
                bo.resv.lock();
                if (cmd == GpuDriver.GPU_EVICT) {
                    startMove(bo, GpuDriver.SYSTEM);
                } else {
                    validate();
                }
            }
        }
    }

    /** {@code ttm_bo_validate} of the file's BO into VRAM, evicting ({@code ttm_mem_evict_first}) while needed. */
    private void validate() {
        Bo bo = bo();
        if (bo.placement == GpuDriver.VRAM) {
            bo.resv.unlock();
            returns(0);
            return;
        }
        if (bo.pinCount > 0) {
            bo.resv.unlock();
            returns(-Errno.EINVAL); // "Moving of pinned BOs is forbidden"
            return;
        }
        if (driver.findSpace(GpuDriver.VRAM, bo.pages) >= 0) {
            startMove(bo, GpuDriver.VRAM);
            return;
        }
        for (Bo victim : driver.gpu().bos.values()) {
            if (victim != bo && victim.placement == GpuDriver.VRAM && victim.pinCount == 0
                    && victim.resv.acquire().available()) {
                k().tracePath("ttm_mem_evict_first");
                victim.resv.lock();
                startMove(victim, GpuDriver.SYSTEM);
                return;
            }
        }
        bo.resv.unlock();
        returns(-Errno.ENOMEM);
    }

    /**
     * A move of {@code bo} to {@code to}, its reservation held: TTM refuses a pinned BO (-EINVAL); then
     * {@code ttm_bo_unmap_virtual} starts zapping every CPU mapping of the BO's offset range, and when that is done
     * the driver's move callback tells the importers of its dma-buf and copies ({@link GpuDriver#boMove}).
     */
    private void startMove(Bo bo, int to) {
        if (bo.placement == to) {
            bo.resv.unlock();
            returns(0);
            return;
        }
        if (bo.pinCount > 0) {
            bo.resv.unlock();
            returns(-Errno.EINVAL);
            return;
        }
        if (!driver.allocDest(bo, to)) {
            bo.resv.unlock();
            if (bo != bo()) {
                bo().resv.unlock();
            }
            returns(-Errno.ENOMEM);
            return;
        }
        k().tracePath("ttm_bo_unmap_virtual");
        moving = bo;
        dest = to;
        unmap = k().unmapMappingRange(driver.gpu().mapping, bo.pgoff << 12, (long) bo.pages << 12, false);
        stopAt(UNMAP, "unmap_mapping_range of bo %d", bo.id);
    }

    /** The driver's move ({@link GpuDriver#boMove}: its importers told, the words copied, the placement switched). */
    private void finishMove() {
        driver.boMove(moving, dest);
        if (moving == bo()) {
            moving.resv.unlock();
            moving = null;
            unmap = null;
            returns(0);
        }
    }

    /** {@code GPU_CREATE(pages, placement, flags)}: a BO in a free run of its placement, zeroed; its id. */
    private void create() {
        long pages = args.length > 0 ? args[0] : 0;
        long placement = args.length > 1 ? args[1] : -1;
        long flags = args.length > 2 ? args[2] : 0;
        if (pages <= 0 || pages > GpuDriver.MAX_BO_PAGES
                || (placement != GpuDriver.VRAM && placement != GpuDriver.SYSTEM)
                || (flags & ~(GpuDriver.GPU_CREATE_NOLOCK | GpuDriver.GPU_CREATE_GENERIC_ACCESS)) != 0) {
            returns(-Errno.EINVAL);
            return;
        }
        if (bo() != null) {
            returns(-Errno.EBUSY);
            return;
        }
        int first = driver.findSpace((int) placement, (int) pages);
        if (first < 0) {
            returns(-Errno.ENOMEM);
            return;
        }
        GpuDriver.Gpu gpu = driver.gpu();
        Bo bo = new Bo(gpu.nextId++, (int) pages, gpu.nextPgoff, (flags & GpuDriver.GPU_CREATE_NOLOCK) != 0,
                (flags & GpuDriver.GPU_CREATE_GENERIC_ACCESS) != 0, (int) placement, first);
        gpu.nextPgoff += pages;
        for (int i = 0; i < pages; i++) {
            k().deviceWrite(first + i, 0, 0);
            k().deviceWrite(first + i, 1, 0);
        }
        gpu.bos.put(bo.id, bo);
        file.setPrivateData(bo);
        returns(bo.id);
    }

    /** The engine's access to the BO through its placement, under the reservation (one step). */
    private void engine(Bo bo) {
        long off = args.length > 0 ? args[0] : -1;
        int word = GpuDriver.wordOf(off);
        if (bo == null || off < 0 || (off >>> 12) >= bo.pages || word < 0
                || (cmd == GpuDriver.GPU_WRITE && args.length < 2)) {
            returns(-Errno.EINVAL);
            return;
        }
        int pfn = bo.pfn(off >>> 12);
        if (cmd == GpuDriver.GPU_WRITE) {
            k().deviceWrite(pfn, word, args[1]);
            returns(0);
        } else {
            returns(k().deviceRead(pfn, word));
        }
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(file.id()).add(cmd).add(args.length);
        for (long a : args) {
            h.add(a);
        }
        h.add(moving == null ? 0 : moving.id).add(dest);
        if (unmap != null) {
            h.add(unmap.fingerprint());
        }
    }

    private GpuIoctl(GpuIoctl o, Copier c) {
        super(o, c);
        this.driver = c.copy(o.driver);
        this.file = c.copy(o.file);
        this.cmd = o.cmd;
        this.args = o.args.clone();
        this.moving = c.copy(o.moving);
        this.dest = o.dest;
        this.unmap = c.copy(o.unmap);
    }

    @Override
    public GpuIoctl copy(Copier c) {
        return new GpuIoctl(this, c);
    }
}
