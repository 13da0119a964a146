package org.mmsim.kernel.mm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct anon_vma} (mm/rmap.c), the anchor of anonymous reverse mapping. An anon page's
 * {@code mapping} names the anon_vma it was faulted under; the VMAs linked here are the ones that may map it.
 *
 * <p>Simplification: the kernel gives a forked child's VMA its own anon_vma chained to the parent's root, and
 * walks the root's interval tree. The model links the child's VMA into the same anon_vma, which visits the same
 * VMAs (a superset, as the kernel's walk is too) without the chain objects.
 */
public final class AnonVma extends StateObject implements Hashable {
    private final int id;
    private final List<Vma> vmas = new ArrayList<>();

    AnonVma(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    /** The VMAs that may map pages of this anon_vma ({@code anon_vma->rb_root}). */
    public List<Vma> vmas() {
        return Collections.unmodifiableList(vmas);
    }

    /** {@code anon_vma_chain_link()}: {@code vma} may map this anon_vma's pages. */
    public void link(Vma vma) {
        vmas.add(vma);
    }

    /** {@code unlink_anon_vmas()} for {@code vma}. */
    public void unlink(Vma vma) {
        vmas.remove(vma);
    }

    /** The id and each linked VMA, in list order, as (mm, start, end). */
    @Override
    public void hashInto(StateHasher h) {
        // one strong hash worked out in registers: every anon_vma is hashed at every explored state
        long a = StateHasher.step(StateHasher.LANE, StateHasher.pack(id, vmas.size()));
        long b = StateHasher.LANE + 1;
        for (int i = 0; i < vmas.size(); i++) {
            Vma vma = vmas.get(i);
            a = StateHasher.step(a, vma.start());
            b = StateHasher.step(b, StateHasher.pack(vma.mm().id(), 0));
            b = StateHasher.step(b, vma.end());
        }
        h.add(a, b);
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    @Override
    public AnonVma copy(Copier c) {
        AnonVma a = c.pair(this, new AnonVma(id));
        for (int i = 0; i < vmas.size(); i++) { // indexed: copied at every branch of an explored state
            a.vmas.add(c.copy(vmas.get(i)));
        }
        return a;
    }
}
