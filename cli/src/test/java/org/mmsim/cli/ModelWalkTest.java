package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmsim.explore.Options;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.scenario.Checker;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.ScenarioModel;
import org.mmsim.scenario.ScenarioParser;

/** The walk of the model alone that {@code mmsim bench} sets beside the search. */
class ModelWalkTest {
    /**
     * Two threads load a page the process stored to first: either order reaches the same state (a register each), so
     * its four states are not a tree, and a search's sleep sets take only one of the two ways into the last one.
     */
    static final String TWO_LOADS = """
            scenario two-loads
            process P
            P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            P: store A 1
            thread T1 of P {
              r0 = load A
            }
            thread T2 of P {
              r0 = load A
            }
            exists (T1:r0 != 1)
            expect 6.18 never
            """;

    @TempDir
    Path tmp;

    @Test
    void aTreeIsWalkedStateByStateAsTheSearchFoundIt() throws Exception {
        // first touches allocate frames in the order of the stores, so every interleaving prefix is a state of its own
        Scenario s = parse("""
                scenario three-stores
                process P
                P: mmap A 12K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
                thread T1 of P {
                  store A 1
                  store A+4K 2
                }
                thread T2 of P {
                  store A+8K 3
                }
                exists ([P:A] != 1)
                expect 6.18 never
                """);
        long states = Checker.explore(s, Profiles.byName("6.18"), Options.defaults()).states();

        long walked = ModelWalk.walk(new ScenarioModel(s, Profiles.byName("6.18"), true), states);

        // the prefixes of the three interleavings of T1's two stores with T2's one: 1 + 2 + 3 + 3
        assertThat(states).isEqualTo(9);
        assertThat(walked).isEqualTo(states);
    }

    @Test
    void pathsThatMeetAreGivenUpOnPastTheSearchsStates() throws Exception {
        Scenario s = parse(TWO_LOADS);
        long states = Checker.explore(s, Profiles.byName("6.18"), Options.defaults()).states();

        assertThat(states).isEqualTo(4);
        assertThat(ModelWalk.walk(new ScenarioModel(s, Profiles.byName("6.18"), true), states)).isEqualTo(-1);
        // with room for the fifth state it reaches (the meeting one, twice) it walks on
        assertThat(ModelWalk.walk(new ScenarioModel(s, Profiles.byName("6.18"), true), 5)).isEqualTo(5);
    }

    private Scenario parse(String text) throws Exception {
        return ScenarioParser.parse(Files.writeString(tmp.resolve("s.mms"), text));
    }
}
