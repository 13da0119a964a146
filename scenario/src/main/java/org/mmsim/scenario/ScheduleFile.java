package org.mmsim.scenario;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mmsim.kernel.profile.KernelProfile;

/**
 * A saved schedule: which scenario, under which kernel, and which thread ran at each step of its concurrent
 * part, by name. {@code mmsim explore} writes one per counterexample; {@code mmsim replay FILE} runs it again,
 * byte for byte. The format is line-oriented text (docs/explorer.md):
 *
 * <pre>
 *   # comments
 *   scenario PATH          the scenario file, as given to explore (relative to where it ran)
 *   kernel K               the kernel, with any [switch=value] overrides
 *   kind KIND              witness, violation or deadlock
 *   program HASH           what the scenario was when the schedule was made ({@link #program(Scenario)}); optional
 *   schedule T1 T2 ...     thread names, one per step
 * </pre>
 *
 * @param program the fingerprint of the scenario the schedule was made from, or null (a file written by hand, or
 *                before schedules had one)
 * @param threads the thread name at each step
 * @param line the line of the {@code schedule} entry (for error messages; 0 when not read from a file)
 */
public record ScheduleFile(String scenario, String kernel, String kind, String program, List<String> threads,
        int line) {

    /**
     * A fingerprint of what a run of {@code s} depends on besides the kernel: its {@link Scenario#identityParts} and its
     * {@code set} lines, as 16 hex digits (FNV-1a over the parts' names and values). {@code replay} compares it with
     * the scenario as it is now, and says so when the scenario has changed since the schedule was made: the steps
     * would then be the schedule's on another program.
     */
    public static String program(Scenario s) {
        long h = 0xcbf29ce484222325L;
        Map<String, String> parts = new LinkedHashMap<>(s.identityParts());
        parts.put("set", String.valueOf(new TreeMap<>(s.overrides())));
        for (Map.Entry<String, String> e : parts.entrySet()) {
            for (String text : List.of(e.getKey(), e.getValue())) {
                for (int i = 0; i < text.length(); i++) {
                    h = (h ^ text.charAt(i)) * 0x100000001b3L;
                }
                h = (h ^ 0xff) * 0x100000001b3L;
            }
        }
        return String.format("%016x", h);
    }

    /** The schedule of a search ({@code int[]} thread numbers) by thread names, found by replaying it. */
    public static List<String> names(Scenario s, KernelProfile profile, int[] schedule) throws ScenarioException {
        Runner r = Runner.start(s, profile, false);
        List<String> out = new ArrayList<>();
        for (int t : schedule) {
            out.add(r.threadName(t));
            r.stepThread(t);
        }
        return out;
    }

    /** The file's text. */
    public String text() {
        return "# mmsim schedule: ./mmsim replay FILE runs it again\n"
                + "scenario " + scenario + "\n"
                + "kernel " + kernel + "\n"
                + "kind " + kind + "\n"
                + (program == null ? "" : "program " + program + "\n")
                + "schedule " + String.join(" ", threads) + "\n";
    }

    /**
     * Parse a schedule file.
     *
     * @throws ScenarioException naming the file, line and reason for anything malformed
     */
    public static ScheduleFile parse(String file, String text) throws ScenarioException {
        String scenario = null;
        String kernel = null;
        String kind = "witness";
        String program = null;
        List<String> threads = null;
        int at = 0;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int sp = line.indexOf(' ');
            String key = sp < 0 ? line : line.substring(0, sp);
            String rest = sp < 0 ? "" : line.substring(sp + 1).strip();
            switch (key) {
                case "scenario" -> scenario = rest;
                case "kernel" -> kernel = rest;
                case "kind" -> kind = rest;
                case "program" -> program = rest;
                case "schedule" -> {
                    threads = rest.isEmpty() ? List.of() : Arrays.asList(rest.split("\\s+"));
                    at = i + 1;
                }
                default -> throw new ScenarioException(file, i + 1, 1, "unknown line '" + key
                        + "': expected scenario, kernel, kind, program or schedule");
            }
            if (!key.equals("schedule") && rest.isEmpty()) {
                throw new ScenarioException(file, i + 1, 1, "'" + key + "' needs a value");
            }
        }
        if (scenario == null || kernel == null || threads == null) {
            throw new ScenarioException(file, lines.length, 1, "a schedule file needs 'scenario', 'kernel' and "
                    + "'schedule' lines");
        }
        return new ScheduleFile(scenario, kernel, kind, program, List.copyOf(threads), at);
    }

    /**
     * Run the schedule on {@code s} under {@code profile}, with the journal on. A violation's or a deadlock's
     * schedule may stop before the scenario ends; the runner is then left where it stopped.
     *
     * @throws ScenarioException naming {@code file} if a step names a thread that does not exist or cannot run
     */
    public Runner replay(String file, Scenario s, KernelProfile profile) throws ScenarioException {
        Runner r = Runner.start(s, profile, true);
        for (int i = 0; i < threads.size(); i++) {
            String name = threads.get(i);
            int t = -1;
            for (int j = 0; j < r.threads(); j++) {
                if (r.threadName(j).equals(name)) {
                    t = j;
                }
            }
            if (t < 0 || (r.enabled() & (1 << t)) == 0) {
                throw new ScenarioException(file, line, 1, "schedule step " + (i + 1) + ": thread '" + name + "' "
                        + (t < 0 ? "is not running at that point" : "cannot run at that point (it waits for a lock)"));
            }
            try {
                r.stepThread(t);
            } catch (ScenarioError e) {
                throw e.cause();
            }
        }
        return r;
    }
}
