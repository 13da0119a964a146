package org.mmsim.kernel.state;

import java.util.Arrays;
import org.mmsim.kernel.export.Export;

/**
 * Copies a machine as a value, for the explorer: one copier per copy maps every object of the original machine to
 * the object that stands for it in the copy, so that a graph with shared references and cycles (an mm and its VMAs,
 * an anon_vma and the VMAs of several mms, a suspended call and the mm it walks) comes out as the same graph. A
 * {@link StateObject} is mapped by a forwarding pointer it carries, anything else by a list of pairs and, past a few
 * dozen, an identity table; whoever makes a copier calls {@link #finish} when the copy is made, which clears the
 * pointers.
 *
 * <p>Three kinds of object meet a copier:
 * <ul>
 *   <li>state ({@link Copyable}): copied by its own {@code copy}, once; later references get the same copy;</li>
 *   <li>mechanisms and operation tables (stateless objects wired at boot, such as {@code Gup} or a driver's
 *       {@code vm_operations_struct}): the copied machine builds its own and, before any state is copied, either
 *       {@link #pair}s each with the original's or names them through {@link #counterparts} when asked, so that state
 *       pointing at them points at the new machine's;</li>
 *   <li>values (strings, boxed numbers, enum constants, records of values): shared, since nothing can change them.</li>
 * </ul>
 * Anything else is a mistake (a mechanism the copied machine did not pair, or state that cannot copy itself) and
 * fails at once instead of leaving the copy pointing into the original.
 */
@Export
public final class Copier {
    /**
     * Original to copy, by identity, for what is not a {@link StateObject}: first a list of pairs in the order they
     * were made, searched from the newest (a machine without devices pairs some twenty-five mechanisms, operation
     * tables and arrays, and looks up only a handful, so appending and scanning costs less than hashing every pairing);
     * past {@value #LIST} pairs they move to {@link #table}.
     */
    private static final int LIST = 32;
    private final Object[] list = new Object[2 * LIST];
    private int listed;
    /**
     * Then, by identity with open addressing and linear probing, each key at an even slot and its copy after it; it
     * doubles when more than half its room for pairs would be taken. Null until the list is full.
     */
    private Object[] table;
    private int size;
    /** The state objects whose forwarding pointers this copier set, to clear ({@link #finish}). */
    private StateObject[] forwarded = new StateObject[32];
    private int nrForwarded;
    /** Who names the copy's own object for one of the original's that nothing paired, or null ({@link #counterparts}). */
    private Counterparts counterparts;
    /** Whether the copy being made is a branch ({@link #branch}). */
    private boolean branch;

    /**
     * Names, for an object of the original machine, the object that stands for it in the copy, or null if it knows of
     * none: a copied machine's own mechanisms for the original's ({@code Kernel}'s), asked only when a copied object
     * refers to one, instead of every mechanism being paired at every copy.
     */
    @Export
    @FunctionalInterface
    public interface Counterparts {
        Object of(Object original);
    }

    /**
     * From now on, an object that is neither state, paired nor a value is looked up in {@code c} before the copier gives
     * up on it; what it names is paired with it.
     */
    @Export
    public void counterparts(Counterparts c) {
        counterparts = c;
    }

    /**
     * Makes the copy about to be made a branch: its maker drops it, and every copy made from it, before the original
     * takes another step, as the explorer's look ahead does, depth first. Storage shared copy-on-write (a frame section,
     * a PTE table, a free stack) that the original owns then stays the original's, to write in place when its turn
     * comes, instead of being copied by whichever side writes first; the branch still copies whatever it writes. A
     * branch changes nothing of the original's. Returns this copier.
     */
    @Export
    public Copier branch() {
        branch = true;
        return this;
    }

    /** Whether the copy being made is a branch ({@link #branch}): the original keeps what it owns. */
    @Export
    public boolean isBranch() {
        return branch;
    }

    /** {@code copy} stands for {@code original} from now on; returns {@code copy}. */
    @Export
    public <T> T pair(T original, T copy) {
        put(original, copy);
        return copy;
    }

