package org.mmsim.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one scenario line into tokens. Words are runs of letters, digits and {@code _ . | + - [ ] = ,}
 * (so {@code PROT_READ|PROT_WRITE}, {@code A+4K}, {@code -EFAULT} and {@code 6.18[cow_reuse=mapcount]} are one
 * word each); {@code "..."} is a string; {@code ( ) { } : ~ !} and the operators {@code /\ \/ && || != ==} stand
 * alone. In {@link Mode#CODE} mode {@code =}, {@code [} and {@code ]} stand alone too, for assignments and
 * memory terms. A {@code #} outside a string starts a comment.
 */
final class Lexer {
    enum Mode { RAW, CODE }

    private Lexer() {}

    static List<Token> lex(String line, Mode mode, String file, int lineNo) throws ScenarioException {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == '#') {
                break;
            }
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '"') {
                int j = line.indexOf('"', i + 1);
                if (j < 0) {
                    throw new ScenarioException(file, lineNo, i + 1, "unterminated string");
                }
                out.add(new Token(line.substring(i + 1, j), i + 1, true));
                i = j + 1;
                continue;
            }
            String op = operator(line, i, mode);
            if (op != null) {
                out.add(new Token(op, i + 1, false));
                i += op.length();
                continue;
            }
            int j = i;
            while (j < n && wordChar(line.charAt(j), mode)) {
                j++;
            }
            if (j == i) {
                throw new ScenarioException(file, lineNo, i + 1, "unexpected character " + describe(line, i));
            }
            // interned: the names a program uses are looked up at every explored state (bindings, actors, the
            // condition), and equal names that are one string compare at once
            out.add(new Token(line.substring(i, j).intern(), i + 1, false));
            i = j;
        }
        return out;
    }

    private static String operator(String s, int i, Mode mode) {
        for (String op : new String[] {"/\\", "\\/", "&&", "||", "!=", "=="}) {
            if (s.startsWith(op, i)) {
                return op;
            }
        }
        char c = s.charAt(i);
        if ("(){}:~!".indexOf(c) >= 0 || (mode == Mode.CODE && "=[]".indexOf(c) >= 0)) {
            return String.valueOf(c);
        }
        return null;
    }

    private static boolean wordChar(char c, Mode mode) {
        if (Character.isLetterOrDigit(c) || "_.|+-,".indexOf(c) >= 0) {
            return true;
        }
        return mode == Mode.RAW && "[]=".indexOf(c) >= 0;
    }

    /**
     * The character at {@code i} of {@code line} as an error names it: itself in quotes if it is printable ASCII; with
     * its code point if not ({@code '’' (U+2019)}, a quote pasted from a document); by its code point alone if it
     * shows nothing (a control character, a zero-width space or byte-order mark, a no-break space).
     */
    static String describe(String line, int i) {
        int cp = line.codePointAt(i);
        if (cp >= 0x21 && cp < 0x7f) {
            return "'" + (char) cp + "'";
        }
        String code = String.format("U+%04X", cp);
        int type = Character.getType(cp);
        boolean invisible = Character.isISOControl(cp) || type == Character.FORMAT || type == Character.SPACE_SEPARATOR
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.UNASSIGNED || type == Character.PRIVATE_USE || type == Character.SURROGATE;
        return invisible ? code + " (a character that shows nothing)" : "'" + Character.toString(cp) + "' (" + code
                + ")";
    }
}
