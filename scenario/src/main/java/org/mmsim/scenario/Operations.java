package org.mmsim.scenario;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of operations: every provider's declarations, by keyword, in the order of the language reference
 * (memory, files, procfs, io_uring, the GUP test device, devices). A new area, or a new device, is a provider and one
 * line here.
 */
final class Operations {
    private static final Map<String, Operation> BY_KEYWORD = new LinkedHashMap<>();

    static {
        List<Operation> all = new ArrayList<>();
        all.addAll(MemoryOps.operations());
        all.addAll(FileOps.operations());
        all.addAll(ProcOps.operations());
        all.addAll(IoUringOps.operations());
        all.addAll(GupOps.operations());
        all.addAll(DeviceOps.operations());
        all.addAll(KvmOps.operations());
        all.addAll(RdmaOps.operations());
        all.addAll(DmirrorOps.operations());
        all.addAll(GpuOps.operations());
        all.addAll(SpuOps.operations());
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
