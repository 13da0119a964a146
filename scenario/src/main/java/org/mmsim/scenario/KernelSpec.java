package org.mmsim.scenario;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.profile.Switch;

/**
 * Kernel names as scenarios and the command line write them: a profile name, optionally with switch overrides
 * in brackets, e.g. {@code 6.18} or {@code 6.18[cow_reuse=mapcount,fork_copy_pinned=off]}.
 */
public final class KernelSpec {
    private KernelSpec() {}

    /**
     * Resolve {@code spec} with {@code overrides} (switch key to value) applied on top.
     *
     * @throws IllegalArgumentException with a one-line reason naming the unknown profile, switch or value
     */
    public static KernelProfile resolve(String spec, Map<String, String> overrides) {
        return resolve(spec, Map.of(), overrides);
    }

    /**
     * Resolve {@code spec} in three layers, the later winning: the named profile with {@code before} applied (a
     * scenario's {@code set} lines), then the spec's own bracketed settings, then {@code after} (the command
     * line's {@code --set}).
     *
     * @throws IllegalArgumentException with a one-line reason naming the unknown profile, switch or value
     */
    public static KernelProfile resolve(String spec, Map<String, String> before, Map<String, String> after) {
        String base = spec;
        String bracket = null;
        int lb = spec.indexOf('[');
        if (lb >= 0) {
            if (!spec.endsWith("]")) {
                throw new IllegalArgumentException("kernel '" + spec + "': missing ']'");
            }
            base = spec.substring(0, lb);
            bracket = spec.substring(lb + 1, spec.length() - 1);
        }
        KernelProfile p = Profiles.byName(base);
        if (p == null) {
            throw new IllegalArgumentException("unknown kernel profile '" + base + "' (known: "
                    + String.join(", ", Profiles.names()) + ")");
        }
        for (Map.Entry<String, String> e : before.entrySet()) {
            p = apply(p, e.getKey() + "=" + e.getValue());
        }
        if (bracket != null) {
            Set<String> given = new HashSet<>();
            for (String kv : bracket.split(",")) {
                p = apply(p, kv);
                String key = kv.substring(0, kv.indexOf('='));
                if (!given.add(key)) {
                    throw new IllegalArgumentException("kernel '" + spec + "': switch " + key + " is set twice");
                }
            }
        }
        for (Map.Entry<String, String> e : after.entrySet()) {
            p = apply(p, e.getKey() + "=" + e.getValue());
        }
        return p;
    }

    /** Apply one {@code key=value}. */
    public static KernelProfile apply(KernelProfile p, String keyValue) {
        int eq = keyValue.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("switch setting '" + keyValue + "' must be KEY=VALUE");
        }
        Switch s = Switch.byKey(keyValue.substring(0, eq));
        if (s == null) {
            throw new IllegalArgumentException("unknown switch '" + keyValue.substring(0, eq)
                    + "' (see 'mmsim kernels')");
        }
        return p.with(s, keyValue.substring(eq + 1));
    }
}
