package org.mmsim.scenario;

/** One lexical token of a scenario line: its text and the 1-based column where it starts. */
record Token(String text, int col, boolean quoted) {

    boolean is(String s) {
        return !quoted && text.equals(s);
    }
}
