package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Two machines with the same fingerprint are the same state to the explorer, which keeps one of them: their futures
 * must be the same. Over the states of every bundled concurrent scenario under every kernel it expects (the first
 * {@value #STATES} of each, breadth first), each arrival at a state, by every transition, is checked one step ahead:
 * the same threads enabled, the same end, and each thread's step to the same fingerprint. A state that two
 * interleavings reach with a difference the fingerprint leaves out fails here, where in a search it would make the
 * result depend on which interleaving got there first, and so, with workers, on timing.
 */
class FingerprintSoundnessTest {
    private static final int STATES = 2_000;

    @Test
    void statesWithOneFingerprintHaveOneFuture() throws IOException, ScenarioException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Library.ROOT.resolve("scenarios"))) {
            files = s.filter(p -> p.toString().endsWith(".mms")).sorted().toList();
        }
        List<String> unsound = new ArrayList<>();
        int checked = 0;
        for (Path f : files) {
            Scenario s = ScenarioParser.parse(f);
            if (!ScenarioModel.concurrent(s)) {
                continue;
            }
            Set<String> kernels = new LinkedHashSet<>();
            s.expectations().forEach(e -> kernels.add(e.kernel()));
            for (String k : kernels) {
                String found = firstUnsound(new ScenarioModel(s, Library.profile(s, k), true));
                checked++;
                if (found != null) {
                    unsound.add(Library.ROOT.relativize(f) + " under " + k + ": " + found);
                }
            }
        }
        assertThat(checked).isGreaterThan(250);
        assertThat(unsound).isEmpty();
    }

    /** The first state two transitions reach with different futures, described, or null. */
    private static String firstUnsound(ScenarioModel m) {
        Map<Long, String> future = new HashMap<>();
        Map<Long, String> reachedBy = new HashMap<>();
        ArrayDeque<Runner> queue = new ArrayDeque<>();
        ArrayDeque<String> schedules = new ArrayDeque<>();
        Runner initial = m.initial();
        future.put(m.fingerprint(initial), future(m, initial));
        queue.add(initial);
        schedules.add("");
        while (!queue.isEmpty() && future.size() < STATES) {
            Runner r = queue.poll();
            String schedule = schedules.poll();
            if (m.done(r)) {
                continue;
            }
            for (int t = 0, enabled = m.enabled(r); t < m.threads(); t++) {
                if ((enabled & (1 << t)) == 0) {
                    continue;
                }
                Runner child = m.copy(r);
                m.step(child, t);
                long fp = m.fingerprint(child);
                String next = future(m, child);
                String known = future.putIfAbsent(fp, next);
                if (known == null) {
                    reachedBy.put(fp, schedule + t);
                    queue.add(child);
                    schedules.add(schedule + t);
                } else if (!known.equals(next)) {
                    return "schedules " + reachedBy.get(fp) + " and " + schedule + t + " reach fingerprint "
                            + Long.toHexString(fp) + " with different next steps: " + known + " against " + next;
                }
            }
        }
        return null;
    }

    /** What one step from {@code state} gives: the threads enabled, whether it ended, and each step's fingerprint. */
    private static String future(ScenarioModel m, Runner state) {
        StringBuilder b = new StringBuilder();
        int enabled = m.enabled(state);
        b.append(Integer.toBinaryString(enabled)).append(m.done(state) ? " done" : "").append(':');
        for (int t = 0; t < m.threads(); t++) {
            if ((enabled & (1 << t)) != 0) {
                Runner next = m.copy(state);
                m.step(next, t);
                b.append(' ').append(t).append('=').append(Long.toHexString(m.fingerprint(next)));
            }
        }
        return b.toString();
    }
}
