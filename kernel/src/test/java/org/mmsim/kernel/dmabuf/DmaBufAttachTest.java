package org.mmsim.kernel.dmabuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.locking.SpinLock;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.testing.TestKernels;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Fcntl;

/**
 * The device side of dma-buf.c ({@link DmaBufAttach}) with an exporter and importers of the test's own: which
 * mappings the core pins, how {@code CONFIG_DMABUF_MOVE_NOTIFY} changes what a mapping pins, the
 * reservation-lock assertions, and who {@code dma_buf_move_notify} tells.
 */
class DmaBufAttachTest {

    /** An exporter that records its calls; dynamic or not, its buffer at frames 100.., moved by {@link #move}. */
    private static final class Exporter implements DmaBufOps {
        final boolean dynamic;
        final List<String> calls = new ArrayList<>();
        int pins;
        int first = 100;
        int attachErr;

        Exporter(boolean dynamic) {
            this.dynamic = dynamic;
        }

        @Override
        public String name() {
            return "test-exporter";
        }

        @Override
        public void release(DmaBuf dmabuf) {
            calls.add("release");
        }

        @Override
        public boolean isDynamic() {
            return dynamic;
        }

        @Override
        public int attach(DmaBuf dmabuf, DmaBufAttachment attach) {
            calls.add("attach");
            return attachErr;
        }

        @Override
        public void detach(DmaBuf dmabuf, DmaBufAttachment attach) {
            calls.add("detach");
        }

        @Override
        public int pin(DmaBufAttachment attach) {
            calls.add("pin");
            pins++;
            return 0;
        }

        @Override
        public void unpin(DmaBufAttachment attach) {
            calls.add("unpin");
            pins--;
        }

        @Override
        public SgTable mapDmaBuf(DmaBufAttachment attach) {
            calls.add("map");
            return SgTable.of(new int[] {first, first + 1});
        }

        @Override
        public void unmapDmaBuf(DmaBufAttachment attach, SgTable sgt) {
            calls.add("unmap");
        }

        @Override
        public int backingPfn(DmaBuf dmabuf, int page) {
            return first + page;
        }
    }

    /** A dynamic importer that records the notifications it gets. */
    private static final class Importer implements DmaBufAttachOps {
        final String name;
        final List<String> told;

        Importer(String name, List<String> told) {
            this.name = name;
            this.told = told;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void moveNotify(DmaBufAttachment attach) {
            told.add(name);
        }
    }

    private final SpinLock resv = Exports.newLock("test resv", 1);

    private DmaBuf export(Kernel k, Exporter ops) {
        File f = k.exports().dmaBufExport(ops, new Object(), 2, 0, Fcntl.O_RDWR, resv);
        return (DmaBuf) f.privateData();
    }

    private static Kernel boot(String moveNotify) {
        return TestKernels.boot(TestKernels.profile("6.18").with(Switch.DMABUF_MOVE_NOTIFY, moveNotify),
                TestKernels.FRAMES, 0);
    }

    @Test
    void aStaticImportersMappingOfADynamicBufferPinsItWhateverTheBuild() {
        for (String moveNotify : new String[] {"off", "on"}) {
            Kernel k = boot(moveNotify);
            Exporter ops = new Exporter(true);
            DmaBuf buf = export(k, ops);
            DmaBufAttachment a = k.exports().dmaBufDynamicAttach(buf, null, null);
            assertThat(a.isErr()).isFalse();
            assertThat(a.isDynamic()).isFalse();
            assertThat(a.peer2peer()).as("a static importer does not say it can").isFalse();
            assertThat(ops.calls).as("6.16: nothing mapped at attach").containsExactly("attach");
            assertThat(resv.held()).isFalse();
            resv.lock();
            SgTable sgt = k.exports().dmaBufMapAttachment(a);
            assertThat(sgt.pfn(1)).isEqualTo(101);
            assertThat(ops.pins).isEqualTo(1);
            k.exports().dmaBufUnmapAttachment(a, sgt);
            resv.unlock();
            k.exports().dmaBufDetach(buf, a);
            assertThat(ops.calls).as(moveNotify).containsExactly("attach", "pin", "map", "unmap", "unpin", "detach");
            assertThat(ops.pins).isZero();
            assertThat(buf.attachments()).isEmpty();
        }
    }

