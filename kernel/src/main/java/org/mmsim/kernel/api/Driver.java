package org.mmsim.kernel.api;

import org.mmsim.kernel.export.Export;

/**
 * A driver: code that is not the kernel's own and reaches it only through {@link Exports} (the EXPORT_SYMBOL list) and
 * the hooks it registers there ({@code file_operations}, {@code vm_operations_struct}). {@code Kernel.boot} initialises
 * every driver it is given, as {@code module_init} does, before any process runs.
 */
@Export
public interface Driver {

    /** The driver's name, e.g. {@code "mmio"}. */
    String name();

    /** {@code module_init}: register devices and state with the kernel. */
    void init(Exports kernel);
}
