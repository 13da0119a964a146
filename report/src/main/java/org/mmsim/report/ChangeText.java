package org.mmsim.report;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.trace.Change;
import org.mmsim.scenario.Value;

/**
 * Renders a {@link Change} for people, and as the JSON object docs/json-format.md describes. An mm is shown by the
 * scenario's name for it ({@code pte P 0x...}, {@code mm 2 (C)}), a pte as {@code pfn 5 P|RW|U|A|D|SD}, page flags as
 * the kernel's {@code %pGp} would, data words as the scenario language writes values.
 */
final class ChangeText {
    private final Map<Integer, String> mmNames;

    ChangeText(Map<Integer, String> mmNames) {
        this.mmNames = mmNames;
    }

    private String mmName(int id) {
        return mmNames.getOrDefault(id, "mm" + id);
    }

    /** {@code mm 2 (C)}: the kernel's name and the scenario's. */
    private String mm(int id) {
        String n = mmNames.get(id);
        return "mm " + id + (n == null ? "" : " (" + n + ")");
    }

    private static String inode(Change.InodeRef i) {
        return i.fs() + " inode " + i.id() + (i.name() == null ? "" : " (" + i.name() + ")");
    }

    private static String vma(long start, long end, long flags) {
        return String.format("%#x-%#x %s", start, end, VmFlags.describe(flags));
    }

    /** The change as one line. */
    String text(Change c) {
        return switch (c) {
            case Change.Pte p -> String.format("pte %s %#x: %s -> %s", mmName(p.mm()), p.address(),
                    Pte.describe(p.oldPte()), Pte.describe(p.newPte()));
            case Change.PageField f -> "pfn " + f.pfn() + " " + field(f) + ": " + pageValue(f, f.oldValue()) + " -> "
                    + pageValue(f, f.newValue());
            case Change.PageFreed f -> "pfn " + f.pfn() + " freed";
            case Change.PageMigrated m -> "pfn " + m.from() + " migrated to pfn " + m.to();
            case Change.MmCounter m -> mm(m.mm()) + ": " + counter(m.counter()) + " " + m.oldValue() + " -> "
                    + m.newValue();
            case Change.MmFlag f -> mm(f.mm()) + ": " + f.flag() + " set";
            case Change.MmForked f -> mm(f.child()) + " forked from " + mm(f.parent());
            case Change.MmExited e -> mm(e.mm()) + ": exit_mmap done";
            case Change.Vma v -> mm(v.mm()) + ": vma " + switch (v.event()) {
                case CREATED -> vma(v.start(), v.end(), v.newFlags()) + " created";
                case REMOVED -> vma(v.start(), v.end(), v.oldFlags()) + " removed";
                case FLAGS -> vma(v.start(), v.end(), v.newFlags()) + " (was " + VmFlags.describe(v.oldFlags()) + ")";
            };
            case Change.InodeCreated i -> inode(i.inode()) + " created, i_size " + i.size();
            case Change.InodeSize i -> inode(i.inode()) + ": i_size " + i.oldSize() + " -> " + i.newSize();
            case Change.PageCached p -> inode(p.inode()) + ": page " + p.index() + " cached in pfn " + p.pfn();
            case Change.PageWritten p -> inode(p.inode()) + ": page " + p.index() + " written to disk";
            case Change.PageUncached p -> inode(p.inode()) + ": page " + p.index() + " (pfn " + p.pfn()
                    + ") reclaimed from the page cache";
            case Change.InodeEvicted e -> inode(e.inode()) + " evicted";
            case Change.PipeQueued p -> "pipe " + p.pipe() + ": " + p.added() + " buffer(s) queued, " + p.total()
                    + " in all";
            case Change.UserLockedVm u -> "user locked_vm " + u.oldPages() + " -> " + u.newPages();
            case Change.Detached d -> String.format("%s %#x: %s took the pte of pfn %d, which %s still holds: "
                    + "they may part here, by the program's doing", mm(d.mm()), d.address(), d.cause(), d.pfn(),
                    d.holder());
            case Change.Omitted o -> String.format("... and %,d more changes, not recorded", o.count());
        };
    }

    private static String field(Change.PageField f) {
        return f.field() == Change.Field.DATA ? "data[" + f.word() + "]" : f.field().name().toLowerCase(Locale.ROOT);
    }

