package org.mmsim.cli;

import org.mmsim.report.KernelsReport;
import picocli.CommandLine.Command;

/** {@code mmsim kernels}: the profiles, their switches and the invariants. */
@Command(name = "kernels", mixinStandardHelpOptions = true,
        description = "List kernel profiles and every behaviour switch, with one line each.")
final class KernelsCommand extends Subcommand {

    @Override
    public Integer call() {
        stdout.print(KernelsReport.render());
        return Main.OK;
    }
}
