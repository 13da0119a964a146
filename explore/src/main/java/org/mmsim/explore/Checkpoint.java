package org.mmsim.explore;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stopped exhaustive search, saved so that it can go on ({@link Options#checkpoint}, {@link Options#resume}):
 * the visited set, the trace, both live levels with the index of the one being built, the counts, the findings, and
 * where the merge stopped (level, state, child), and the records of steps taken ahead that the levels' states hold.
 * Model states are not saved: an open state of the two levels is expanded from its record when its turn comes, or
 * rebuilt by replaying its schedule, which the model's determinism makes the same state. A resumed search therefore
 * merges exactly the children the uninterrupted one would have merged next, and ends with its report (only the
 * elapsed time differs).
 *
 * <p>Format: the magic {@code MMSIMCK1}, a format version, the initial state's fingerprint, a hash of the model's
 * {@link Model#identity} and thread count, and the reduction flag (a checkpoint is refused by a search of another
 * model or with other reduction), then the fields in the order
 * {@link #write} writes them, big-endian. The file is written beside its final name and moved over it, so an
 * interrupted write never leaves a torn checkpoint.
 */
final class Checkpoint {
    private static final long MAGIC = 0x4d4d53494d434b31L;
    /**
     * 2: fingerprints fold values with xxHash64's round (version 1's fingerprints do not match them). 3: tasks, fd
     * tables, VMAs, mms' fields and the allocator enter the fingerprint as one hash each. 4: so do the mm core's fields
     * and lengths, each mm's locks, page table and lengths, the VFS's, GUP's and the notifiers' lengths. 5: the
     * records of steps taken ahead follow the index ({@link #writeRecords}).
     */
    private static final int VERSION = 5;

    private Checkpoint() {
    }

    static <S> void write(Path file, BreadthFirst<S> b, long initialFingerprint) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(
                new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
            out.writeLong(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(initialFingerprint);
            out.writeLong(b.identity());
            out.writeBoolean(b.reductionOn());
            out.writeLong(b.transitions);
            out.writeLong(b.executions);
            out.writeLong(b.positive);
            out.writeLong(b.negative);
            out.writeLong(b.finalStates);
            out.writeLong(b.positiveFinalStates);
            out.writeLong(b.deadlocks);
            out.writeInt(b.depth);
            out.writeInt(b.level);
            out.writeInt(b.cursor);
            out.writeInt(b.applied);
            out.writeBoolean(b.partial);
            writeSchedule(out, b.findings.witness);
            writeSchedule(out, b.findings.counterWitness);
            writeSchedule(out, b.findings.deadlock);
            out.writeInt(b.findings.violations.size());
            for (Map.Entry<String, int[]> e : b.findings.violations.entrySet()) {
                out.writeUTF(e.getKey());
                writeSchedule(out, e.getValue());
            }
            b.visited.write(out);
            b.trace.write(out);
            b.current.write(out);
            b.next.write(out);
            b.index.write(out);
            writeRecords(out, b.current, b.next);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads {@code file} into a fresh search.
     *
     * @throws IllegalArgumentException if the file is not a checkpoint, or one of another model or reduction
     */
    static <S> void read(Path file, BreadthFirst<S> b, long initialFingerprint) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readLong() != MAGIC) {
                throw new IllegalArgumentException(file + " is not an mmsim checkpoint");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException(file + " is a checkpoint of format " + version + ", written by"
                        + " another version of mmsim; this one reads format " + VERSION + " (start the search again)");
            }
            if (in.readLong() != initialFingerprint || in.readLong() != b.identity()) {
                throw new IllegalArgumentException(file + " is the checkpoint of another search (another scenario,"
                        + " kernel or switch setting)");
            }
            if (in.readBoolean() != b.reductionOn()) {
                throw new IllegalArgumentException(file + " was written by a search with reduction "
                        + (b.reductionOn() ? "off" : "on"));
            }
            b.transitions = in.readLong();
            b.executions = in.readLong();
            b.positive = in.readLong();
            b.negative = in.readLong();
            b.finalStates = in.readLong();
            b.positiveFinalStates = in.readLong();
            b.deadlocks = in.readLong();
            b.depth = in.readInt();
            b.level = in.readInt();
            b.cursor = in.readInt();
            b.applied = in.readInt();
            b.partial = in.readBoolean();
            b.findings.witness = readSchedule(in);
            b.findings.counterWitness = readSchedule(in);
            b.findings.deadlock = readSchedule(in);
            int violations = in.readInt();
            for (int i = 0; i < violations; i++) {
                b.findings.putViolation(in.readUTF(), readSchedule(in));
            }
            b.visited.read(in);
            b.trace.read(in);
            b.current.read(in);
            b.next.read(in);
            b.index.read(in);
            readRecords(in, b.current, b.next);
        } catch (EOFException e) {
            throw new IllegalArgumentException(file + " is cut short: not a whole checkpoint", e);
        } catch (StreamCorruptedException e) {
            throw new IllegalArgumentException(file + " is damaged: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The records of steps taken ahead that the states of {@code levels} hold ({@link Lookahead}): each tree once
     * (the two levels hold nodes of the same trees), then by state the index of its tree (-1: none) and its node's
     * offset. Without them a resumed search would take again the steps of every state recorded but not yet filed,
     * in a search shaped like a tree most of what it had done.
     */
    private static void writeRecords(DataOutput out, Level<?>... levels) throws IOException {
        Map<Lookahead, Integer> ids = new IdentityHashMap<>();
        List<Lookahead> trees = new ArrayList<>();
        for (Level<?> level : levels) {
            for (int i = 0; i < level.size(); i++) {
                Lookahead root = level.recordRoot(i);
                if (root != null && ids.putIfAbsent(root, trees.size()) == null) {
                    trees.add(root);
                }
            }
        }
        out.writeInt(trees.size());
        for (Lookahead tree : trees) {
            tree.writeTree(out);
        }
        for (Level<?> level : levels) {
            for (int i = 0; i < level.size(); i++) {
                Lookahead root = level.recordRoot(i);
                out.writeInt(root == null ? -1 : ids.get(root));
                out.writeInt(root == null ? 0 : level.recordAt(i));
            }
        }
    }

    /** Attaches to the states of {@code levels}, read already, the records {@link #writeRecords} wrote. */
    private static void readRecords(DataInput in, Level<?>... levels) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new StreamCorruptedException("a negative number of records: " + n);
        }
        Lookahead[] trees = new Lookahead[n];
        for (int t = 0; t < n; t++) {
            trees[t] = Lookahead.readTree(in);
        }
        for (Level<?> level : levels) {
            for (int i = 0; i < level.size(); i++) {
                int tree = in.readInt();
                int at = in.readInt();
                if (tree >= n || tree < -1 || tree >= 0 && !trees[tree].inTree(at)) {
                    throw new StreamCorruptedException("state " + i + " of a level names node " + at + " of record "
                            + tree + " of " + n);
                }
                if (tree >= 0) {
                    Lookahead record = trees[tree].node(at);
                    level.lookahead(i, record, record.bytes());
                }
            }
        }
    }

    private static void writeSchedule(DataOutput out, int[] schedule) throws IOException {
        if (schedule == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(schedule.length);
        for (int t : schedule) {
            out.writeByte(t);
        }
    }

    private static int[] readSchedule(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = in.readByte();
        }
        return s;
    }
}
