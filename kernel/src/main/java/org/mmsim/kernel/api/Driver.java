package org.mmsim.kernel.api;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.state.Copier;

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

    /**
     * The same driver in a copy of the machine (the explorer copies machines as values): a new instance,
     * {@link #init initialised} with the copy's {@code kernel}, that {@link Copier#pair pairs} each of its operation
     * tables with this instance's (so that copied files and VMAs use the copy's) and carries a copy of this instance's
     * state.
     */
    Driver copy(Exports kernel, Copier c);

    /**
     * Called on the copy {@link #copy} made, once the copied machine's own state (VFS, mms, tasks, GUP arrays) has
     * been copied: copy here the state that refers to kernel objects ({@code c.copy} of a file, an mm or a pages
     * array then returns the copy's), where {@link #copy} could not yet, because the VFS pairs its tables after the
     * drivers. Nothing by default.
     */
    default void copyState(Driver original, Copier c) {}
}
