package org.mmsim.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Both cores and resumable searches change nothing a report says: a search expanded by several workers, and a search
 * stopped by a budget, checkpointed and resumed, end with exactly the report of one uninterrupted single-threaded
 * search (states, transitions, executions, outcomes, deadlocks, every shortest schedule), with and without reduction.
 */
class WorkersAndCheckpointsTest {
    @Provide
    Arbitrary<Programs> programs() {
        return Programs.arbitrary(5);
    }

    @Property(tries = 200)
    void workersGiveTheSingleThreadedReport(@ForAll("programs") Programs model, @ForAll boolean reduction,
            @ForAll @IntRange(min = 2, max = 4) int workers) {
        Options opts = Options.defaults().withReduction(reduction);
        Report one = new BreadthFirst<>(model, opts, 1).run();
        Report many = new BreadthFirst<>(model, opts.withWorkers(workers), 1).run();

        assertThat(ReportSummary.of(many)).isEqualTo(ReportSummary.of(one));
    }

    @Property(tries = 50)
    void theParallelLevelOfTheOptionsSendsEveryLevelToTheWorkers(@ForAll("programs") Programs model) {
        // through Explorer, as the command line reaches it: narrow levels stay on the search's own thread by default
        Report one = Explorer.exhaustive(model, Options.defaults());
        Report many = Explorer.exhaustive(model, Options.defaults().withWorkers(2).withParallelLevel(1));

        assertThat(ReportSummary.of(many)).isEqualTo(ReportSummary.of(one));
    }

