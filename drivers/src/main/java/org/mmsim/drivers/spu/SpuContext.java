package org.mmsim.drivers.spu;

import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.locking.SpinLock;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateObject;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code struct spu_context} (arch/powerpc/platforms/cell/spufs/spufs.h, context.c): a virtual SPU, the
 * {@code private_data} of its file and of every VMA that maps it. It has its own {@code address_space} (spufs' per
 * context inode, {@code ctx->local_store}), which every mapping of the context joins, so {@code spu_unmap_mappings}
 * reaches them all; a saved local-store image ({@code ctx->csa.lscsa->ls}, vmalloc'ed kernel memory: frames with a
 * {@code struct page}, from the pool the driver reserved at init); {@code ctx->state} (SAVED or LOADED, and then on
 * which physical SPU, {@code ctx->spu}); and {@code ctx->state_mutex} ({@code spu_acquire}/{@code spu_release}).
 */
final class SpuContext extends StateObject implements Hashable {
    static final int SAVED = 0;
    static final int LOADED = 1;

    final int id;
    /** The context's {@code address_space}: its file's {@code f_mapping}. */
    final AddressSpace mapping;
    /** {@code ctx->state_mutex}. */
    final SpinLock stateMutex;
    /** First frame of the saved local-store image ({@code csa.lscsa->ls}), {@link SpuDriver#LS_PAGES} frames. */
    final int backing;
    /** {@code ctx->state}. */
    int state = SAVED;
    /** The physical SPU it is loaded on, or -1 (SAVED). */
    int spu = -1;
    /** The file was released ({@code spufs_dir_close} → {@code destroy_spu_context}). */
    boolean dead;

    SpuContext(int id, AddressSpace mapping, int backing) {
        this.id = id;
        this.mapping = mapping;
        this.backing = backing;
        this.stateMutex = Exports.newLock("spu state_mutex", id);
    }

    boolean loaded() {
        return state == LOADED;
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add(id).add(mapping.id()).add(backing).add(state).add(spu).add(dead);
        stateMutex.hashInto(h);
    }

    private SpuContext(SpuContext o, Copier c) {
        c.pair(o, this);
        this.id = o.id;
        this.mapping = c.copy(o.mapping);
        this.backing = o.backing;
        this.stateMutex = c.copy(o.stateMutex);
        this.state = o.state;
        this.spu = o.spu;
        this.dead = o.dead;
    }

    @Override
    public SpuContext copy(Copier c) {
        return new SpuContext(this, c);
    }

    @Override
    public String toString() {
        return "spu context " + id + (loaded() ? " loaded on spu " + spu : " saved");
    }
}
