package org.mmsim.kernel.profile;

/** Whether {@code mremap()} takes MREMAP_DONTUNMAP, and for which VMAs: its history. */
public enum MremapDontunmap {
    /** Before 5.7: an unknown flag, -EINVAL. */
    OFF,
    /**
     * 5.7 ({@code e346b3813067}, Brian Geffon, "mm/mremap: add MREMAP_DONTUNMAP to mremap()"): private anonymous
     * VMAs only, else -EINVAL.
     */
    ANON,
    /**
     * 5.13 ({@code a4609387859f}, Brian Geffon, "mm: extend MREMAP_DONTUNMAP to non-anonymous mappings"): any VMA but
     * a VM_DONTEXPAND or VM_PFNMAP one.
     */
    ANY
}
