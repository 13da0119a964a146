package org.mmsim.cli;

import java.util.concurrent.Callable;
import org.mmsim.report.KernelsReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code mmsim kernels}: the profiles, their switches and the invariants. */
@Command(name = "kernels", mixinStandardHelpOptions = true, description = "List kernel profiles and every behaviour switch, with one line each.")
final class KernelsCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(KernelsReport.render());
        return Main.OK;
    }
}
