package org.mmsim.kernel.profile;

import org.mmsim.kernel.export.Export;

/** Which file-backed VMAs io_uring itself refuses as fixed buffers, before GUP is asked. */
@Export
public enum IoUringFileCheck {
    /** 6.5+: no check of its own; GUP's {@code writable_file_mapping_allowed()} decides. */
    OFF,
    /**
     * 5.1 to 5.13: any VMA with a {@code vm_file} that is not hugetlbfs gets -EOPNOTSUPP, memfd and shmem included
     * ({@code io_sqe_buffer_register}: "don't support file backed memory").
     */
    ANY_FILE,
    /** 5.14 to 6.4: the same, except that shmem (memfd, {@code MAP_SHARED|MAP_ANONYMOUS}) is accepted. */
    EXCEPT_SHMEM
}
