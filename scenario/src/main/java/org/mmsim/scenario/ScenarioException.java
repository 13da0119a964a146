package org.mmsim.scenario;

/**
 * An invalid scenario: its message is {@code FILE:LINE:COL: reason}, the first thing a user sees, so it names
 * exactly where the problem is. Never carries a stack trace to the user.
 */
public final class ScenarioException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final int col;
    private final String reason;

    public ScenarioException(String file, int line, int col, String reason) {
        super(file + ":" + line + ":" + col + ": " + reason, null, false, false);
        this.file = file;
        this.line = line;
        this.col = col;
        this.reason = reason;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public int col() {
        return col;
    }

    public String reason() {
        return reason;
    }
}
