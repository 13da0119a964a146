package org.mmsim.scenario;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mmsim.kernel.profile.KernelProfile;

/** The bundled scenario library, read from the repository the tests run in (Maven runs them in scenario/). */
final class Library {
    static final Path ROOT = Path.of(System.getProperty("mmsim.root", "..")).toAbsolutePath().normalize();

    static final String B1 = "history/b1-dirty-cow.mms";
    static final String B7 = "history/b7-gup-fast-vs-fork.mms";

    /** The race-free concurrent scenarios: the bad outcome is never reachable, under any profile. */
    static final List<String> RACE_FREE = List.of(
            "races/race-free-cow-siblings.mms",
            "races/race-free-fork-vs-stores.mms",
            "races/race-free-gup-fast-vs-load.mms",
            "races/race-free-pin-vs-dontneed.mms",
            "races/race-free-proc-mem-read.mms",
            "races/race-free-ptrace-poke-ro.mms");

    private Library() {}

    /** The scenario at {@code path} under scenarios/. */
    static Scenario scenario(String path) throws ScenarioException {
        return ScenarioParser.parse(ROOT.resolve("scenarios").resolve(path));
    }

    /** {@code kernel} with the scenario's own {@code set} lines applied, as {@code mmsim check} resolves it. */
    static KernelProfile profile(Scenario s, String kernel) {
        return Checker.profile(s, kernel, Map.of());
    }
}
