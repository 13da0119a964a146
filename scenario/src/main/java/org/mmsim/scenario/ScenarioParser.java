package org.mmsim.scenario;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmsim.explore.Explorer;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.profile.Profiles;

/**
 * Parses scenario files ({@code .mms}); the language is described in docs/scenario-language.md. Line-oriented:
 * each line is a directive ({@code scenario}, {@code doc}, {@code memory}, {@code set}, {@code process},
 * {@code thread ... {}, {@code exists}, {@code expect}, {@code known}) or a script line
 * {@code ACTOR: [REG =] OP ARGS}.
 *
 * <p>Everything is checked here, before anything runs: operation names and arities, argument kinds, flag names,
 * that actors, names and registers are defined before use (in file order), kernel names and switch settings.
 * Every error is a {@link ScenarioException} with the file, line and column.
 */
public final class ScenarioParser {
    private final String file;
    private int lineNo;
    private String name;
    private String doc = "";
    private int normalFrames = Kernel.DEFAULT_NORMAL_FRAMES;
    private int movableFrames;
    private boolean tlb;
    private final Map<String, String> overrides = new LinkedHashMap<>();
    /**
     * The line that set each switch ("switch cow_reuse") and each {@code memory} key ("memory normal"): a second
     * setting is refused.
     */
    private final Map<String, Integer> setAt = new HashMap<>();
    private final List<String> processes = new ArrayList<>();
    private final List<Scenario.Segment> program = new ArrayList<>();
    private final List<Expectation> expectations = new ArrayList<>();
    private final List<Known> known = new ArrayList<>();
    private Cond condition;
    private String conditionText;
    private final Binder binder;
    private List<Scenario.Line> script;
    private List<Scenario.ThreadBlock> group;
    private Scenario.ThreadBlock open;

    private ScenarioParser(String file) {
        this.file = file;
        this.binder = new Binder(file);
    }

    /** Parse the file at {@code path}; its path as given is used in error messages. */
    public static Scenario parse(Path path) throws ScenarioException {
        return parse(path.toString(), read(path));
    }

    /**
     * The text of a scenario or schedule file: a scenario error at 1:1 if it cannot be read or is not UTF-8. A
     * byte-order mark at its start, which some editors write, is not part of the text.
     */
    public static String read(Path path) throws ScenarioException {
        try {
            String text = Files.readString(path, StandardCharsets.UTF_8);
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new ScenarioException(path.toString(), 1, 1, "not UTF-8 text");
        } catch (IOException e) {
            throw new ScenarioException(path.toString(), 1, 1, "cannot read: " + e.getMessage());
        }
    }

    /** Parse {@code text}, reporting errors against {@code file}. */
    public static Scenario parse(String file, String text) throws ScenarioException {
        return new ScenarioParser(file).run(text);
    }

    private Scenario run(String text) throws ScenarioException {
        String[] lines = text.split("\r?\n", -1);
        for (lineNo = 1; lineNo <= lines.length; lineNo++) {
            line(lines[lineNo - 1]);
        }
        lineNo = lines.length;
        if (open != null) {
            throw error(open.line(), 1, "thread block '" + open.name() + "' is not closed with '}'");
        }
        flush();
        if (name == null) {
            throw error(1, 1, "missing 'scenario NAME' line");
        }
        if (condition == null) {
            throw error(lineNo, 1, "missing 'exists' condition: write the bad outcome, e.g. exists (P:r0 = 1)");
        }
        if (expectations.isEmpty()) {
            throw error(lineNo, 1, "missing 'expect KERNEL OUTCOME' line: say under which kernels the condition "
                    + "is allowed or forbidden");
        }
        return new Scenario(name, doc, file, normalFrames, movableFrames, tlb, Map.copyOf(overrides),
                List.copyOf(processes), List.copyOf(program), condition, conditionText, List.copyOf(expectations),
                List.copyOf(known));
    }

    ScenarioException error(int line, int col, String reason) {
        return new ScenarioException(file, line, col, reason);
    }

    private ScenarioException error(Token t, String reason) {
        return error(lineNo, t.col(), reason);
    }

