package org.mmsim.scenario;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.mmsim.kernel.check.Divergences;
import org.mmsim.kernel.check.Invariants;
import org.mmsim.kernel.mm.memory.Mmu;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Signal;

/** The final condition, evaluated on the machine as the program left it, before teardown. */
final class Conditions {
    private Conditions() {}

    /**
     * {@code c} on the final state, walked as a tree; {@code oopsed}: whether the model oopsed (the value of
     * {@code oops}). A {@link Plan} evaluates the connectives and the words of memory itself and leaves the other
     * nodes to this.
     */
    private static boolean eval(Cond c, Bindings b, boolean oopsed) throws ScenarioException {
        return switch (c) {
            case Cond.And a -> eval(a.left(), b, oopsed) && eval(a.right(), b, oopsed);
            case Cond.Or o -> eval(o.left(), b, oopsed) || eval(o.right(), b, oopsed);
            case Cond.Not n -> !eval(n.inner(), b, oopsed);
            case Cond.Cmp cmp -> value(cmp.term(), b).matches(cmp.literal()) == cmp.equal();
            case Cond.Oops o -> oopsed;
            case Cond.Violated v -> Invariants.all().stream()
                    .filter(inv -> inv.name().equals(v.invariant()))
                    .anyMatch(inv -> !inv.check(b.kernel()).isEmpty());
            case Cond.Diverged d -> Divergences.of(b.kernel()).stream()
                    .anyMatch(v -> d.cause() == null || d.cause().equals(v.cause()));
            case Cond.CmpTerms cmp -> value(cmp.left(), b).matches(value(cmp.right(), b)) == cmp.equal();
        };
    }

    /**
     * {@code c} made ready for evaluation at every final state ({@link Plan#eval}): each chain of {@code \/} (and of
     * {@code /\}) is one node over its operands in order, the parser's left-leaning tree flattened, so that a litmus
     * condition of a dozen terms is one loop instead of a dozen nested calls, and each comparison of a word of memory
     * with a number reads the word without making a {@code Value}.
     */
    static Plan plan(Cond c) {
        return new Plan(node(c));
    }

    /** A condition ready for evaluation; immutable, so a run and its copies share it. */
    static final class Plan {
        private final Node root;

        private Plan(Node root) {
            this.root = root;
        }

        /** The condition on the final state, as {@link Conditions#eval(Cond, Bindings, boolean)} evaluates it. */
        boolean eval(Bindings b, boolean oopsed) throws ScenarioException {
            return root.eval(b, oopsed);
        }
    }

    /** A node of a {@link Plan}: evaluated in the order, and short-circuited where, the condition's tree would be. */
    private sealed interface Node {
        boolean eval(Bindings b, boolean oopsed) throws ScenarioException;
    }

    /** Operands joined by {@code \/} ({@code any}) or {@code /\}, in order. */
    private record Chain(boolean any, Node[] operands) implements Node {
        @Override
        public boolean eval(Bindings b, boolean oopsed) throws ScenarioException {
            for (Node n : operands) {
                if (n.eval(b, oopsed) == any) {
                    return any;
                }
            }
            return !any;
        }
    }

    /**
     * {@code [ACTOR:ADDR] = N} or {@code !=}: the word against the number ({@link #word}), without making the
     * {@code Value} the tree's comparison would (a task that is gone, or a load that would fault, matches no number).
     */
    private record Word(Cond.Mem mem, long number, boolean equal) implements Node {
        @Override
        public boolean eval(Bindings b, boolean oopsed) throws ScenarioException {
            Long word = word(mem, b);
            return holds(word != null, word == null ? 0 : word);
        }

        /** The comparison, given whether a load reads a word ({@link #word} gives none) and which. */
        boolean holds(boolean read, long word) {
            return (read && word == number) == equal;
        }
    }

    /** {@code ~} of a node. */
    private record Negation(Node inner) implements Node {
        @Override
        public boolean eval(Bindings b, boolean oopsed) throws ScenarioException {
            return !inner.eval(b, oopsed);
        }
    }

    /** Any other node, evaluated as {@link Conditions#eval(Cond, Bindings, boolean)} evaluates it. */
    private record Whole(Cond cond) implements Node {
        @Override
        public boolean eval(Bindings b, boolean oopsed) throws ScenarioException {
            return Conditions.eval(cond, b, oopsed);
        }
    }

