package org.mmsim.kernel.state;

import org.mmsim.kernel.export.Export;

/**
 * A running 64-bit hash of a sequence of values, for {@code Kernel.fingerprint()}, {@code KernelCall.fingerprint()}
 * and the explorer's fingerprint of a scenario run. The values are dealt round-robin to four lanes, and each is folded
 * into its lane with xxHash64's accumulator round ({@link #round}); {@link #value} folds the four lanes and the count
 * of values with murmur3's {@code fmix64} finaliser over {@code h * φ + v} (φ the 64-bit golden ratio, odd), which
 * spreads every bit. For a fixed running hash a step is a bijection of the value, and for a fixed value a bijection
 * of the running hash, so a change to any one value, or a swap of two, changes the result but for chance collisions.
 *
 * <p>Why four lanes and a light round: a fingerprint is a chain of a few dozen values (25 on the explorer's benchmark
 * state), and each round must wait for the one before it in its lane; four independent chains let the processor run
 * four rounds at once, and a round of one multiplication on its critical path (the finaliser has two, and three
 * shifts) makes each chain short. On the benchmark state, when its fingerprint was still 122 values, it took 0.70 of
 * the time it took with the finaliser per value.
 *
 * <p>The hash depends only on the sequence of values, never on object identity, {@code hashCode()} or
 * iteration order of hashed collections: callers feed it in a canonical order and say how long each
 * variable-length part is, so that no two different sequences of structures feed the same values.
 */
@Export
public final class StateHasher {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long SEED = 0x6D6D73696D2D6670L;
    /** xxHash64's primes 1 and 2. */
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    /**
     * The first of two lanes for a strong hash of a short record of fixed length ({@link #step}, {@link #join}); the
     * second starts at {@code LANE + 1}.
     */
    public static final long LANE = SEED;

    private long h0 = SEED;
    private long h1 = SEED + 1;
    private long h2 = SEED + 2;
    private long h3 = SEED + 3;
    /** How many values were folded in: which lane the next one goes to. */
    private int n;

    /** Fold in one value. */
    public StateHasher add(long v) {
        switch (n++ & 3) {
            case 0 -> h0 = round(h0, v);
            case 1 -> h1 = round(h1, v);
            case 2 -> h2 = round(h2, v);
            default -> h3 = round(h3, v);
        }
        return this;
    }

    /**
     * One lane's step: xxHash64's accumulator round, {@code rotl(h + v * P2, 31) * P1}. Each of its parts is a
     * bijection (multiplication by an odd constant, addition, rotation), so for a fixed lane it is one of the value
     * and for a fixed value one of the lane; its critical path is an add, a rotation and one multiplication, where a
     * full finaliser per value would be five dependent operations more.
     */
    private static long round(long h, long v) {
        return Long.rotateLeft(h + v * P2, 31) * P1;
    }

    /**
     * Fold in a record hashed by hand in two lanes ({@link #step}): both lanes, as two values. The hasher's rounds mix
     * them as they mix any value, so the record needs no finaliser of its own ({@link #join}, which a term of a sum of
     * hashes does need).
     */
    public StateHasher add(long laneA, long laneB) {
        return add(laneA).add(laneB);
    }

    public StateHasher add(boolean b) {
        return add(b ? 1 : 0);
    }

    /**
     * Fold in a string by its length and characters, four 16-bit characters per value (with the length first, the
     * packing is one-to-one); null is distinct from every string.
     */
    public StateHasher add(String s) {
        if (s == null) {
            return add(-1);
        }
        add(s.length());
        for (int i = 0; i < s.length(); i += 4) {
            add(chars(s, i));
        }
        return this;
    }

    /** Characters {@code i} to {@code i + 3} of {@code s} (fewer at its end), 16 bits each, in one value. */
    private static long chars(String s, int i) {
        long packed = 0;
        for (int j = i; j < Math.min(s.length(), i + 4); j++) {
            packed = (packed << 16) | s.charAt(j);
        }
        return packed;
    }

    /** The hash of everything added so far. */
    public long value() {
        long h = fmix64(h0 * GOLDEN + h1);
        h = fmix64(h * GOLDEN + h2);
        h = fmix64(h * GOLDEN + h3);
        return fmix64(h * GOLDEN + n);
    }

    /**
     * A strong hash of the pair ({@code a}, {@code b}), for sums of per-entry hashes kept incrementally: two rounds
     * and the finaliser, which spreads every bit as a term of a sum must.
     */
    public static long mix(long a, long b) {
        return fmix64(round(round(SEED, a), b));
    }

    /** Fold {@code v} into lane {@code h} (one round), for a record hashed by hand in two lanes. */
    public static long step(long h, long v) {
        return round(h, v);
    }

    /** Two lanes of a record hashed by hand, joined and spread by the finaliser: a term fit for a sum of hashes. */
    public static long join(long a, long b) {
        return fmix64(a * GOLDEN + b);
    }

    /** Two ints in one value, one-to-one: for records hashed by hand ({@link #step}). */
    public static long pack(int hi, int lo) {
        return ((long) hi << 32) | (lo & 0xffffffffL);
    }

    /**
     * A strong hash of {@code s} (null distinct from every string): its length and characters, four to a value, in one
     * lane, for a record hashed by hand.
     */
    public static long digest(String s) {
        if (s == null) {
            return join(LANE, -1);
        }
        long a = round(LANE, s.length());
        for (int i = 0; i < s.length(); i += 4) {
            a = round(a, chars(s, i));
        }
        return join(a, LANE + 1);
    }

    /** murmur3's 64-bit finaliser: a bijection that spreads every input bit over the whole word. */
    static long fmix64(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        return x ^ (x >>> 33);
    }
}