    @org.junit.jupiter.api.Test
    void aParallelLevelBelowOneIsRefused() {
        assertThat(Options.defaults().parallelLevel()).isEqualTo(BreadthFirst.PARALLEL_LEVEL);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Options.defaults().withParallelLevel(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("parallelLevel must be at least 1: 0");
    }

    @Property(tries = 100)
    void workersStopWhereTheSingleThreadedSearchStops(@ForAll("programs") Programs model,
            @ForAll @IntRange(min = 1, max = 40) int maxStates) {
        Options opts = Options.defaults().withMaxStates(maxStates);
        Report one = new BreadthFirst<>(model, opts, 1).run();
        Report many = new BreadthFirst<>(model, opts.withWorkers(3), 1).run();

        assertThat(ReportSummary.of(many)).isEqualTo(ReportSummary.of(one));
    }

    @Property(tries = 150)
    void aResumedSearchEndsAsAnUninterruptedOne(@ForAll("programs") Programs model, @ForAll boolean reduction,
            @ForAll @IntRange(min = 1, max = 60) int stopAfter, @ForAll @IntRange(min = 1, max = 2) int workers)
            throws IOException {
        Options opts = Options.defaults().withReduction(reduction);
        Report whole = new BreadthFirst<>(model, opts, 1).run();
        Path file = Files.createTempFile("mmsim", ".ckpt");
        try {
            Report stopped = new BreadthFirst<>(model, opts.withMaxStates(stopAfter).withCheckpoint(file), 1).run();
            if (stopped.complete()) {
                assertThat(ReportSummary.of(stopped)).isEqualTo(ReportSummary.of(whole));
                return;
            }
            Report resumed = new BreadthFirst<>(model, opts.withResume(file).withWorkers(workers), 1).run();
            assertThat(ReportSummary.of(resumed)).isEqualTo(ReportSummary.of(whole));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Property(tries = 30)
    void aSearchResumedTwiceEndsAsAnUninterruptedOne(@ForAll @IntRange(min = 2, max = 200) int first,
            @ForAll @IntRange(min = 1, max = 200) int more) throws IOException {
        Counters model = new Counters(3, 3, c -> c[0] == 2 && c[1] == 1 ? List.of("bad: 2 and 1") : List.of());
        Options opts = Options.defaults();
        Report whole = new BreadthFirst<>(model, opts, 1).run();
        Path a = Files.createTempFile("mmsim", ".ckpt");
        Path b = Files.createTempFile("mmsim", ".ckpt");
        try {
            Report r = new BreadthFirst<>(model, opts.withMaxStates(first).withCheckpoint(a), 1).run();
            if (!r.complete()) {
                r = new BreadthFirst<>(model, opts.withResume(a).withMaxStates(first + more).withCheckpoint(b), 1)
                        .run();
                if (!r.complete()) {
                    r = new BreadthFirst<>(model, opts.withResume(b), 1).run();
                }
            }
            assertThat(ReportSummary.of(r)).isEqualTo(ReportSummary.of(whole));
        } finally {
            Files.deleteIfExists(a);
            Files.deleteIfExists(b);
        }
    }

    @Property(tries = 5)
    void aCheckpointOfAnotherModelIsRefused(@ForAll @IntRange(min = 2, max = 20) int stopAfter) throws IOException {
        Path file = Files.createTempFile("mmsim", ".ckpt");
        try {
            new BreadthFirst<>(new Counters(3, 3), Options.defaults().withMaxStates(stopAfter).withCheckpoint(file), 1)
                    .run();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BreadthFirst<>(new Counters(2, 5),
                    Options.defaults().withResume(file), 1).run())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another search");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A refused checkpoint names the first part of its search's identity that differs from the resuming search's. */
    @org.junit.jupiter.api.Test
    void aRefusalSaysWhatDiffers() {
        Map<String, String> written = new LinkedHashMap<>();
        written.put("scenario", "b1-dirty-cow");
        written.put("program", "P: store A 1\nP: fork C");
        written.put("kernel", "4.8");
        Map<String, String> kernel = new LinkedHashMap<>(written);
        kernel.put("kernel", "4.8[cow_reuse=page_count]");
        assertThat(Checkpoint.difference(written, kernel))
                .isEqualTo(": its kernel is 4.8, this search's is 4.8[cow_reuse=page_count]");
        Map<String, String> both = new LinkedHashMap<>(kernel);
        both.put("scenario", "b7-gup-fast-vs-fork");
        assertThat(Checkpoint.difference(written, both))
                .isEqualTo(": its scenario is b1-dirty-cow, this search's is b7-gup-fast-vs-fork");
        Map<String, String> program = new LinkedHashMap<>(written);
        program.put("program", "P: store A 2\nP: fork C");
        assertThat(Checkpoint.difference(written, program)).isEqualTo(": its program differs from this search's");
        Map<String, String> newSwitch = new LinkedHashMap<>(written);
        newSwitch.put("zap_delay_rmap", "on");
        assertThat(Checkpoint.difference(written, newSwitch))
                .isEqualTo(": it has no zap_delay_rmap; this search's is on");
        assertThat(Checkpoint.difference(newSwitch, written))
                .isEqualTo(": it has a zap_delay_rmap and this search has none");
        assertThat(Checkpoint.difference(written, written))
                .startsWith(": the same identity, but another initial state");
    }

    @org.junit.jupiter.api.Test
    void aCheckpointWithDamagedIdentityPartsIsRefusedAsSuch() throws IOException {
        // the number of identity parts, big-endian after the magic, the format, the fingerprint and the identity hash:
        // refused by the checksum, and by the count's own check in a file whose checksum was made to match
        assertRefusedOnceDamaged(bytes -> bytes[28] = 0x7f, "is damaged: what it holds does not match its checksum");
        assertRefusedOnceDamaged(bytes -> {
            bytes[28] = 0x7f;
            matchChecksum(bytes);
        }, "is damaged: it names 2130706433 parts");
    }

    /**
     * Every bit of a checkpoint counts: a search that resumes from one with any single bit flipped refuses it, where
     * before the checksum a flipped count or fingerprint could resume into a report that differed without a word.
     */
    @org.junit.jupiter.api.Test
    void aCheckpointWithAnyBitFlippedIsRefused() throws IOException {
        Path file = Files.createTempFile("mmsim", ".ckpt");
        try {
            new BreadthFirst<>(new Counters(3, 3), Options.defaults().withMaxStates(5).withCheckpoint(file), 1).run();
            byte[] whole = Files.readAllBytes(file);
            for (int bit = 0; bit < 8 * whole.length; bit += 7) {
                byte[] bytes = whole.clone();
                bytes[bit / 8] ^= (byte) (1 << (bit % 8));
                Files.write(file, bytes);
                var refusal = org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BreadthFirst<>(
                        new Counters(3, 3), Options.defaults().withResume(file), 1).run()).as("bit %d", bit)
                        .isInstanceOf(IllegalArgumentException.class);
                if (bit >= 12 * 8) {
                    refusal.hasMessageContaining("is damaged: what it holds does not match its checksum");
                }
            }
            byte[] shorter = java.util.Arrays.copyOf(whole, whole.length - 3);
            Files.write(file, shorter);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BreadthFirst<>(new Counters(3, 3),
                    Options.defaults().withResume(file), 1).run()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("does not match its checksum");
            Files.write(file, whole);
            Report resumed = new BreadthFirst<>(new Counters(3, 3), Options.defaults().withResume(file), 1).run();
            Report uninterrupted = new BreadthFirst<>(new Counters(3, 3), Options.defaults(), 1).run();
            assertThat(ReportSummary.of(resumed)).isEqualTo(ReportSummary.of(uninterrupted));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A checkpoint is written beside its name and moved over it, so its name must not be anything but a regular file:
     * moved over a device it would take the device's place (a root user's {@code /dev/null}, in a scratch run). Tried
     * here on a directory, which the move would not replace either way.
     */
    @org.junit.jupiter.api.Test
    void aCheckpointIsNotMovedOverAnythingButARegularFile() throws IOException {
        Path dir = Files.createTempDirectory("mmsim-ckpt");
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BreadthFirst<>(new Counters(3, 3),
                    Options.defaults().withMaxStates(5).withCheckpoint(dir), 1).run())
                    .isInstanceOf(java.io.UncheckedIOException.class)
                    .hasMessage("cannot write checkpoint " + dir + ": it is not a regular file, and the file written"
                            + " beside it would be moved over it");
            assertThat(dir).isDirectory();
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    /** The checkpoint {@code bytes} with its checksum made to match what it now holds. */
    private static void matchChecksum(byte[] bytes) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        java.nio.ByteBuffer.wrap(bytes, bytes.length - 8, 8).putLong(crc.getValue());
    }

    @org.junit.jupiter.api.Test
    void aCheckpointOfAnotherFormatIsRefusedAsSuch() throws IOException {
        // the format version, big-endian after the 8-byte magic: format 1's fingerprints differ
        assertRefusedOnceDamaged(bytes -> bytes[11] = 1, "checkpoint of format 1, written by another version of mmsim");
    }

    @org.junit.jupiter.api.Test
    void aCheckpointWithADamagedRecordIsRefusedAsSuch() throws IOException {
        // the last state's record: the index of its tree and its node's offset, the eight bytes before the checksum
        assertRefusedOnceDamaged(bytes -> {
            for (int i = bytes.length - 16; i < bytes.length - 8; i++) {
                bytes[i] = (byte) (i % 4 == bytes.length % 4 ? 0x7f : 0xff);
            }
            matchChecksum(bytes);
        }, "is damaged: state", "of record 2147483647");
    }

    /**
     * A checkpoint of a stopped search of three counters to three, changed by {@code damage}, is refused by a search
     * that would resume from it, with a message that says each of {@code messages}.
     */
    private static void assertRefusedOnceDamaged(java.util.function.Consumer<byte[]> damage, String... messages)
            throws IOException {
        Path file = Files.createTempFile("mmsim", ".ckpt");
        try {
            new BreadthFirst<>(new Counters(3, 3), Options.defaults().withMaxStates(5).withCheckpoint(file), 1).run();
            byte[] bytes = Files.readAllBytes(file);
            damage.accept(bytes);
            Files.write(file, bytes);
            var refusal = org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BreadthFirst<>(
                    new Counters(3, 3), Options.defaults().withResume(file), 1).run())
                    .isInstanceOf(IllegalArgumentException.class);
            for (String m : messages) {
                refusal.hasMessageContaining(m);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Everything a report says but the time it took. */
}
