package org.mmsim.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by the commands that run scenarios: which kernels, and switch overrides. */
final class KernelOptions {
    @Option(names = {"-k", "--kernel"}, split = ",(?![^\\[]*\\])", splitSynopsisLabel = ",", paramLabel = "K",
            description = "Kernel profiles to run under (comma-separated), or 'all'. Default: those the "
                    + "scenario's expect lines name. A profile may carry overrides: 6.18[cow_reuse=mapcount].")
    List<String> kernels = new ArrayList<>();

    @Option(names = "--set", paramLabel = "SWITCH=VALUE",
            description = "Override a switch in every kernel run (see 'mmsim kernels'). Repeatable, once per "
                    + "switch.")
    List<String> sets = new ArrayList<>();

    Map<String, String> overrides() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : sets) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new Main.UsageError("--set takes SWITCH=VALUE, not '" + kv + "'");
            }
            String old = m.put(kv.substring(0, eq), kv.substring(eq + 1));
            if (old != null) {
                throw new Main.UsageError("--set " + kv.substring(0, eq) + " is given twice ('" + old + "' and '"
                        + kv.substring(eq + 1) + "')");
            }
        }
        return m;
    }
}
