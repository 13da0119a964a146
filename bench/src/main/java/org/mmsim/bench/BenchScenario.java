package org.mmsim.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.ScenarioException;
import org.mmsim.scenario.ScenarioParser;

/** The scenario a benchmark runs, by the path its {@code scenario} parameter gives (from the repository root). */
final class BenchScenario {
    private BenchScenario() {}

    /** The scenario at {@code path}; a benchmark run from elsewhere is told where it looked. */
    static Scenario parse(String path) throws ScenarioException {
        Path file = Path.of(path);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no scenario at " + file.toAbsolutePath()
                    + ": run from the repository root or pass -p scenario=PATH");
        }
        return ScenarioParser.parse(file);
    }
}
