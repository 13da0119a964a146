package org.mmsim.scenario;

import org.mmsim.kernel.uapi.Errno;

/**
 * What a register holds: a 64-bit number (data, or a syscall's return including -errno), or the failure of an
 * operation that returns data: a signal ({@code SIGSEGV}, {@code SIGBUS}) or an errno ({@code -EAGAIN}).
 * Also the literals of conditions. {@link #UNSET} is a register never assigned.
 */
public record Value(long number, String failure, boolean data) {
    public static final Value UNSET = new Value(0, "unset", false);
    /** A read at or beyond the end of a file: 0 bytes. */
    public static final Value EOF = new Value(0, "EOF", false);

    /** A system call's return: a count, address or pid, or -errno (printed by name). */
    public static Value of(long n) {
        return new Value(n, null, false);
    }

    /** A data word read from memory, a pipe or a device: printed as a number even when negative. */
    public static Value data(long n) {
        return new Value(n, null, true);
    }

    public static Value signal(int sig) {
        return new Value(0, sig == 7 ? "SIGBUS" : "SIGSEGV", false);
    }

    public static Value errno(int errno) {
        return new Value(-errno, "-" + Errno.name(errno), false);
    }

    public boolean failed() {
        return failure != null;
    }

    /**
     * Condition equality: numbers compare by value; an errno literal such as {@code -EFAULT} also matches the
     * same errno returned by a data operation; a signal matches only the same signal, and {@code EOF} only EOF (a
     * read of 0 bytes is not the data word 0).
     */
    public boolean matches(Value literal) {
        if (this == UNSET || literal == UNSET) {
            return false;
        }
        if (symbolic(literal) || symbolic(this)) {
            return literal.failure != null && literal.failure.equals(failure);
        }
        return number == literal.number;
    }

    /** A signal or EOF: a value that is not a number. */
    private static boolean symbolic(Value v) {
        return v.failure != null && (v.failure.startsWith("SIG") || v == EOF || v.failure.equals("EOF"));
    }

    /**
     * Decimal from 0 to 15, hex otherwise (data words, addresses, byte counts; negative data as 64-bit hex);
     * a negative system-call return by its errno name; failures by their symbol.
     */
    @Override
    public String toString() {
        if (failure != null) {
            return failure;
        }
        if (!data && number < 0 && Errno.isError(number) && Errno.name((int) -number) != null) {
            return "-" + Errno.name((int) -number);
        }
        return number >= 0 && number < 16 ? Long.toString(number) : String.format("%#x", number);
    }
}
