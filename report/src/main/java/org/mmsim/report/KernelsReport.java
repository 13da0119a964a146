package org.mmsim.report;

import org.mmsim.kernel.check.Invariant;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.scenario.Checker;

/** {@code mmsim kernels}: every profile, every switch with its values per profile, and the invariants. */
public final class KernelsReport {
    private KernelsReport() {}

    public static String render() {
        StringBuilder sb = new StringBuilder("Profiles\n");
        for (KernelProfile p : Profiles.all()) {
            sb.append(String.format("  %-6s %s%n", p.name(), p.summary()));
        }
        sb.append("\nSwitches (value under each profile, oldest first: ")
                .append(String.join(" ", Profiles.names())).append(")\n");
        for (Switch s : Switch.values()) {
            sb.append(String.format("  %-24s %s%n", s.key(), s.doc()));
            sb.append(String.format("  %-24s values: %s%n", "", String.join("|", s.choices())));
            StringBuilder per = new StringBuilder();
            for (KernelProfile p : Profiles.all()) {
                per.append(' ').append(p.name()).append('=').append(p.value(s));
            }
            sb.append(String.format("  %-24s%s%n", "", per));
        }
        sb.append("\nInvariants (checked after every step)\n");
        for (Invariant inv : Invariants.all()) {
            sb.append(String.format("  %-14s %s%n", inv.name(), inv.doc()));
        }
        Checker.otherInvariants().forEach((name, doc) ->
                sb.append(String.format("  %-14s %s%n", name, doc)));
        sb.append("\nOverride a switch with KERNEL[switch=value,...], 'set switch=value' in a scenario, "
                + "or --set switch=value.\n");
        return sb.toString();
    }
}
