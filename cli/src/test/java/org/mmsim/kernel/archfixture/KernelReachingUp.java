package org.mmsim.kernel.archfixture;

/** A deliberate layering violation (a kernel-package class using the CLI), for ArchitectureTest to catch. */
public final class KernelReachingUp {
    private KernelReachingUp() {}

    public static void callTheCli() {
        org.mmsim.cli.Main.main(new String[] {"kernels"});
    }
}
