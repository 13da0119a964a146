package org.mmsim.kernel.mm.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.TestKernels.boot;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.task.Tasks;
import org.mmsim.kernel.uapi.Errno;

/** {@code pid_max} (PID_MAX_DEFAULT): with 32,767 tasks alive, {@code alloc_pid} finds no pid and fork is -EAGAIN. */
class PidMaxTest {

    @Test
    void forkPastPidMaxIsEagainAndAnExitMakesRoom() {
        Kernel k = boot("6.18");
        Task first = k.spawn("p0");
        for (int i = 1; i < Tasks.PID_MAX; i++) {
            k.spawn("p" + i);
        }
        assertThat(k.tasks().live()).isEqualTo(Tasks.PID_MAX);

        assertThat(k.syscalls().fork(first, "child").run()).isEqualTo(-Errno.EAGAIN);
        assertThat(k.tasks().live()).isEqualTo(Tasks.PID_MAX);

        Task last = k.tasks().all().get(Tasks.PID_MAX - 1);
        k.syscalls().exit(last).run();
        assertThat(k.syscalls().fork(first, "child").run()).as("the child's pid").isPositive();
    }
}
