package org.mmsim.scenario;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mmsim.drivers.dmirror.DmirrorDriver;
import org.mmsim.drivers.gpu.GpuDriver;
import org.mmsim.drivers.kvm.KvmDriver;
import org.mmsim.drivers.mmio.MmioDriver;
import org.mmsim.drivers.rdma.RdmaDriver;
import org.mmsim.drivers.spu.SpuDriver;
import org.mmsim.drivers.ummunotify.UmmunotifyDriver;

/**
 * The registry of operations: every provider's declarations, by keyword, in the order of the language reference
 * (memory, files, procfs, io_uring, the GUP test device, devices). A new area, or a new device, is a provider and one
 * line here.
 */
final class Operations {
    private static final Map<String, Operation> BY_KEYWORD = new LinkedHashMap<>();
    /** The device (its driver's name) each device operation opens and works on, by keyword. */
    private static final Map<String, List<String>> DEVICE = new HashMap<>();

    static {
        List<Operation> all = new ArrayList<>();
        all.addAll(MemoryOps.operations());
        all.addAll(FileOps.operations());
        all.addAll(ProcOps.operations());
        all.addAll(IoUringOps.operations());
        all.addAll(GupOps.operations());
        all.addAll(device(DeviceOps.operations(), MmioDriver.DEVICE));
        all.addAll(device(KvmOps.operations(), KvmDriver.DEVICE));
        all.addAll(device(RdmaOps.operations(), RdmaDriver.DEVICE));
        all.addAll(device(DmirrorOps.operations(), DmirrorDriver.DEVICE));
        all.addAll(device(GpuOps.operations(), GpuDriver.DEVICE));
        all.addAll(device(DmaBufUserOps.operations(), GpuDriver.DEVICE));
        all.addAll(device(SpuOps.operations(), SpuDriver.DEVICE));
        all.addAll(device(UmmunotifyOps.operations(), UmmunotifyDriver.DEVICE));
        all.addAll(device(RcacheOps.operations(), UmmunotifyDriver.DEVICE, RdmaDriver.DEVICE));
        for (Operation op : all) {
            if (BY_KEYWORD.put(op.keyword(), op) != null) {
                throw new IllegalStateException("operation " + op.keyword() + " declared twice");
            }
        }
    }

    private Operations() {}

    /** Every operation, in reference order. */
    static List<Operation> all() {
        return Collections.unmodifiableList(new ArrayList<>(BY_KEYWORD.values()));
    }

    static Operation byKeyword(String word) {
        return BY_KEYWORD.get(word);
    }

    /** {@code ops}, recorded as the operations of the devices whose drivers are named {@code drivers}. */
    private static List<Operation> device(List<Operation> ops, String... drivers) {
        for (Operation op : ops) {
            DEVICE.put(op.keyword(), List.of(drivers));
        }
        return ops;
    }

    /**
     * The names of the drivers {@code s}'s program needs: those whose devices its operations open. The machine boots
     * only these; a driver no operation reaches would only be copied and hashed with every state the explorer makes.
     */
    static Set<String> drivers(Scenario s) {
        Set<String> names = new HashSet<>();
        for (Scenario.Segment seg : s.program()) {
            if (seg instanceof Scenario.Script script) {
                for (Scenario.Line line : script.lines()) {
                    addDriver(line.op(), names);
                }
            } else if (seg instanceof Scenario.Group group) {
                for (Scenario.ThreadBlock t : group.threads()) {
                    for (Op op : t.ops()) {
                        addDriver(op, names);
                    }
                }
            }
        }
        return names;
    }

    private static void addDriver(Op op, Set<String> names) {
        names.addAll(DEVICE.getOrDefault(op.kind().keyword(), List.of()));
    }

    /** The keyword nearest to {@code word} by edit distance, for "did you mean" hints, or null. */
    static String nearest(String word) {
        String best = null;
        int bestD = 3;
        for (String k : BY_KEYWORD.keySet()) {
            int d = distance(word, k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
