package org.mmsim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.state.StateHasher;

/** A copy of the bindings shares their maps until one side writes: each side then sees only its own writes. */
class BindingsTest {
    private final Kernel k = Kernel.boot(Profiles.byName("6.18"), 64, 0);

    private static long hash(Bindings b) {
        StateHasher h = new StateHasher();
        b.hashInto(h);
        return h.value();
    }

    @Test
    void aWriteAfterACopyIsSeenOnlyBySideThatMadeIt() {
        Bindings a = new Bindings(k, "t.mms");
        a.setRegister("T1", "r1", Value.of(1));
        a.bind("A", new Bindings.Address(0x1000));
        long before = hash(a);
        Bindings c = a.copy(k);
        assertThat(hash(c)).isEqualTo(before);

        c.setRegister("T1", "r1", Value.of(2));
        c.bind("B", new Bindings.Address(0x2000));
        assertThat(a.register("T1", "r1")).isEqualTo(Value.of(1));
        assertThat(c.register("T1", "r1")).isEqualTo(Value.of(2));
        assertThat(hash(a)).isEqualTo(before);
        assertThat(hash(c)).isNotEqualTo(before);
        assertThat(c.version()).isEqualTo(a.version() + 1);

        a.setRegister("T2", "r1", Value.of(3));
        assertThat(c.register("T2", "r1")).isEqualTo(Value.UNSET);
        assertThat(hash(a)).isNotEqualTo(before);
    }

    @Test
    void theRememberedHashIsDroppedByEveryWrite() {
        Bindings a = new Bindings(k, "t.mms");
        a.setRegister("T1", "r1", Value.of(1));
        long one = hash(a);
        a.setRegister("T1", "r1", Value.of(2));
        long two = hash(a);
        a.setRegister("T1", "r1", Value.of(1));

        assertThat(two).isNotEqualTo(one);
        assertThat(hash(a)).isEqualTo(one);
    }

    @Test
    void registersAreHandedOutAsACopy() {
        Bindings a = new Bindings(k, "t.mms");
        a.setRegister("T1", "r1", Value.of(1));
        var regs = a.registers();
        a.setRegister("T1", "r1", Value.of(2));

        assertThat(regs.get("T1").get("r1")).isEqualTo(Value.of(1));
    }
}
