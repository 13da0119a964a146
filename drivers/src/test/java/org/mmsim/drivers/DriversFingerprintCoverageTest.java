package org.mmsim.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.testing.MutableFields;

/**
 * The drivers' side of the kernel's {@code FingerprintCoverageTest}: every mutable field of every class under
 * {@code org.mmsim.drivers} is listed here, as HASHED by the {@code hashInto} of the state the driver registers with
 * {@code Exports.registerState} (or of the private data it hangs on files and VMAs), or as LEFT_OUT with the reason.
 * A driver that gains state fails this test until the state is hashed or the reason it need not be is written here.
 */
class DriversFingerprintCoverageTest {
    private static final String PACKAGE = "org.mmsim.drivers";

    /** Field ({@code "mmio.MmioDriver.kernel"}) to null (hashed) or the reason it is left out. */
    private static final Map<String, String> TABLE = new java.util.LinkedHashMap<>();

    static {
        TABLE.put("mmio.MmioDriver$Aperture.next", null);
        TABLE.put("mmio.MmioDriver.kernel", "the Exports handed to init() at boot: configuration");
        TABLE.put("kvm.KvmDriver.kernel", "the Exports handed to init() at boot: configuration");
        TABLE.put("kvm.KvmDriver$Vms.live", null);
        TABLE.put("kvm.KvmDriver$Vms.nextId", null);
        TABLE.put("kvm.KvmGuestAccess.mmuSeq", null);
        TABLE.put("kvm.KvmGuestAccess.page", null);
        TABLE.put("kvm.KvmGuestAccess.pfn", null);
        TABLE.put("kvm.Vm.dead", null);
        TABLE.put("kvm.Vm.invalidateInProgress", null);
        TABLE.put("kvm.Vm.invalidateSeq", null);
        TABLE.put("kvm.Vm.memslots", null);
        TABLE.put("kvm.Vm.rangeEnd", null);
        TABLE.put("kvm.Vm.rangeStart", null);
        TABLE.put("kvm.Vm.sptes", null);
        TABLE.put("kvm.Vm.sub", null);
        // rdma: the Table (registered) hashes every live MR whole (Mr.hashInto); a file's Context hashes its MR's id
        TABLE.put("rdma.RdmaDriver.kernel", "the Exports handed to init() at boot: configuration");
        TABLE.put("rdma.RdmaDriver$Table.mrs", null);
        TABLE.put("rdma.RdmaDriver$Table.nextId", null);
        TABLE.put("rdma.RdmaDriver$Context.mr", null);
        TABLE.put("rdma.Mr.pages", null);
        TABLE.put("rdma.Mr.accounted", null);
        TABLE.put("rdma.Mr.mni", null);
        TABLE.put("rdma.Mr.dev", null);
        TABLE.put("rdma.Mr.dead", null);
        TABLE.put("rdma.RdmaDriver$Table.dmrs", null);
        TABLE.put("rdma.RdmaDriver$Context.dmr", null);
        TABLE.put("rdma.DmabufMr.attach", "hashed by the dma-buf it is attached to (DmaBuf.hashInto), with its file");
        TABLE.put("rdma.DmabufMr.sgt", null);
        TABLE.put("rdma.DmabufMr.dev", null);
        TABLE.put("rdma.DmabufMr.dead", null);
        TABLE.put("rdma.DmabufMrCalls$RegDmabufMrCall.args", null);
        // dmirror: the Table (registered) hashes every bound mirror whole (hashContents); a file's Dmirror hashes its
        // id and released (an unbound mirror has no mm, notifier or entries; a released one is out of the table)
        TABLE.put("dmirror.DmirrorDriver.kernel", "the Exports handed to init() at boot: configuration");
        TABLE.put("dmirror.DmirrorDriver$Table.mirrors", null);
        TABLE.put("dmirror.DmirrorDriver$Table.nextId", null);
        TABLE.put("dmirror.DmirrorDriver$Dmirror.id", null);
        TABLE.put("dmirror.DmirrorDriver$Dmirror.mm", null);
        TABLE.put("dmirror.DmirrorDriver$Dmirror.mni", null);
        TABLE.put("dmirror.DmirrorDriver$Dmirror.pt", null);
        TABLE.put("dmirror.DmirrorDriver$Dmirror.released", null);
        TABLE.put("dmirror.DmirrorDriver.fops", "the four devices' file_operations: wiring, paired by a copy");
        // the coherent devices (Table.devices, hashed by the Table): free list, counters
        TABLE.put("dmirror.DmirrorDriver$Table.devices", null);
        TABLE.put("dmirror.DmirrorDevice.free", null);
        TABLE.put("dmirror.DmirrorDevice.nfree", null);
        TABLE.put("dmirror.DmirrorDevice.calloc", null);
        TABLE.put("dmirror.DmirrorDevice.cfree", null);
        // gpu: the Gpu state (registered) hashes its scalars, the mapping's id and every BO whole (Bo.hashInto, with
        // its reservation); a move's and a paused fault's values are hashed by GpuIoctl.locals / GpuFaultResume
        TABLE.put("gpu.GpuDriver.kernel", "the Exports handed to init() at boot: configuration");
        TABLE.put("gpu.GpuDriver$Gpu.vramBase", null);
        TABLE.put("gpu.GpuDriver$Gpu.sysBase", null);
        TABLE.put("gpu.GpuDriver$Gpu.nextId", null);
        TABLE.put("gpu.GpuDriver$Gpu.nextPgoff", null);
        TABLE.put("gpu.GpuDriver$Gpu.mapping", null);
        TABLE.put("gpu.GpuDriver$Gpu.bos", null);
        TABLE.put("gpu.Bo.first", null);
        TABLE.put("gpu.Bo.placement", null);
        TABLE.put("gpu.Bo.dmaBuf", null);
        TABLE.put("gpu.Bo.pinCount", null);
        TABLE.put("gpu.Bo.destPlacement", null);
        TABLE.put("gpu.Bo.destFirst", null);
        TABLE.put("gpu.GpuIoctl.moving", null);
        TABLE.put("gpu.GpuIoctl.dest", null);
        TABLE.put("gpu.GpuIoctl.unmap", null);
        TABLE.put("gpu.GpuIoctl.args", null);
        // spu: the Spus (registered) hash the reserved frames, the SPUs' occupants and every live context whole
        // (SpuContext.hashInto, also through each file's and VMA's private data); a switch's stack in its locals()
        TABLE.put("spu.SpuDriver.kernel", "the Exports handed to init() at boot: configuration");
        TABLE.put("spu.SpuDriver$Spus.ls", null);
        TABLE.put("spu.SpuDriver$Spus.ps", null);
        TABLE.put("spu.SpuDriver$Spus.images", null);
        TABLE.put("spu.SpuDriver$Spus.structPage", null);
        TABLE.put("spu.SpuDriver$Spus.occupant", null);
        TABLE.put("spu.SpuDriver$Spus.nextId", null);
        TABLE.put("spu.SpuDriver$Spus.contexts", null);
        TABLE.put("spu.SpuContext.state", null);
        TABLE.put("spu.SpuContext.spu", null);
        TABLE.put("spu.SpuContext.dead", null);
        TABLE.put("spu.SpuRun.out", null);
        TABLE.put("spu.SpuRun.inner", null);
        // ummunotify: each open file's context hashes whole through the file's private data (the VFS hashes every
        // file); the ioctl hashes its arguments and the read its count in locals(), and RecordReadCall the buffer
        TABLE.put("ummunotify.UmmunotifyDriver.kernel", "the Exports handed to init() at boot: configuration");
        TABLE.put("ummunotify.UmmunotifyDriver.files", "the live contexts in open order, which the files they hang "
                + "on (hashed by the VFS, in id order) already give");
        for (String f : new String[] {"hint", "hintEnd", "hintStart", "invalid"}) {
            TABLE.put("ummunotify.UmmunotifyFile$Reg." + f, null);
        }
        for (String f : new String[] {"invalidList", "lost", "needEmpty", "overflow", "regs", "released", "sub",
                "used"}) {
            TABLE.put("ummunotify.UmmunotifyFile." + f, null);
        }
        TABLE.put("ummunotify.UmmunotifyIoctl.args", null);
        TABLE.put("ummunotify.UmmunotifyRead.buf", "the caller's buffer, which the RecordReadCall stepping the read "
                + "hashes");
        // the HMM fault loop's stack: hashed by the call's locals() into the running call's fingerprint
        TABLE.put("hmm.MirrorFaultCall.seq", null);
        TABLE.put("hmm.MirrorFaultCall.snapshot", null);
    }

    @Test
    void everyMutableFieldOfEveryDriverIsHashedOrDeliberatelyLeftOut() {
        Set<String> unknown = new TreeSet<>(MutableFields.mutableFields(Drivers.class, PACKAGE).keySet());
        unknown.removeAll(TABLE.keySet());

        assertThat(unknown).as("mutable driver fields the fingerprint does not know: keep them in state registered"
                + " with registerState and list them as hashed, or list them as left out with the reason").isEmpty();
    }

    @Test
    void everyListedFieldExistsAndIsMutable() {
        assertThat(MutableFields.declaredFields(Drivers.class, PACKAGE)).containsAll(TABLE.keySet());
        assertThat(MutableFields.mutableFields(Drivers.class, PACKAGE).keySet()).containsAll(TABLE.keySet());
        TABLE.forEach((field, why) -> {
            if (why != null) {
                assertThat(why).as("why %s is left out", field).isNotBlank();
            }
        });
    }
}