    @Test
    void withoutMoveNotifyADynamicImportersMappingPinsTheBuffer() {
        Kernel k = boot("off");
        Exporter ops = new Exporter(true);
        DmaBuf buf = export(k, ops);
        DmaBufAttachment a = k.exports().dmaBufDynamicAttach(buf, new Importer("i", new ArrayList<>()), null);
        assertThat(a.peer2peer()).isTrue();
        resv.lock();
        SgTable sgt = k.exports().dmaBufMapAttachment(a);
        assertThat(ops.pins).isEqualTo(1);
        k.exports().dmaBufUnmapAttachment(a, sgt);
        resv.unlock();
        assertThat(ops.pins).isZero();
        assertThat(ops.calls).containsExactly("attach", "pin", "map", "unmap", "unpin");

        Kernel on = boot("on");
        Exporter moving = new Exporter(true);
        DmaBuf b = export(on, moving);
        DmaBufAttachment d = on.exports().dmaBufDynamicAttach(b, new Importer("i", new ArrayList<>()), null);
        resv.lock();
        on.exports().dmaBufUnmapAttachment(d, on.exports().dmaBufMapAttachment(d));
        resv.unlock();
        assertThat(moving.calls).as("CONFIG_DMABUF_MOVE_NOTIFY: no pin").containsExactly("attach", "map", "unmap");
    }

    @Test
    void aStaticBufferIsNeverPinned() {
        Kernel k = boot("off");
        Exporter ops = new Exporter(false);
        DmaBuf buf = export(k, ops);
        DmaBufAttachment a = k.exports().dmaBufDynamicAttach(buf, null, null);
        resv.lock();
        k.exports().dmaBufUnmapAttachment(a, k.exports().dmaBufMapAttachment(a));
        resv.unlock();
        assertThat(ops.calls).containsExactly("attach", "map", "unmap");
        assertThat(SgTable.error(-Errno.ENOMEM).isErr()).isTrue();
        assertThatThrownBy(() -> SgTable.error(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDynamicImporterMapsOnlyUnderTheReservationLock() {
        Kernel k = boot("on");
        DmaBuf buf = export(k, new Exporter(true));
        DmaBufAttachment a = k.exports().dmaBufDynamicAttach(buf, new Importer("i", new ArrayList<>()), null);
        assertThatThrownBy(() -> k.exports().dmaBufMapAttachment(a)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("dma_buf_map_attachment");
        DmaBufAttachment st = k.exports().dmaBufDynamicAttach(buf, null, null);
        assertThatThrownBy(() -> k.exports().dmaBufMapAttachment(st)).as("6.2: static importers too")
                .isInstanceOf(KernelBug.class);
        assertThatThrownBy(() -> k.exports().dmaBufPin(a)).isInstanceOf(KernelBug.class);
        assertThatThrownBy(() -> k.exports().dmaBufMoveNotify(buf)).isInstanceOf(KernelBug.class);
        DmaBufAttachment s = k.exports().dmaBufDynamicAttach(export(k, new Exporter(false)), null, null);
        assertThatThrownBy(() -> k.exports().dmaBufPin(s)).as("only dynamic importers pin")
                .isInstanceOf(KernelBug.class);
    }

    @Test
    void moveNotifyTellsEveryDynamicImporterNewestFirst() {
        Kernel k = boot("on");
        Exporter ops = new Exporter(true);
        DmaBuf buf = export(k, ops);
        List<String> told = new ArrayList<>();
        k.exports().dmaBufDynamicAttach(buf, new Importer("first", told), null);
        DmaBufAttachment st = k.exports().dmaBufDynamicAttach(buf, null, null);
        k.exports().dmaBufDynamicAttach(buf, new Importer("second", told), null);
        assertThat(buf.attachments()).hasSize(3);
        resv.lock();
        k.exports().dmaBufMoveNotify(buf);
        resv.unlock();
        assertThat(told).containsExactly("second", "first");
        assertThat(st.isDynamic()).isFalse();
    }

    @Test
    void anExportersAttachErrorIsTheAttachmentsAndAttachesNothing() {
        Kernel k = boot("on");
        Exporter ops = new Exporter(false);
        ops.attachErr = -Errno.ENODEV;
        DmaBuf buf = export(k, ops);
        DmaBufAttachment a = k.exports().dmaBufDynamicAttach(buf, null, null);
        assertThat(a.isErr()).isTrue();
        assertThat(a.err()).isEqualTo(-Errno.ENODEV);
        assertThat(buf.attachments()).isEmpty();
    }
}
