package org.mmsim.scenario;

/** The final condition of a scenario, herd7-style: atoms combined with {@code /\}, {@code \/} and {@code ~}. */
public sealed interface Cond {

    record And(Cond left, Cond right) implements Cond {
        @Override
        public String toString() {
            return "(" + left + " /\\ " + right + ")";
        }
    }

    record Or(Cond left, Cond right) implements Cond {
        @Override
        public String toString() {
            return "(" + left + " \\/ " + right + ")";
        }
    }

    record Not(Cond inner) implements Cond {
        @Override
        public String toString() {
            return "~" + inner;
        }
    }

    /**
     * {@code oops}: the model oopsed (a {@code BUG_ON} of the kernel, e.g. ext4's on a dirty page without buffers).
     * A condition that names it is evaluated even after an oops (registers of operations that never ran are UNSET);
     * one that does not counts as false then.
     */
    record Oops() implements Cond {
        @Override
        public String toString() {
            return "oops";
        }
    }

    /**
     * {@code violated NAME}: the built-in invariant {@code NAME} reports a violation on the final state (before
     * teardown). Meant for invariants whose violation stays in the state once it happened, such as
     * {@code pin-tracking-sound}, which records a wrong judgement made inside a call.
     */
    record Violated(String invariant) implements Cond {
        @Override
        public String toString() {
            return "violated " + invariant;
        }
    }

    /**
     * {@code diverged [CAUSE]}: in the final state a long-term pin or a device's translation holds a frame the CPU no
     * longer maps at that address because the program itself took the mapping away ({@code cause}: munmap, mmap,
     * mremap, madvise or ftruncate; null: any). The kernel does this by design, so it is an observation, not a
     * violation.
     */
    record Diverged(String cause) implements Cond {
        @Override
        public String toString() {
            return cause == null ? "diverged" : "diverged " + cause;
        }
    }

    /** Whether {@code c} names {@code oops}. */
    static boolean mentionsOops(Cond c) {
        return switch (c) {
            case And a -> mentionsOops(a.left()) || mentionsOops(a.right());
            case Or o -> mentionsOops(o.left()) || mentionsOops(o.right());
            case Not n -> mentionsOops(n.inner());
            case Oops o -> true;
            case Violated v -> false;
            case Diverged d -> false;
            case Cmp cmp -> false;
            case CmpTerms cmp -> false;
        };
    }

    /** {@code TERM = VALUE} or {@code TERM != VALUE}. */
    record Cmp(Term term, boolean equal, Value literal, String literalText) implements Cond {
        @Override
        public String toString() {
            return term + (equal ? " = " : " != ") + literalText;
        }
    }

    /** {@code TERM = TERM} or {@code TERM != TERM}: two registers or words compared (a pfn before and after). */
    record CmpTerms(Term left, boolean equal, Term right) implements Cond {
        @Override
        public String toString() {
            return left + (equal ? " = " : " != ") + right;
        }
    }

    /** Something the condition reads in the final state. */
    sealed interface Term {}

    /** {@code ACTOR:REG}: a register of an actor. */
    record Reg(String actor, String reg) implements Term {
        @Override
        public String toString() {
            return actor + ":" + reg;
        }
    }

    /** {@code [ACTOR:ADDR]}: the word the actor would load at ADDR now, read without faulting. */
    record Mem(String actor, Arg.Addr addr, String text) implements Term {
        @Override
        public String toString() {
            return "[" + actor + ":" + text + "]";
        }
    }
}
