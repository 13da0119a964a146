package org.mmsim.scenario;

import java.util.List;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.mm.Detachments;
import org.mmsim.kernel.uapi.Errno;

/**
 * The {@code exists} condition: {@code or := and (\/ and)*}, {@code and := unary (/\ unary)*},
 * {@code unary := ~unary | (or) | oops | violated NAME | diverged [CAUSE] | TERM (=|!=) LITERAL|TERM}, where
 * TERM is {@code ACTOR:REG} or {@code [ACTOR:ADDR]} and LITERAL a number, {@code -EFAULT}-style errno,
 * {@code SIGSEGV}, {@code SIGBUS} or {@code EOF}. {@code &&}, {@code ||},
 * {@code !} and {@code ==} are accepted too.
 */
final class CondParser {
    /** How deep parentheses and negations may nest: deeper is a scenario error, not a stack overflow. */
    static final int MAX_DEPTH = 64;
    /** How many comparisons one condition may hold (evaluation recurses through them). */
    static final int MAX_COMPARISONS = 1024;

    private final ScenarioParser parser;
    private final Binder binder;
    private final List<Token> t;
    private final int line;
    private int i;
    private int depth;
    private int comparisons;

    CondParser(ScenarioParser parser, Binder binder, List<Token> tokens, int line) {
        this.parser = parser;
        this.binder = binder;
        this.t = tokens;
        this.line = line;
    }

    Cond parse() throws ScenarioException {
        Cond c = or();
        if (i < t.size()) {
            throw err(t.get(i), "unexpected '" + t.get(i).text() + "' in condition");
        }
        return c;
    }

    private ScenarioException err(Token at, String reason) {
        return parser.error(line, at.col(), reason);
    }

    private Token peek() {
        return i < t.size() ? t.get(i) : null;
    }

    private Token next(String what) throws ScenarioException {
        if (i >= t.size()) {
            throw err(t.get(t.size() - 1), "condition ends early: expected " + what);
        }
        return t.get(i++);
    }

    private Cond or() throws ScenarioException {
        Cond c = and();
        while (peek() != null && (peek().is("\\/") || peek().is("||"))) {
            i++;
            c = new Cond.Or(c, and());
        }
        return c;
    }

    private Cond and() throws ScenarioException {
        Cond c = unary();
        while (peek() != null && (peek().is("/\\") || peek().is("&&"))) {
            i++;
            c = new Cond.And(c, unary());
        }
        return c;
    }

    private Cond unary() throws ScenarioException {
        Token tok = next("a comparison");
        if (tok.is("~") || tok.is("!") || tok.is("not") || tok.is("(")) {
            if (++depth > MAX_DEPTH) {
                throw err(tok, "the condition nests deeper than " + MAX_DEPTH + " levels");
            }
        }
        if (tok.is("~") || tok.is("!") || tok.is("not")) {
            Cond c = new Cond.Not(unary());
            depth--;
            return c;
        }
        if (tok.is("oops")) {
            return new Cond.Oops();
        }
        if (tok.is("violated")) {
            Token name = next("an invariant name");
            if (Invariants.all().stream().noneMatch(v -> v.name().equals(name.text()))) {
                throw err(name, "unknown invariant '" + name.text() + "'");
            }
            return new Cond.Violated(name.text());
        }
        if (tok.is("diverged")) {
            if (peek() != null && Detachments.CAUSES.contains(peek().text())) {
                return new Cond.Diverged(next("a cause").text());
            }
            return new Cond.Diverged(null);
        }
        if (tok.is("(")) {
            Cond c = or();
            depth--;
            Token close = next("')'");
            if (!close.is(")")) {
                throw err(close, "expected ')'");
            }
            return c;
        }
        i--;
        return comparison();
    }

    private Cond comparison() throws ScenarioException {
        if (++comparisons > MAX_COMPARISONS) {
            throw err(peek(), "the condition has more than " + MAX_COMPARISONS + " comparisons");
        }
        Cond.Term term = term();
        Token op = next("'=' or '!='");
        if (!(op.is("=") || op.is("==") || op.is("!="))) {
            throw err(op, "expected '=' or '!=' after " + term);
        }
        if (startsTerm()) {
            return new Cond.CmpTerms(term, !op.is("!="), term());
        }
        Token lit = next("a value");
        return new Cond.Cmp(term, !op.is("!="), literal(lit), lit.text());
    }

    /** Whether the next tokens are {@code [ACTOR:...]} or {@code ACTOR:REG} rather than a literal. */
    private boolean startsTerm() {
        return i < t.size() && (t.get(i).is("[") || i + 1 < t.size() && t.get(i + 1).is(":"));
    }

    private Cond.Term term() throws ScenarioException {
        Token first = next("ACTOR:REG or [ACTOR:ADDR]");
        boolean mem = first.is("[");
        Token actor = mem ? next("an actor") : first;
        Token colon = next("':'");
        if (!colon.is(":")) {
            throw err(colon, "expected ':' after " + actor.text() + " (write ACTOR:REG)");
        }
        Token what = next(mem ? "an address" : "a register");
        if (mem) {
            binder.requireActor(actor.text(), line, actor.col());
            Arg.Addr addr = binder.address(what.text(), line, what.col());
            Token close = next("']'");
            if (!close.is("]")) {
                throw err(close, "expected ']'");
            }
            return new Cond.Mem(actor.text(), addr, what.text());
        }
        binder.requireRegister(actor.text(), what.text(), line, actor.col());
        return new Cond.Reg(actor.text(), what.text());
    }

    private Value literal(Token tok) throws ScenarioException {
        String s = tok.text();
        if (s.equals("SIGSEGV")) {
            return Value.signal(11);
        }
        if (s.equals("SIGBUS")) {
            return Value.signal(7);
        }
        if (s.equals("EOF")) {
            return Value.EOF;
        }
        if (s.startsWith("-E")) {
            int e = Errno.byName(s.substring(1));
            if (e < 0) {
                throw err(tok, "unknown errno '" + s.substring(1) + "'");
            }
            return Value.of(-e);
        }
        long v = Numbers.parse(s, false);
        if (v == Long.MIN_VALUE) {
            throw err(tok, "'" + s + "' is not a value: write a number, -EFAULT-style errno, SIGSEGV, SIGBUS or EOF");
        }
        return Value.of(v);
    }
}
