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
