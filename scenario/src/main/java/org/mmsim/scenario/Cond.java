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

    /** {@code TERM = VALUE} or {@code TERM != VALUE}. */
    record Cmp(Term term, boolean equal, Value literal, String literalText) implements Cond {
        @Override
        public String toString() {
            return term + (equal ? " = " : " != ") + literalText;
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
