package org.mmsim.scenario;

/** Number literals: decimal or 0x hex, optionally negative, with an optional K/M/G suffix where sizes are allowed. */
final class Numbers {
    private Numbers() {}

    /** The value of {@code s}, or {@code Long.MIN_VALUE} if it is not a number. */
    static long parse(String s, boolean suffix) {
        if (s.isEmpty()) {
            return Long.MIN_VALUE;
        }
        boolean neg = s.startsWith("-");
        String body = neg ? s.substring(1) : s;
        long mult = 1;
        if (suffix && !body.isEmpty() && !body.startsWith("0x")) {
            char last = Character.toUpperCase(body.charAt(body.length() - 1));
            mult = switch (last) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                default -> 1;
            };
            if (mult != 1) {
                body = body.substring(0, body.length() - 1);
            }
        }
        try {
            long v = body.startsWith("0x") || body.startsWith("0X")
                    ? Long.parseUnsignedLong(body.substring(2), 16)
                    : Long.parseLong(body);
            return neg ? -(v * mult) : v * mult;
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }
}
