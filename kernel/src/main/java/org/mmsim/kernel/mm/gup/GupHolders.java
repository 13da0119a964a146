package org.mmsim.kernel.mm.gup;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * Every {@code pages[]} array a GUP entry point handed to a caller (a driver, a device, a scenario), released or not,
 * by id, and the {@code nr_foll_pin_acquired} / {@code nr_foll_pin_released} counters of /proc/vmstat. The arrays not
 * yet released are the references and pins the accounting invariant attributes to their holders.
 */
public final class GupHolders implements Hashable {
    private final List<GupPages> all = new ArrayList<>();
    private long nrFollPinAcquired;
    private long nrFollPinReleased;

    /** A new array for a caller, with the next id. */
    GupPages newPages(Mm mm, long start, int nrPages, int gupFlags) {
        GupPages g = new GupPages(all.size() + 1, mm, start, nrPages, gupFlags);
        all.add(g);
        return g;
    }

    /** The array with id {@code id}, or null. */
    public GupPages byId(int id) {
        return id <= 0 || id > all.size() ? null : all.get(id - 1);
    }

    /** Arrays that hold pages and are not yet released, in the order they were taken. */
    public List<GupPages> held() {
        if (all.isEmpty()) {
            return List.of(); // after every explored step, several checks ask
        }
        List<GupPages> out = new ArrayList<>();
        for (GupPages g : all) {
            if (!g.released && g.nr > 0) {
                out.add(g);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Whether a long-term pin ({@code FOLL_PIN|FOLL_LONGTERM}) not yet released holds {@code pfn} for {@code addr}. */
    public boolean longtermPinAt(Mm mm, long addr, int pfn) {
        for (GupPages g : all) {
            if (g.released || !g.pinned() || !g.longterm() || g.mm() != mm) {
                continue;
            }
            for (int i = 0; i < g.nr; i++) {
                if (g.pfn(i) == pfn && g.address(i) == addr) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code nr_foll_pin_acquired} from /proc/vmstat. */
    public long nrFollPinAcquired() {
        return nrFollPinAcquired;
    }

    /** {@code nr_foll_pin_released} from /proc/vmstat. */
    public long nrFollPinReleased() {
        return nrFollPinReleased;
    }

    void pinAcquired() {
        nrFollPinAcquired++;
    }

    void pinReleased() {
        nrFollPinReleased++;
    }

    /** The counters and every array ever handed out, in id order. */
    @Override
    public void hashInto(StateHasher h) {
        // the counters and the number of arrays as one record (every explored state hashes it, mostly all zero)
        h.add(StateHasher.step(StateHasher.step(StateHasher.LANE, nrFollPinAcquired), nrFollPinReleased),
                StateHasher.step(StateHasher.LANE + 1, all.size()));
        for (int i = 0; i < all.size(); i++) { // indexed: fingerprinted at every explored state
            all.get(i).hashInto(h);
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    /** Fill this (empty) list, made by a copied machine and paired with {@code o}, with copies of o's arrays. */
    public void copyFrom(GupHolders o, Copier c) {
        for (GupPages g : o.all) {
            all.add(c.copy(g));
        }
        nrFollPinAcquired = o.nrFollPinAcquired;
        nrFollPinReleased = o.nrFollPinReleased;
    }
}
