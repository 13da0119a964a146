package org.mmsim.scenario;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.mm.page.Page;

/**
 * The parser's static checks: actors, names and registers must be defined before they are used (in file order),
 * each argument must have the kind its operation's signature says, and flags must be known names.
 */
final class Binder {
    /** Bytes of each page the model keeps: {@link Page#PAGE_WORDS} 64-bit words from offset 0. */
    static final int PAGE_BYTES_MODELLED = 8 * Page.PAGE_WORDS;

    /** The fields {@code pagemap ADDR FIELD} may read, {@code entry} being the whole 64-bit word. */
    static final List<String> PAGEMAP_FIELDS =
            List.of("entry", "pfn", "present", "swapped", "file", "exclusive", "soft_dirty");

    private final String file;
    private final Set<String> actors = new LinkedHashSet<>();
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, Set<String>> registers = new HashMap<>();

    Binder(String file) {
        this.file = file;
    }

    static boolean isIdentifier(String s) {
        return s.matches("[A-Za-z_][A-Za-z0-9_]*");
    }

    private ScenarioException error(int line, int col, String reason) {
        return new ScenarioException(file, line, col, reason);
    }

    private static String article(String noun) {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    void declareActor(String name, int line, int col) throws ScenarioException {
        if (!isIdentifier(name)) {
            throw error(line, col, "'" + name + "' is not a valid process or thread name");
        }
        if (actors.contains(name) || names.containsKey(name)) {
            throw error(line, col, "'" + name + "' is already defined");
        }
        actors.add(name);
    }

    void requireActor(String name, int line, int col) throws ScenarioException {
        if (!actors.contains(name)) {
            throw error(line, col, "unknown process or thread '" + name + "'"
                    + (actors.isEmpty() ? "; declare it with: process " + name : " (known: " + String.join(", ", actors) + ")"));
        }
    }

    void assign(String actor, String reg) {
        registers.computeIfAbsent(actor, a -> new HashSet<>()).add(reg);
    }

    void requireRegister(String actor, String reg, int line, int col) throws ScenarioException {
        requireActor(actor, line, col);
        if (!registers.getOrDefault(actor, Set.of()).contains(reg)) {
            throw error(line, col, "register " + actor + ":" + reg + " is never assigned; assign it with "
                    + actor + ": " + reg + " = load ...");
        }
    }

    /** Parse one argument of kind {@code kind} (a signature word without brackets). */
    Arg arg(String actor, String kind, Token t, int line, Operation op) throws ScenarioException {
        String s = t.text();
        int col = t.col();
        switch (kind) {
            case "NEW" -> {
                if (!isIdentifier(s)) {
                    throw error(line, col, "'" + s + "' is not a valid name");
                }
                if ("process".equals(op.binds())) {
                    declareActor(s, line, col);
                } else {
                    String k = op.binds();
                    String old = names.get(s);
                    if ((old != null && !old.equals(k)) || actors.contains(s)) {
                        throw error(line, col, "'" + s + "' is already defined as " + article(old == null ? "process" : old));
                    }
                    names.put(s, k);
                }
                return new Arg.Name(s, col);
            }
            case "MONITOR" -> {
                if (!s.equals("ummunotify") && !s.equals("none")) {
                    throw error(line, col, "unknown cache monitor '" + s + "' (known: ummunotify, none)");
                }
                return new Arg.Name(s, col);
            }
            case "ORDER" -> {
                if (!s.equals("watch_first") && !s.equals("pin_first")) {
                    throw error(line, col, "unknown registration order '" + s + "' (known: watch_first, pin_first)");
                }
                return new Arg.Name(s, col);
            }
            case "PIPE", "HANDLE", "FILE", "RING", "MR", "DEV", "BO", "RCACHE" -> {
                requireName(s, kind.toLowerCase(Locale.ROOT), line, col);
                return new Arg.Name(s, col);
            }
            case "FD" -> {
                String k = names.get(s);
                if (k == null || !(k.equals("pipe") || k.equals("file") || k.equals("ring"))) {
                    throw error(line, col, k == null ? "unknown pipe, file or ring '" + s + "'"
                            : "'" + s + "' is " + article(k) + ", not a pipe, file or ring");
                }
                return new Arg.Name(s, col);
            }
            case "PROC" -> {
                requireActor(s, line, col);
                return new Arg.Name(s, col);
            }
            case "FS" -> {
                if (FsType.byKey(s) == null) {
                    throw error(line, col, "unknown filesystem '" + s + "' (known: tmpfs, ext4)");
                }
                return new Arg.Name(s, col);
            }
            case "MODE" -> {
                if (!RdmaOps.MODES.containsKey(s)) {
                    throw error(line, col, "unknown memory region mode '" + s + "' (known: "
                            + String.join(", ", RdmaOps.MODES.keySet()) + ")");
                }
                return new Arg.Name(s, col);
            }
            case "PLACE", "LOCKING", "MAPINFO", "CACHE", "IMPORT" -> {
                Map<String, Integer> words = switch (kind) {
                    case "PLACE" -> GpuOps.PLACES;
                    case "IMPORT" -> RdmaOps.IMPORTS;
                    case "LOCKING" -> GpuOps.LOCKING;
                    case "MAPINFO" -> DmaBufUserOps.MAP_INFO;
                    default -> DmaBufUserOps.CACHE;
                };
                if (!words.containsKey(s)) {
                    throw error(line, col, "unknown " + kind.toLowerCase(Locale.ROOT) + " '" + s
                            + "' (known: " + String.join(", ", words.keySet()) + ")");
                }
                return new Arg.Name(s, col);
            }
            case "FIELD" -> {
                if (!PAGEMAP_FIELDS.contains(s)) {
                    throw error(line, col, "unknown pagemap field '" + s + "' (known: " + String.join(", ", PAGEMAP_FIELDS) + ")");
                }
                return new Arg.Name(s, col);
            }
            case "EVENT" -> {
                if (!UmmunotifyOps.EVENT_FIELDS.contains(s)) {
                    throw error(line, col, "unknown ummunotify event field '" + s + "' (known: "
                            + String.join(", ", UmmunotifyOps.EVENT_FIELDS) + ")");
                }
                return new Arg.Name(s, col);
            }
            case "ADDR" -> {
                return address(s, line, col);
            }
            case "LEN", "N", "VALUE", "OFF", "FOFF" -> {
                long v = Numbers.parse(s, !kind.equals("VALUE"));
                if (v == Long.MIN_VALUE) {
                    throw error(line, col, "'" + s + "' is not a number (" + kind + " of " + op.keyword() + ")");
                }
                if (!kind.equals("VALUE") && v < 0) {
                    throw error(line, col, kind + " must not be negative: " + s);
                }
                if (kind.equals("N") && v > 1 << 20) {
                    throw error(line, col, "page count " + s + " is too large");
                }
                if (kind.equals("OFF")) {
                    checkOffset(v, line, col);
                }
                if (kind.equals("FOFF")) {
                    checkOffset(v & 0xfff, line, col);
                }
                return new Arg.Num(v, col);
            }
            default -> {
                return flags(kind, s, line, col);
            }
        }
    }

    private void requireName(String s, String kind, int line, int col) throws ScenarioException {
        String k = names.get(s);
        if (k == null) {
            throw error(line, col, "unknown " + kind + " '" + s + "'");
        }
        if (!k.equals(kind)) {
            throw error(line, col, "'" + s + "' is " + article(k) + ", not " + article(kind));
        }
    }

    /** {@code NAME}, {@code NAME+OFFSET} or a number. */
    Arg.Addr address(String s, int line, int col) throws ScenarioException {
        int plus = s.indexOf('+');
        String base = plus < 0 ? s : s.substring(0, plus).intern(); // as the lexer's names are: see Lexer
        long offset = 0;
        if (plus >= 0) {
            offset = Numbers.parse(s.substring(plus + 1), true);
            if (offset == Long.MIN_VALUE || offset < 0) {
                throw error(line, col + plus + 1, "bad address offset '" + s.substring(plus + 1) + "'");
            }
        }
        if (Numbers.parse(base, false) != Long.MIN_VALUE && plus < 0) {
            long v = Numbers.parse(base, false);
            checkOffset(v & 0xfff, line, col);
            return new Arg.Addr(null, v, col);
        }
        if (!isIdentifier(base)) {
            throw error(line, col, "'" + s + "' is not an address: write NAME, NAME+OFFSET or a number");
        }
        requireName(base, "address", line, col);
        checkOffset(offset & 0xfff, line, col + (plus < 0 ? 0 : plus + 1));
        return new Arg.Addr(base, offset, col);
    }

    private void checkOffset(long inPage, int line, int col) throws ScenarioException {
        if ((inPage & 7) != 0 || inPage >= PAGE_BYTES_MODELLED) {
            throw error(line, col, String.format("offset %#x within the page is not modelled: each page models "
                    + "bytes 0..%d as 64-bit words", inPage, PAGE_BYTES_MODELLED - 1));
        }
    }

    private Arg flags(String kind, String s, int line, int col) throws ScenarioException {
        Map<String, Integer> table = FlagNames.table(kind);
        long number = Numbers.parse(s, false);
        if (number != Long.MIN_VALUE && number <= Integer.MAX_VALUE) {
            return new Arg.Flags((int) number, s, col); // a raw value, such as one no flag name gives
        }
        int value = 0;
        int at = 0;
        for (String part : s.split("\\|", -1)) {
            Integer v = table.get(part);
            if (v == null) {
                throw error(line, col + at, "unknown " + kind + " flag '" + part + "' (known: "
                        + String.join(", ", table.keySet()) + ")");
            }
            value |= v;
            at += part.length() + 1;
        }
        return new Arg.Flags(value, s, col);
    }
}
