package org.mmsim.kernel.fs;

import java.util.Locale;
import org.mmsim.kernel.export.Export;

/**
 * The two kinds of filesystem the model has, told apart by the properties that matter to memory management:
 * <ul>
 *   <li>{@link #TMPFS}: shmem (mm/shmem.c), also behind {@code memfd_create()} and {@code MAP_SHARED|MAP_ANONYMOUS}.
 *       Its pages are swap-backed, it has no {@code ->page_mkwrite} and no writeback
 *       ({@code mapping_can_writeback()} is false), so shared writable mappings are mapped writable at once and
 *       may be pinned long-term for writing;</li>
 *   <li>{@link #EXT4}: a block filesystem with writeback and {@code ext4_page_mkwrite()}. Clean pages of a shared
 *       mapping are mapped read-only ({@code vma_wants_writenotify()}), the first write goes through
 *       {@code page_mkwrite}, and writeback write-protects again ({@code folio_mkclean()}). Since 6.5 GUP refuses
 *       writable long-term pins of such mappings ({@code writable_file_mapping_allowed()}).</li>
 * </ul>
 */
@Export
public enum FsType {
    TMPFS(false, false),
    EXT4(true, true);

    private final boolean writeback;
    private final boolean pageMkwrite;

    FsType(boolean writeback, boolean pageMkwrite) {
        this.writeback = writeback;
        this.pageMkwrite = pageMkwrite;
    }

    /** {@code mapping_can_writeback()}: dirty pages are written to a backing device. */
    public boolean canWriteback() {
        return writeback;
    }

    /** Whether {@code vm_ops->page_mkwrite} exists: the filesystem wants to hear of the first write to a page. */
    public boolean hasPageMkwrite() {
        return pageMkwrite;
    }

    /** {@code shmem_mapping()}. */
    public boolean isShmem() {
        return this == TMPFS;
    }

    /** The name as written in scenarios: {@code tmpfs}, {@code ext4}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The filesystem called {@code key}, or null. */
    public static FsType byKey(String key) {
        for (FsType t : values()) {
            if (t.key().equals(key)) {
                return t;
            }
        }
        return null;
    }
}
