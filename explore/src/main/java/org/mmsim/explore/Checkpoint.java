package org.mmsim.explore;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

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
 * {@link Model#identity} and thread count, the identity's named parts, and the reduction flag (a checkpoint is
 * refused by a search of another model, naming the first part that differs, or with other reduction), then the
 * fields in the order
 * {@link #write} writes them, big-endian, and last the CRC-32C of all that comes before it, as a long. The file is
 * written beside its final name and moved over it, so an interrupted write never leaves a torn checkpoint; a file
 * damaged later (a flipped bit, a copy cut short) is refused by its checksum before anything in it is believed, since
 * a damaged count or fingerprint would otherwise resume a search that ends with a wrong report and says nothing.
 */
final class Checkpoint {
    private static final long MAGIC = 0x4d4d53494d434b31L;
    /**
     * 2: fingerprints fold values with xxHash64's round (version 1's fingerprints do not match them). 3: tasks, fd
     * tables, VMAs, mms' fields and the allocator enter the fingerprint as one hash each. 4: so do the mm core's fields
     * and lengths, each mm's locks, page table and lengths, the VFS's, GUP's and the notifiers' lengths. 5: the
     * records of steps taken ahead follow the index ({@link #writeRecords}). 6: the model's identity in named parts
     * ({@link Model#identityParts}) follows its hash, so that a refusal can say what differs. 7: the file ends with
     * the CRC-32C of what comes before it ({@link #verify}).
     */
    private static final int VERSION = 7;
    /** The bytes of the checksum that ends the file. */
    private static final int TRAILER = Long.BYTES;
    /** The most identity parts, and the longest part in chars, that a checkpoint may hold (more: it is damaged). */
    private static final int MAX_PARTS = 4096;
    private static final int MAX_PART_CHARS = 1 << 23;
    /** The longest value a refusal quotes ({@link #difference}); a longer one is said to differ. */
    private static final int QUOTED = 60;

    private Checkpoint() {
    }

    /**
     * The identity's parts: their number, then each name and value, a value as its length and its chars (a program
     * may be longer than {@link DataOutput#writeUTF} takes).
     */
    private static void writeIdentityParts(DataOutput out, Map<String, String> parts) throws IOException {
        out.writeInt(parts.size());
        for (Map.Entry<String, String> e : parts.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().length());
            out.writeChars(e.getValue());
        }
    }

    private static Map<String, String> readIdentityParts(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_PARTS) {
            throw new StreamCorruptedException("it names " + n + " parts of its search's identity");
        }
        Map<String, String> parts = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            int length = in.readInt();
            if (length < 0 || length > MAX_PART_CHARS) {
                throw new StreamCorruptedException("its search's " + name + " is " + length + " chars long");
            }
            char[] value = new char[length];
            for (int c = 0; c < length; c++) {
                value[c] = in.readChar();
            }
            parts.put(name, new String(value));
        }
        return parts;
    }

    /**
     * What a checkpoint's search ({@code stored}) has that this one ({@code current}) has not, as the end of the
     * refusal: the first part of this search's identity that differs, quoted on both sides when both values are short
     * one-liners (": its kernel is 4.8, this search's is 4.9"), else only named (": its program differs from this
     * search's"); when no part differs, the initial state or the number of threads does (another build of mmsim).
     */
    static String difference(Map<String, String> stored, Map<String, String> current) {
        for (Map.Entry<String, String> e : current.entrySet()) {
            String name = e.getKey();
            String was = stored.get(name);
            String now = e.getValue();
            if (was == null) {
                return ": it has no " + name + "; this search's is " + (quotable(now) ? now : "set");
            }
            if (!was.equals(now)) {
                return quotable(was) && quotable(now) ? ": its " + name + " is " + was + ", this search's is " + now
                        : ": its " + name + " differs from this search's";
            }
        }
        for (String name : stored.keySet()) {
            if (!current.containsKey(name)) {
                return ": it has a " + name + " and this search has none";
            }
        }
        return ": the same identity, but another initial state or number of threads (written by another build of"
                + " mmsim?)";
    }

    private static boolean quotable(String value) {
        return !value.isEmpty() && value.length() <= QUOTED && value.indexOf('\n') < 0;
    }

    static <S> void write(Path file, BreadthFirst<S> b, long initialFingerprint) {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // moved over a device or a pipe, the checkpoint would take its place (a root user's /dev/null)
            throw new UncheckedIOException("cannot write checkpoint " + file + ": it is not a regular file, and the"
                    + " file written beside it would be moved over it", new IOException(file.toString()));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream raw = Files.newOutputStream(tmp)) {
            CRC32C crc = new CRC32C();
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(raw, crc),
                    1 << 16));
            out.writeLong(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(initialFingerprint);
            out.writeLong(b.identity());
            writeIdentityParts(out, b.identityParts());
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
            out.flush();
            DataOutputStream trailer = new DataOutputStream(raw);
            trailer.writeLong(crc.getValue());
            trailer.flush();
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
            verify(file);
            long fingerprint = in.readLong();
            long identity = in.readLong();
            Map<String, String> parts = readIdentityParts(in);
            if (fingerprint != initialFingerprint || identity != b.identity()) {
                throw new IllegalArgumentException(file + " is the checkpoint of another search"
                        + difference(parts, b.identityParts()));
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
        } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
            // a file whose checksum matches but whose contents no search wrote (made by hand, or by a broken writer)
            throw new IllegalArgumentException(file + " is damaged: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses {@code file} unless the CRC-32C of all it holds before its last {@value #TRAILER} bytes is what they
     * say, reading it once through before anything in it is believed.
     *
     * @throws StreamCorruptedException if it does not match, or the file is too short to hold a checksum
     */
    private static void verify(Path file) throws IOException {
        long size = Files.size(file);
        if (size < 2 * Long.BYTES + Integer.BYTES) {
            throw new StreamCorruptedException("it is too short to hold a checksum");
        }
        CRC32C crc = new CRC32C();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (long left = size - TRAILER; left > 0; ) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new EOFException();
                }
                crc.update(buffer, 0, n);
                left -= n;
            }
            if (new DataInputStream(in).readLong() != crc.getValue()) {
                throw new StreamCorruptedException("what it holds does not match its checksum (a bit changed, or the"
                        + " file was cut short or added to)");
            }
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
