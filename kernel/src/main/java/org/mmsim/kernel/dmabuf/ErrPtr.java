package org.mmsim.kernel.dmabuf;

import org.mmsim.kernel.export.Export;

/**
 * A result the kernel returns as a pointer that may be {@code ERR_PTR(-errno)} (include/linux/err.h): an object that
 * carries its error, for {@code IS_ERR} and {@code PTR_ERR}.
 */
@Export
public interface ErrPtr {
    /** {@code PTR_ERR(p)}: the negative errno, 0 for a real object. */
    int err();

    /** {@code IS_ERR(p)}. */
    default boolean isErr() {
        return err() != 0;
    }
}