    private void line(String raw) throws ScenarioException {
        List<Token> t = Lexer.lex(raw, Lexer.Mode.RAW, file, lineNo);
        if (t.isEmpty()) {
            return;
        }
        if (open != null) {
            inThread(raw, t);
            return;
        }
        String head = t.get(0).text();
        switch (head) {
            case "scenario" -> {
                expectArgs(t, 2, "scenario NAME");
                name = t.get(1).text();
            }
            case "doc" -> {
                if (t.size() != 2 || !t.get(1).quoted()) {
                    throw error(t.get(0), "doc takes one quoted string: doc \"what this scenario shows\"");
                }
                doc = t.get(1).text();
            }
            case "memory" -> memory(t);
            case "tlb" -> {
                expectArgs(t, 1, "tlb");
                tlb = true;
            }
            case "set" -> set(t);
            case "process" -> process(t);
            case "thread" -> thread(raw);
            case "exists" -> exists(raw, t);
            case "expect" -> expect(t);
            case "known" -> known(t);
            default -> scriptLine(raw);
        }
    }

    private void expectArgs(List<Token> t, int n, String usage) throws ScenarioException {
        if (t.size() != n) {
            throw error(t.get(Math.min(t.size() - 1, n)), "expected: " + usage);
        }
    }

    private void memory(List<Token> t) throws ScenarioException {
        for (Token kv : t.subList(1, t.size())) {
            int eq = kv.text().indexOf('=');
            String key = eq < 0 ? kv.text() : kv.text().substring(0, eq);
            if (eq < 0 || !(key.equals("normal") || key.equals("movable"))) {
                throw error(kv, "memory takes normal=SIZE and movable=SIZE, e.g. memory normal=64M movable=16M");
            }
            long bytes = Numbers.parse(kv.text().substring(eq + 1), true);
            if (bytes < 0 || bytes / 4096 > Integer.MAX_VALUE / 2 || (key.equals("normal") && bytes < 4096)) {
                throw error(lineNo, kv.col() + eq + 1, "bad size '" + kv.text().substring(eq + 1) + "'");
            }
            once("memory " + key, kv);
            if (key.equals("normal")) {
                normalFrames = (int) (bytes / 4096);
            } else {
                movableFrames = (int) (bytes / 4096);
            }
        }
    }

    private void set(List<Token> t) throws ScenarioException {
        if (t.size() < 2) {
            throw error(t.get(0), "set takes SWITCH=VALUE, e.g. set cow_reuse=mapcount");
        }
        for (Token kv : t.subList(1, t.size())) {
            try {
                KernelSpec.apply(Profiles.byName("6.18"), kv.text());
            } catch (IllegalArgumentException e) {
                throw error(kv, e.getMessage());
            }
            int eq = kv.text().indexOf('=');
            String key = kv.text().substring(0, eq);
            once("switch " + key, kv);
            overrides.put(key, kv.text().substring(eq + 1));
        }
    }

    /**
     * Refuses a second setting of {@code what} ("switch cow_reuse", "memory normal"): the first would be silently
     * overridden, and a scenario that says two things about one switch says nothing a reader can trust.
     */
    private void once(String what, Token at) throws ScenarioException {
        Integer first = setAt.putIfAbsent(what, lineNo);
        if (first != null) {
            throw error(at, what + " is already set" + (first == lineNo ? " on this line" : " (line " + first + ")"));
        }
    }

    private void process(List<Token> t) throws ScenarioException {
        if (t.size() < 2) {
            throw error(t.get(0), "process takes one or more names: process P Q");
        }
        if (!program.isEmpty() || script != null || group != null) {
            throw error(t.get(0), "declare processes before the first operation; later ones are made by fork");
        }
        for (Token p : t.subList(1, t.size())) {
            binder.declareActor(p.text(), lineNo, p.col());
            processes.add(p.text());
        }
    }

    private void thread(String raw) throws ScenarioException {
        List<Token> t = Lexer.lex(raw, Lexer.Mode.CODE, file, lineNo);
        boolean of = t.size() == 5 && t.get(2).is("of") && t.get(4).is("{");
        if (!(of || (t.size() == 3 && t.get(2).is("{")))) {
            throw error(t.get(0), "expected: thread NAME {   or   thread NAME of PROCESS {");
        }
        if (script != null) {
            flushScript();
        }
        if (group == null) {
            group = new ArrayList<>();
        }
        Token nameTok = t.get(1);
        if (group.size() >= Explorer.MAX_THREADS) {
            throw error(t.get(0), "a group of concurrent threads has at most " + Explorer.MAX_THREADS
                    + " thread blocks");
        }
        String process = of ? t.get(3).text() : null;
        if (of) {
            binder.requireActor(process, lineNo, t.get(3).col());
            binder.declareActor(nameTok.text(), lineNo, nameTok.col());
        } else {
            binder.requireActor(nameTok.text(), lineNo, nameTok.col());
        }
        open = new Scenario.ThreadBlock(nameTok.text(), process, new ArrayList<>(), lineNo);
    }