    /**
     * The object that stands for {@code original} in the copy: the one paired with it, or its {@link Copyable#copy}
     * (made now, the first time it is asked for), or the value itself; null for null.
     *
     * @throws IllegalStateException for an object that is neither paired, copyable nor a value
     */
    @Export
    @SuppressWarnings("unchecked")
    public <T> T copy(T original) {
        if (original instanceof StateObject s) {
            // found or made, and paired after its copy returns unless it paired itself: no table at all
            if (s.copiedBy == this) {
                return (T) s.copiedTo;
            }
            Object made = s.copy(this);
            if (s.copiedBy != this) {
                put(s, made);
            }
            return (T) made;
        }
        if (original == null) {
            return null;
        }
        Object c = get(original);
        if (c != null) {
            return (T) c;
        }
        if (counterparts != null && (c = counterparts.of(original)) != null) {
            put(original, c);
            return (T) c;
        }
        if (original instanceof Copyable s) {
            // state of another kind (none of the kernel's): paired again after its copy returns, to the same copy
            Object made = s.copy(this);
            put(original, made);
            return (T) made;
        }
        if (isValue(original)) {
            return original;
        }
        throw new IllegalStateException("cannot copy a " + original.getClass().getName()
                + ": it is neither state (Copyable) nor paired with the copy's own (a mechanism) nor a value");
    }

    /** A copy of {@code a}, the same one for every reference to it (calls share their pages[] arrays). */
    @Export
    public int[] array(int[] a) {
        Object c = a == null ? null : get(a);
        return a == null ? null : c != null ? (int[]) c : paired(a, a.clone());
    }

    /** As {@link #array(int[])}, for a buffer a call and the driver call it steps both write (a read's). */
    @Export
    public long[] array(long[] a) {
        Object c = a == null ? null : get(a);
        return a == null ? null : c != null ? (long[]) c : paired(a, a.clone());
    }

    /** {@code copy}, paired with {@code original} from now on (an array's first copy). */
    private <A> A paired(A original, A copy) {
        put(original, copy);
        return copy;
    }

    /**
     * The copy is made: clears the forwarding pointers this copier set in the original's state objects, so that they
     * do not keep the copy alive. Returns nothing; the copier must not be used again.
     */
    @Export
    public void finish() {
        for (int i = 0; i < nrForwarded; i++) {
            forwarded[i].copiedBy = null;
            forwarded[i].copiedTo = null;
        }
        nrForwarded = 0;
    }

    /** The copy paired with {@code key}, or null. */
    private Object get(Object key) {
        if (key instanceof StateObject s) {
            return s.copiedBy == this ? s.copiedTo : null;
        }
        if (table == null) {
            for (int i = 2 * listed - 2; i >= 0; i -= 2) {
                if (list[i] == key) {
                    return list[i + 1];
                }
            }
            return null;
        }
        Object[] t = table;
        int mask = t.length - 2;
        for (int i = slot(key, mask); ; i = (i + 2) & mask) {
            Object k = t[i];
            if (k == key) {
                return t[i + 1];
            }
            if (k == null) {
                return null;
            }
        }
    }

    /** Pairs {@code key} with {@code value}, replacing what it was paired with. */
    private void put(Object key, Object value) {
        if (key instanceof StateObject s) {
            if (s.copiedBy != this) {
                if (nrForwarded == forwarded.length) {
                    forwarded = Arrays.copyOf(forwarded, nrForwarded * 2);
                }
                forwarded[nrForwarded++] = s;
                s.copiedBy = this;
            }
            s.copiedTo = value;
            return;
        }
        if (table == null) {
            if (listed < LIST) {
                list[2 * listed] = key;
                list[2 * listed + 1] = value;
                listed++;
                return;
            }
            table = new Object[2 * 128];
            for (int i = 0; i < 2 * listed; i += 2) {
                put(list[i], list[i + 1]);
            }
        }
        if (4 * (size + 1) > table.length) {
            Object[] old = table;
            table = new Object[old.length * 2];
            size = 0;
            for (int i = 0; i < old.length; i += 2) {
                if (old[i] != null) {
                    put(old[i], old[i + 1]);
                }
            }
        }
        Object[] t = table;
        int mask = t.length - 2;
        int i = slot(key, mask);
        while (t[i] != null && t[i] != key) {
            i = (i + 2) & mask;
        }
        if (t[i] == null) {
            size++;
        }
        t[i] = key;
        t[i + 1] = value;
    }

    /**
     * The even slot where the probe for {@code key} (never a {@link StateObject}) starts: from the identity hash of
     * state, and from its class's hash for a mechanism or an array. An explorer's copies are mostly of machines made by
     * a step a moment before, out of new objects, whose first identity hash costs a call into the JVM (about 30 ns
     * each); a machine has one or two mechanisms of a class, whose class's hash is computed once.
     */
    private static int slot(Object key, int mask) {
        int h = key instanceof Copyable ? System.identityHashCode(key) : key.getClass().hashCode();
        return ((h * 0x9E3779B9) >>> 7) & mask;
    }

    private static boolean isValue(Object o) {
        return o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Character
                || o instanceof Enum<?> || o instanceof Record;
    }
}
