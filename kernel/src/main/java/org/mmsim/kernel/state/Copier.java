package org.mmsim.kernel.state;

import java.util.IdentityHashMap;
import java.util.Map;
import org.mmsim.kernel.export.Export;

/**
 * Copies a machine as a value, for the explorer: one copier per copy maps every object of the original machine to
 * the object that stands for it in the copy, so that a graph with shared references and cycles (an mm and its VMAs,
 * an anon_vma and the VMAs of several mms, a suspended call and the mm it walks) comes out as the same graph.
 *
 * <p>Three kinds of object meet a copier:
 * <ul>
 *   <li>state ({@link Copyable}): copied by its own {@code copy}, once; later references get the same copy;</li>
 *   <li>mechanisms and operation tables (stateless objects wired at boot, such as {@code Gup} or a driver's
 *       {@code vm_operations_struct}): the copied machine builds its own and {@link #pair}s each with the original's
 *       before any state is copied, so that state pointing at them points at the new machine's;</li>
 *   <li>values (strings, boxed numbers, enum constants, records of values): shared, since nothing can change them.</li>
 * </ul>
 * Anything else is a mistake (a mechanism the copied machine did not pair, or state that cannot copy itself) and
 * fails at once instead of leaving the copy pointing into the original.
 */
@Export
public final class Copier {
    /** Sized for a small machine's objects (mechanisms, mms, VMAs, tasks, files, calls) without growing. */
    private final Map<Object, Object> copies = new IdentityHashMap<>(64);

    /** {@code copy} stands for {@code original} from now on; returns {@code copy}. */
    @Export
    public <T> T pair(T original, T copy) {
        copies.put(original, copy);
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
        if (original == null) {
            return null;
        }
        Object c = copies.get(original);
        if (c != null) {
            return (T) c;
        }
        if (original instanceof Copyable s) {
            Object made = s.copy(this);
            copies.put(original, made);
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
        if (a == null) {
            return null;
        }
        Object c = copies.get(a);
        if (c == null) {
            c = a.clone();
            copies.put(a, c);
        }
        return (int[]) c;
    }

    private static boolean isValue(Object o) {
        return o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Character
                || o instanceof Enum<?> || o instanceof Record;
    }
}