    private void inThread(String raw, List<Token> rawTokens) throws ScenarioException {
        if (rawTokens.get(0).is("}")) {
            if (rawTokens.size() != 1) {
                throw error(rawTokens.get(1), "nothing may follow '}' on its line");
            }
            group.add(new Scenario.ThreadBlock(open.name(), open.process(), List.copyOf(open.ops()), open.line()));
            open = null;
            return;
        }
        List<Token> t = Lexer.lex(raw, Lexer.Mode.CODE, file, lineNo);
        open.ops().add(op(open.name(), t, 0, raw));
    }

    private void scriptLine(String raw) throws ScenarioException {
        List<Token> t = Lexer.lex(raw, Lexer.Mode.CODE, file, lineNo);
        if (t.size() < 3 || !t.get(1).is(":")) {
            Token head = t.get(0);
            String hint = Operations.byKeyword(head.text()) != null
                    ? "; outside a thread block an operation needs its actor: P: " + head.text() + " ..." : "";
            throw error(head, "unknown directive '" + head.text() + "'" + hint);
        }
        if (group != null) {
            flushGroup();
        }
        if (script == null) {
            script = new ArrayList<>();
        }
        Token actor = t.get(0);
        binder.requireActor(actor.text(), lineNo, actor.col());
        script.add(new Scenario.Line(actor.text(), op(actor.text(), t, 2, raw)));
    }

    /** Parse {@code [REG =] KIND ARGS} from token {@code from}; binds names and registers for {@code actor}. */
    private Op op(String actor, List<Token> t, int from, String raw) throws ScenarioException {
        String assign = null;
        int i = from;
        if (t.size() > i + 2 && t.get(i + 1).is("=")) {
            Token reg = t.get(i);
            if (!Binder.isIdentifier(reg.text())) {
                throw error(reg, "'" + reg.text() + "' is not a register name");
            }
            assign = reg.text();
            i += 2;
        }
        if (i >= t.size()) {
            throw error(t.get(t.size() - 1), "missing operation");
        }
        Token kw = t.get(i);
        Operation kind = Operations.byKeyword(kw.text());
        if (kind == null) {
            String near = Operations.nearest(kw.text());
            throw error(kw, "unknown operation '" + kw.text() + "'" + (near == null ? "" : " (did you mean " + near + "?)"));
        }
        List<Token> args = t.subList(i + 1, t.size());
        for (Token a : args) {
            if (!a.quoted() && (a.is("=") || a.is(":") || a.is("[") || a.is("]"))) {
                throw error(a, "unexpected '" + a.text() + "' in arguments of " + kind.keyword());
            }
        }
        List<String> sig = kind.signature();
        if (args.size() < kind.minArgs() || args.size() > sig.size()) {
            Token at = args.size() > sig.size() ? args.get(sig.size()) : kw;
            throw error(at, kind.keyword() + " takes " + arity(kind) + ": " + kind.usage() + "; got " + args.size());
        }
        List<Arg> parsed = new ArrayList<>();
        for (int a = 0; a < args.size(); a++) {
            parsed.add(binder.arg(actor, sig.get(a).replace("[", "").replace("]", ""), args.get(a), lineNo, kind));
        }
        if (assign != null) {
            binder.assign(actor, assign);
        }
        String text = raw.strip();
        int hash = text.indexOf('#');
        text = (hash >= 0 ? text.substring(0, hash) : text).strip();
        if (from > 0) {
            text = text.substring(text.indexOf(':') + 1).strip();
        }
        return new Op(kind, List.copyOf(parsed), assign, lineNo, text);
    }

    private static String arity(Operation kind) {
        int min = kind.minArgs();
        int max = kind.signature().size();
        String n = min == max ? Integer.toString(min) : min + " to " + max;
        return n + (max == 1 && min == 1 ? " argument" : " arguments");
    }