    private static String pageValue(Change.PageField f, long v) {
        return switch (f.field()) {
            case FLAGS -> PageFlags.describe(v);
            case DATA -> Value.data(v).toString();
            default -> Long.toString(v);
        };
    }

    static String counter(Change.Counter c) {
        return switch (c) {
            case HIWATER_RSS -> "hiwater_rss";
            case PINNED_VM -> "pinned_vm";
            case LOCKED_VM -> "locked_vm";
            default -> c.name();
        };
    }

    /** The change as a JSON object: its kind, its fields, and the text line. */
    Map<String, Object> json(Change c) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (c) {
            case Change.Pte p -> {
                m.put("kind", "pte");
                m.put("mm", p.mm());
                m.put("address", hex(p.address()));
                m.put("old", hex(p.oldPte()));
                m.put("new", hex(p.newPte()));
            }
            case Change.PageField f -> {
                m.put("kind", "page");
                m.put("pfn", f.pfn());
                m.put("field", field(f));
                m.put("old", f.oldValue());
                m.put("new", f.newValue());
            }
            case Change.PageFreed f -> {
                m.put("kind", "page_freed");
                m.put("pfn", f.pfn());
            }
            case Change.PageMigrated g -> {
                m.put("kind", "page_migrated");
                m.put("from", g.from());
                m.put("to", g.to());
            }
            case Change.MmCounter k -> {
                m.put("kind", "mm_counter");
                m.put("mm", k.mm());
                m.put("counter", counter(k.counter()));
                m.put("old", k.oldValue());
                m.put("new", k.newValue());
            }
            case Change.MmFlag f -> {
                m.put("kind", "mm_flag");
                m.put("mm", f.mm());
                m.put("flag", f.flag());
            }
            case Change.MmForked f -> {
                m.put("kind", "mm_forked");
                m.put("mm", f.child());
                m.put("parent", f.parent());
            }
            case Change.MmExited e -> {
                m.put("kind", "mm_exited");
                m.put("mm", e.mm());
            }
            case Change.Vma v -> {
                m.put("kind", "vma");
                m.put("mm", v.mm());
                m.put("event", v.event().name().toLowerCase(Locale.ROOT));
                m.put("start", hex(v.start()));
                m.put("end", hex(v.end()));
                m.put("oldFlags", VmFlags.describe(v.oldFlags()));
                m.put("newFlags", VmFlags.describe(v.newFlags()));
            }
            case Change.InodeCreated i -> inodeJson(m, "inode_created", i.inode()).put("size", i.size());
            case Change.InodeSize i -> {
                inodeJson(m, "inode_size", i.inode());
                m.put("old", i.oldSize());
                m.put("new", i.newSize());
            }
            case Change.PageCached p -> {
                inodeJson(m, "page_cached", p.inode());
                m.put("index", p.index());
                m.put("pfn", p.pfn());
            }
            case Change.PageWritten p -> inodeJson(m, "page_written", p.inode()).put("index", p.index());
            case Change.PageUncached p -> {
                inodeJson(m, "page_uncached", p.inode());
                m.put("index", p.index());
                m.put("pfn", p.pfn());
            }
            case Change.InodeEvicted e -> inodeJson(m, "inode_evicted", e.inode());
            case Change.PipeQueued p -> {
                m.put("kind", "pipe_queued");
                m.put("pipe", p.pipe());
                m.put("added", p.added());
                m.put("total", p.total());
            }
            case Change.UserLockedVm u -> {
                m.put("kind", "user_locked_vm");
                m.put("old", u.oldPages());
                m.put("new", u.newPages());
            }
            case Change.Omitted o -> {
                m.put("kind", "omitted");
                m.put("count", o.count());
            }
            case Change.Detached d -> {
                m.put("kind", "detached");
                m.put("mm", d.mm());
                m.put("address", hex(d.address()));
                m.put("pfn", d.pfn());
                m.put("cause", d.cause());
                m.put("holder", d.holder());
            }
        }
        m.put("text", text(c));
        return m;
    }

    private static Map<String, Object> inodeJson(Map<String, Object> m, String kind, Change.InodeRef i) {
        m.put("kind", kind);
        m.put("inode", i.id());
        m.put("fs", i.fs());
        m.put("name", i.name());
        return m;
    }

    private static String hex(long v) {
        return String.format("%#x", v);
    }
}
