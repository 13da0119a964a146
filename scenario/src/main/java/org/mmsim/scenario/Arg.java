package org.mmsim.scenario;

/** One operation argument, already checked against its {@link Operation}'s signature. */
sealed interface Arg {

    /** The column the argument starts at, for runtime messages. */
    int col();

    /** A name: one the operation binds (NEW) or one bound earlier (a pipe, a GUP handle). */
    record Name(String name, int col) implements Arg {}

    /** An address: a bound name plus a byte offset, or a plain number (name null). */
    record Addr(String base, long offset, int col) implements Arg {}

    /** A number: a length, count, value or offset. */
    record Num(long value, int col) implements Arg {}

    /** Flags ORed together (PROT_*, MAP_*, MADV_*, FOLL_*), with their source text. */
    record Flags(int value, String text, int col) implements Arg {}
}
