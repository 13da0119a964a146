package org.mmsim.kernel.dmabuf;

import java.util.Arrays;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct sg_table} as {@code dma_buf_map_attachment} hands it to an importer: the frames that hold the buffer,
 * page by page from its first, at the time of the mapping (one page per entry: the model's DMA addresses are frame
 * numbers, with no IOMMU between device and memory). Or an error, for {@code ERR_PTR(-errno)}: {@link #isErr()}.
 *
 * <p>Immutable: an exporter's {@code map_dma_buf} builds a new table for each mapping, and the importer keeps it until
 * it unmaps it; a copy of the machine shares the table with the original.
 */
@Export
public final class SgTable implements ErrPtr {
    private final int err;
    private final int[] pfns;

    private SgTable(int err, int[] pfns) {
        this.err = err;
        this.pfns = pfns;
    }

    /** A table of {@code pfns} (copied). */
    @Export
    public static SgTable of(int[] pfns) {
        return new SgTable(0, pfns.clone());
    }

    /** {@code ERR_PTR(err)}, {@code err} a negative errno. */
    @Export
    public static SgTable error(int err) {
        if (err >= 0) {
            throw new IllegalArgumentException("ERR_PTR of " + err);
        }
        return new SgTable(err, new int[0]);
    }

    @Override
    @Export
    public int err() {
        return err;
    }

    /** The number of pages the table maps ({@code sgt->nents} at one page per entry). */
    @Export
    public int nents() {
        return pfns.length;
    }

    /** The frame of page {@code i} of the buffer. */
    @Export
    public int pfn(int i) {
        return pfns[i];
    }

    public void hashInto(StateHasher h) {
        h.add(err).add(pfns.length);
        for (int p : pfns) {
            h.add(p);
        }
    }

    @Override
    public String toString() {
        return isErr() ? "ERR_PTR(" + err + ")" : "sg_table" + Arrays.toString(pfns);
    }
}
