package org.mmsim.scenario;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.mmap.Mremap;
import org.mmsim.kernel.mm.mmap.Msync;
import org.mmsim.kernel.uapi.DmaBufUapi;
import org.mmsim.kernel.uapi.Fcntl;
import org.mmsim.kernel.uapi.Mman;

/** The flag names a scenario may write, per argument kind, with the kernel's values. */
final class FlagNames {
    static final Map<String, Integer> PROT = new LinkedHashMap<>();
    static final Map<String, Integer> MAP = new LinkedHashMap<>();
    static final Map<String, Integer> MADV = new LinkedHashMap<>();
    static final Map<String, Integer> FOLL = new LinkedHashMap<>();
    static final Map<String, Integer> OPEN = new LinkedHashMap<>();
    static final Map<String, Integer> MS = new LinkedHashMap<>();
    static final Map<String, Integer> MREMAP = new LinkedHashMap<>();
    static final Map<String, Integer> MLOCK = new LinkedHashMap<>();
    static final Map<String, Integer> MCL = new LinkedHashMap<>();
    static final Map<String, Integer> DMA_BUF_SYNC = new LinkedHashMap<>();

    static {
        PROT.put("PROT_NONE", Mman.PROT_NONE);
        PROT.put("PROT_READ", Mman.PROT_READ);
        PROT.put("PROT_WRITE", Mman.PROT_WRITE);
        PROT.put("PROT_EXEC", Mman.PROT_EXEC);
        MAP.put("MAP_SHARED", Mman.MAP_SHARED);
        MAP.put("MAP_PRIVATE", Mman.MAP_PRIVATE);
        MAP.put("MAP_SHARED_VALIDATE", Mman.MAP_SHARED_VALIDATE);
        MAP.put("MAP_ANONYMOUS", Mman.MAP_ANONYMOUS);
        MAP.put("MAP_ANON", Mman.MAP_ANONYMOUS);
        MAP.put("MAP_FIXED", Mman.MAP_FIXED);
        MAP.put("MAP_FIXED_NOREPLACE", Mman.MAP_FIXED_NOREPLACE);
        MAP.put("MAP_LOCKED", Mman.MAP_LOCKED);
        MAP.put("MAP_NORESERVE", Mman.MAP_NORESERVE);
        MAP.put("MAP_POPULATE", Mman.MAP_POPULATE);
        MADV.put("MADV_DONTNEED", Mman.MADV_DONTNEED);
        MADV.put("MADV_DONTFORK", Mman.MADV_DONTFORK);
        MADV.put("MADV_DOFORK", Mman.MADV_DOFORK);
        MADV.put("MADV_FREE", Mman.MADV_FREE);
        MADV.put("MADV_WIPEONFORK", Mman.MADV_WIPEONFORK);
        MADV.put("MADV_KEEPONFORK", Mman.MADV_KEEPONFORK);
        MADV.put("MADV_POPULATE_READ", Mman.MADV_POPULATE_READ);
        MADV.put("MADV_POPULATE_WRITE", Mman.MADV_POPULATE_WRITE);
        FOLL.put("FOLL_WRITE", Foll.FOLL_WRITE);
        FOLL.put("FOLL_FORCE", Foll.FOLL_FORCE);
        FOLL.put("FOLL_LONGTERM", Foll.FOLL_LONGTERM);
        FOLL.put("FOLL_NOFAULT", Foll.FOLL_NOFAULT);
        OPEN.put("O_RDONLY", Fcntl.O_RDONLY);
        OPEN.put("O_RDWR", Fcntl.O_RDWR);
        MLOCK.put("MLOCK_ONFAULT", Mman.MLOCK_ONFAULT);
        MCL.put("MCL_CURRENT", Mman.MCL_CURRENT);
        MCL.put("MCL_FUTURE", Mman.MCL_FUTURE);
        MCL.put("MCL_ONFAULT", Mman.MCL_ONFAULT);
        MS.put("MS_ASYNC", Msync.MS_ASYNC);
        MS.put("MS_INVALIDATE", Msync.MS_INVALIDATE);
        MS.put("MS_SYNC", Msync.MS_SYNC);
        MREMAP.put("MREMAP_MAYMOVE", Mremap.MREMAP_MAYMOVE);
        MREMAP.put("MREMAP_FIXED", Mremap.MREMAP_FIXED);
        MREMAP.put("MREMAP_DONTUNMAP", Mremap.MREMAP_DONTUNMAP);
        DMA_BUF_SYNC.put("DMA_BUF_SYNC_READ", DmaBufUapi.DMA_BUF_SYNC_READ);
        DMA_BUF_SYNC.put("DMA_BUF_SYNC_WRITE", DmaBufUapi.DMA_BUF_SYNC_WRITE);
        DMA_BUF_SYNC.put("DMA_BUF_SYNC_RW", DmaBufUapi.DMA_BUF_SYNC_RW);
        DMA_BUF_SYNC.put("DMA_BUF_SYNC_START", DmaBufUapi.DMA_BUF_SYNC_START);
        DMA_BUF_SYNC.put("DMA_BUF_SYNC_END", DmaBufUapi.DMA_BUF_SYNC_END);
    }

    private FlagNames() {}

    static Map<String, Integer> table(String kind) {
        return switch (kind) {
            case "PROT" -> PROT;
            case "MAP" -> MAP;
            case "MADV" -> MADV;
            case "FOLL" -> FOLL;
            case "O" -> OPEN;
            case "MS" -> MS;
            case "MREMAP" -> MREMAP;
            case "MLOCK" -> MLOCK;
            case "MCL" -> MCL;
            case "DMA_BUF_SYNC" -> DMA_BUF_SYNC;
            default -> null;
        };
    }
}
