package org.mmsim.kernel.mm;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Tracer;

/**
 * Model shadow, not kernel state: pages the <em>program</em> unmapped from under a holder. When a process munmaps,
 * remaps (mmap {@code MAP_FIXED}, mremap), {@code MADV_DONTNEED}s or truncates memory that a long-term pin or a
 * device's own translation still holds, the holder keeps the old frame and the CPU maps whatever comes next at that
 * address. The kernel does this by design (Documentation/core-api/pin_user_pages.rst: the pin keeps the page, not
 * the mapping; a secondary MMU without notifiers is never told), so the pin-coherence and device-coherence invariants
 * must not call the parting a kernel bug: it is a <em>divergence the program caused</em>, an observation a scenario
 * can name ({@code diverged}). A holder parting from the CPU by the kernel's own doing (COW breaking away from a pin,
 * {@code clear_refs}, fork, reclaim, migration) leaves no record here and stays a violation.
 *
 * <p>A record is (mm, address, frame, cause, holder). It is made at the moment the program's call clears or moves
 * the pte, and only if a holder then holds that frame at that address ({@link Holders}, installed by the kernel,
 * which knows the GUP holders and the registered secondary MMUs). It lives while the frame is allocated: when the
 * frame is freed nobody holds it any more, and a later holder of a reused frame starts clean.
 */
public final class Detachments {

    /**
     * One page the program unmapped from under a holder.
     *
     * @param mmId the mm whose mapping went
     * @param addr the page's address in that mm
     * @param pfn the frame the holder keeps
     * @param cause the program's call: {@code munmap}, {@code mmap}, {@code mremap}, {@code madvise} or
     *     {@code ftruncate}
     * @param holder what holds the frame: {@code "a long-term pin"} or a device's name
     */
    public record Detachment(int mmId, long addr, int pfn, String cause, String holder) {}

    /** Who holds a frame at an address of an mm: the kernel's GUP holders and the drivers' secondary MMUs. */
    @FunctionalInterface
    public interface Holders {
        /** A name for what holds {@code pfn} for {@code addr} of {@code mm} ("a long-term pin", "kvm"), or null. */
        String holder(Mm mm, long addr, int pfn);
    }

    /** The causes a program can give, in the order the scenario language lists them. */
    public static final List<String> CAUSES = List.of("munmap", "mmap", "mremap", "madvise", "ftruncate");

    private final Tracer trace;
    private final List<Detachment> records = new ArrayList<>();
    private Holders holders;

    Detachments(Tracer trace) {
        this.trace = trace;
    }

    /** Set at boot (and in a copy) by the kernel. */
    public void holdersFrom(Holders h) {
        this.holders = h;
    }

    /**
     * The program's {@code cause} (null: the kernel's own doing, nothing to record) cleared or moved the pte that
     * mapped {@code pfn} at {@code addr} of {@code mm}: record it if a holder keeps that frame there.
     */
    public void unmapped(Mm mm, long addr, int pfn, String cause) {
        if (cause == null || holders == null || causeOf(mm.id(), addr, pfn) != null) {
            return;
        }
        String holder = holders.holder(mm, addr, pfn);
        if (holder == null) {
            return;
        }
        records.add(new Detachment(mm.id(), addr, pfn, cause, holder));
        if (trace.on()) {
            trace.record(new Change.Detached(mm.id(), addr, pfn, cause, holder));
        }
    }

    /** The cause with which the program unmapped {@code pfn} at {@code addr} of mm {@code mmId}, or null. */
    public String causeOf(int mmId, long addr, int pfn) {
        for (Detachment d : records) {
            if (d.pfn() == pfn && d.addr() == addr && d.mmId() == mmId) {
                return d.cause();
            }
        }
        return null;
    }

    /** Every record, oldest first. */
    public List<Detachment> all() {
        return List.copyOf(records);
    }

    /** Frame {@code pfn} went back to the allocator: nobody holds it, its records end. */
    void freed(int pfn) {
        if (!records.isEmpty()) {
            records.removeIf(d -> d.pfn() == pfn);
        }
    }

    /** How many records there are (the core hashes it with its own fields, before {@link #hashInto}). */
    int size() {
        return records.size();
    }

    /** Every record, oldest first; their number is hashed by the core ({@link #size}). */
    void hashInto(StateHasher h) {
        for (int i = 0; i < records.size(); i++) { // indexed: fingerprinted at every explored state
            Detachment d = records.get(i);
            h.add(d.mmId()).add(d.addr()).add(d.pfn()).add(d.cause()).add(d.holder());
        }
    }

    /** The records of {@code o} (values); the holders are installed again by the copied kernel. */
    void copyFrom(Detachments o) {
        if (!o.records.isEmpty()) { // addAll makes an array even of nothing
            records.addAll(o.records);
        }
    }
}
