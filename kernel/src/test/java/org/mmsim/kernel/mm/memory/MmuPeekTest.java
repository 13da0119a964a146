package org.mmsim.kernel.mm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmsim.kernel.testing.TestKernels.PAGE;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.creat;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.mmapFile;
import static org.mmsim.kernel.testing.TestKernels.pwrite;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.fs.FsType;
import org.mmsim.kernel.task.Task;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code Kernel.peek} of many addresses at once ({@link Mmu#peek(org.mmsim.kernel.mm.Mm, long[], int, long[], byte[])})
 * answers what {@code Kernel.peek} of each answers, or leaves it to that: words stored and untouched, no VMA, no read
 * permission, a file page no pte maps, addresses outside user space and addresses that are not a word's.
 */
class MmuPeekTest {
    @Test
    void eachAddressGetsWhatItsOwnPeekGives() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long anon = mmapAnon(k, t, 2, RW);
        write(k, t, anon, 0x5);
        write(k, t, anon + 8, -1);
        long none = mmapAnon(k, t, 1, Mman.PROT_NONE);
        int fd = creat(k, t, FsType.TMPFS, "f", PAGE);
        pwrite(k, t, fd, 0, 0x9);
        long file = mmapFile(k, t, fd, 1, Mman.PROT_READ, Mman.MAP_SHARED);
        long[] addrs = {anon, anon + 8, anon + PAGE, anon + 2 * PAGE, none, file, anon, -12, 1L << 47};
        long[] words = new long[addrs.length];
        byte[] status = new byte[addrs.length];

        k.peek(t, addrs, addrs.length, words, status);

        byte[] expected = {Mmu.PEEK_WORD, Mmu.PEEK_WORD, Mmu.PEEK_WORD, Mmu.PEEK_SIGNAL, Mmu.PEEK_SIGNAL, Mmu.PEEK_ASK,
            Mmu.PEEK_WORD, Mmu.PEEK_SIGNAL, Mmu.PEEK_SIGNAL};
        assertThat(status).containsExactly(expected);
        for (int i = 0; i < addrs.length; i++) {
            Long one = k.peek(t, addrs[i]);
            if (status[i] == Mmu.PEEK_WORD) {
                assertThat(words[i]).as("word at %#x", addrs[i]).isEqualTo(one);
            } else if (status[i] == Mmu.PEEK_SIGNAL) {
                assertThat(one).as("signal at %#x", addrs[i]).isNull();
            }
        }
        assertThat(k.peek(t, file)).as("the page cache's word, as a load would fault it in").isEqualTo(0x9L);
    }

    @Test
    void anAddressThatIsNotAWordsIsLeftToTheSinglePeekWhichRefusesIt() {
        Kernel k = boot("6.18");
        Task t = k.spawn("p");
        long anon = mmapAnon(k, t, 1, RW);
        long[] addrs = {anon + 4, anon};
        long[] words = new long[2];
        byte[] status = new byte[2];

        k.peek(t, addrs, 2, words, status);

        assertThat(status).containsExactly(Mmu.PEEK_ASK, Mmu.PEEK_WORD);
        assertThatThrownBy(() -> k.peek(t, anon + 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