    private void exists(String raw, List<Token> rawTokens) throws ScenarioException {
        if (condition != null) {
            throw error(rawTokens.get(0), "only one 'exists' condition per scenario");
        }
        flush();
        List<Token> t = Lexer.lex(raw, Lexer.Mode.CODE, file, lineNo);
        if (t.size() < 2) {
            throw error(t.get(0), "exists needs a condition, e.g. exists (P:r0 = 1)");
        }
        condition = new CondParser(this, binder, t.subList(1, t.size()), lineNo).parse();
        String text = raw.strip().substring("exists".length()).strip();
        int hash = text.indexOf('#');
        conditionText = hash >= 0 ? text.substring(0, hash).strip() : text;
    }

    private void expect(List<Token> t) throws ScenarioException {
        if (t.size() < 3) {
            throw error(t.get(0), "expected: expect KERNEL... always|sometimes|never|allowed|forbidden");
        }
        Token word = t.get(t.size() - 1);
        if (!Expectation.WORDS.contains(word.text())) {
            throw error(word, "'" + word.text() + "' is not an outcome: write always, sometimes, never, allowed "
                    + "or forbidden");
        }
        for (Token k : t.subList(1, t.size() - 1)) {
            try {
                KernelSpec.resolve(k.text(), overrides, Map.of());
            } catch (IllegalArgumentException e) {
                throw error(k, e.getMessage());
            }
            for (Expectation e : expectations) {
                if (e.kernel().equals(k.text())) {
                    throw error(k, "kernel " + k.text() + " already has an expectation (line " + e.line() + ")");
                }
            }
            expectations.add(new Expectation(k.text(), word.text(), lineNo));
        }
    }

    /**
     * {@code known KERNEL... WORD "SOURCE"}: a fact about the real kernel. Only plain profile names: a kernel with
     * switches overridden is not a kernel anyone ran.
     */
    private void known(List<Token> t) throws ScenarioException {
        Token source = knownSource(t);
        Token word = t.get(t.size() - 2);
        if (!Expectation.WORDS.contains(word.text())) {
            throw error(word, "'" + word.text() + "' is not an outcome: write always, sometimes, never, allowed "
                    + "or forbidden");
        }
        for (Token k : t.subList(1, t.size() - 2)) {
            if (k.text().indexOf('[') >= 0) {
                throw error(k, "a known fact is about a real kernel: name a profile without switch overrides, "
                        + "not " + k.text());
            }
            try {
                KernelSpec.resolve(k.text(), Map.of());
            } catch (IllegalArgumentException e) {
                throw error(k, e.getMessage());
            }
            for (Known f : known) {
                if (f.kernel().equals(k.text())) {
                    throw error(k, "kernel " + k.text() + " already has a known fact (line " + f.line() + ")");
                }
            }
            known.add(new Known(k.text(), word.text(), source.text(), lineNo));
        }
    }

    /** The quoted SOURCE that ends a {@code known} line, once the line has the shape KERNEL... WORD "SOURCE". */
    private Token knownSource(List<Token> t) throws ScenarioException {
        String usage = "known KERNEL... always|sometimes|never|allowed|forbidden \"SOURCE\"";
        Token last = t.get(t.size() - 1);
        for (int i = 1; i < t.size() - 1; i++) {
            if (t.get(i).quoted()) {
                throw last.quoted() ? error(t.get(i), "only the SOURCE is quoted: " + usage)
                        : error(t.get(i + 1), "nothing may follow the quoted SOURCE: " + usage);
            }
        }
        if (!last.quoted() && t.size() >= 3) {
            throw error(lineNo, last.col() + last.text().length(), "known needs a quoted SOURCE after the outcome, "
                    + "saying where the fact comes from: " + usage);
        }
        if (t.size() < 4) {
            throw error(t.get(0), "expected: " + usage);
        }
        if (last.text().isBlank()) {
            throw error(last, "the SOURCE of a known fact must not be empty: say where the fact comes from");
        }
        return last;
    }

    private void flush() throws ScenarioException {
        if (script != null) {
            flushScript();
        }
        if (group != null) {
            flushGroup();
        }
    }

    private void flushScript() {
        program.add(new Scenario.Script(List.copyOf(script)));
        script = null;
    }

    private void flushGroup() throws ScenarioException {
        RcacheOps.oneThreadPerCache(group, this);
        program.add(new Scenario.Group(List.copyOf(group)));
        group = null;
    }
}
