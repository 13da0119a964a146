package org.mmsim.kernel.sched;

import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.locking.Acquire;

/**
 * A call {@link KernelCall#run run} to its end, with nothing else running, reached a wait on a wait queue
 * ({@code wait_event}) whose condition does not hold: nobody could ever wake it (a blocking read of a device with
 * nothing queued, in a script where no other thread runs). The scenario layer reports it as an error at the
 * operation's line.
 */
@Export
public final class SleepsForever extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SleepsForever(String call, Acquire waitingFor) {
        super(call + " would sleep forever in " + waitingFor + ": nothing else runs to wake it", null, false, false);
    }
}