    /**
     * Consecutive operands of a chain that compare words of one actor at addresses off one name with numbers (a litmus
     * condition's every term, mostly), read in one pass ({@code Kernel.peek} of them all) when the chain reaches the
     * first: the reads change nothing, and the name resolves for all of them if it does for the first, so reading the
     * ones a short-circuit would skip changes no result and raises no error the tree's order would not.
     */
    private record Words(boolean any, Word[] terms) implements Node {
        @Override
        public boolean eval(Bindings b, boolean oopsed) throws ScenarioException {
            int n = terms.length;
            Task t = b.taskOrNull(terms[0].mem().actor());
            if (t == null || t.exited()) {
                for (Word w : terms) {
                    if (w.holds(false, 0) == any) {
                        return any;
                    }
                }
                return !any;
            }
            // one name for all the terms: resolved once, each term its offset from it
            long base = b.resolve(terms[0].mem().addr(), 0) - terms[0].mem().addr().offset();
            long[] addrs = new long[n];
            for (int k = 0; k < n; k++) {
                addrs[k] = base + terms[k].mem().addr().offset();
            }
            long[] words = new long[n];
            byte[] status = new byte[n];
            b.kernel().peek(t, addrs, n, words, status);
            for (int k = 0; k < n; k++) {
                boolean holds;
                if (status[k] == Mmu.PEEK_ASK) {
                    Long word = b.kernel().peek(t, addrs[k]);
                    holds = terms[k].holds(word != null, word == null ? 0 : word);
                } else {
                    holds = terms[k].holds(status[k] == Mmu.PEEK_WORD, words[k]);
                }
                if (holds == any) {
                    return any;
                }
            }
            return !any;
        }
    }

    private static Node node(Cond c) {
        if (c instanceof Cond.Or || c instanceof Cond.And) {
            boolean any = c instanceof Cond.Or;
            List<Node> operands = new ArrayList<>();
            flatten(c, any, operands);
            return new Chain(any, runs(any, operands));
        }
        if (c instanceof Cond.Not n) {
            return new Negation(node(n.inner()));
        }
        if (c instanceof Cond.Cmp cmp && cmp.term() instanceof Cond.Mem m && cmp.literal().failure() == null) {
            return new Word(m, cmp.literal().number(), cmp.equal());
        }
        return new Whole(c);
    }

    /** {@code operands} with each run of two or more {@link Word}s of one actor and one name made one {@link Words}. */
    private static Node[] runs(boolean any, List<Node> operands) {
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < operands.size(); ) {
            int j = i + 1;
            if (operands.get(i) instanceof Word first && first.mem().addr().base() != null) {
                while (j < operands.size() && operands.get(j) instanceof Word w
                        && w.mem().actor().equals(first.mem().actor())
                        && first.mem().addr().base().equals(w.mem().addr().base())) {
                    j++;
                }
            }
            if (j - i < 2) {
                out.add(operands.get(i));
            } else {
                out.add(new Words(any, operands.subList(i, j).toArray(new Word[0])));
            }
            i = j;
        }
        return out.toArray(new Node[0]);
    }

    /**
     * The operands of the chain of {@code \/} ({@code any}) or {@code /\} that {@code c} heads, left to right: down
     * the left spine without recursion (the parser makes a chain of n operands a left-leaning tree n deep), into a
     * parenthesised chain of the same kind by recursion (as deep as the parentheses).
     */
    private static void flatten(Cond c, boolean any, List<Node> into) {
        Deque<Cond> rights = new ArrayDeque<>();
        Cond spine = c;
        while (links(spine, any)) {
            rights.push(spine instanceof Cond.Or o ? o.right() : ((Cond.And) spine).right());
            spine = spine instanceof Cond.Or o ? o.left() : ((Cond.And) spine).left();
        }
        into.add(node(spine));
        while (!rights.isEmpty()) {
            Cond right = rights.pop();
            if (links(right, any)) {
                flatten(right, any, into);
            } else {
                into.add(node(right));
            }
        }
    }

    /** Whether {@code c} is a {@code \/} ({@code any}) or a {@code /\}. */
    private static boolean links(Cond c, boolean any) {
        return any ? c instanceof Cond.Or : c instanceof Cond.And;
    }

    /** What a load at {@code [ACTOR:ADDR]} would return now (without faulting); null if the task is gone or it faults. */
    private static Long word(Cond.Mem m, Bindings b) throws ScenarioException {
        Task t = b.taskOrNull(m.actor());
        return t == null || t.exited() ? null : b.kernel().peek(t, b.resolve(m.addr(), 0));
    }

    /** A register's value, or what a load at {@code [ACTOR:ADDR]} would return now (without faulting). */
    private static Value value(Cond.Term term, Bindings b) throws ScenarioException {
        if (term instanceof Cond.Reg r) {
            return b.register(r.actor(), r.reg());
        }
        Cond.Mem m = (Cond.Mem) term;
        Task t = b.taskOrNull(m.actor());
        if (t == null || t.exited()) {
            return Value.UNSET;
        }
        Long v = b.kernel().peek(t, b.resolve(m.addr(), 0));
        return v == null ? Value.signal(Signal.SIGSEGV) : Value.data(v);
    }
}
