package org.mmsim.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmsim.kernel.testing.KernelAssertions.pfnAt;
import static org.mmsim.kernel.testing.TestKernels.RW;
import static org.mmsim.kernel.testing.TestKernels.boot;
import static org.mmsim.kernel.testing.TestKernels.fork;
import static org.mmsim.kernel.testing.TestKernels.mmapAnon;
import static org.mmsim.kernel.testing.TestKernels.write;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.page.AccountingLedger;
import org.mmsim.kernel.task.Task;

/**
 * The accounting invariant checks from its ledger after a check that found everything balanced: what a step wrote,
 * with the ptes it added or removed, finds what the full check finds (each test runs with the two compared, so a
 * difference fails it), and anything the ledger cannot stand for (a new or dead mm, too much written, an unbalanced
 * state before) makes the check a full one. The test machine checks every invariant when a call returns, so the
 * corruptions below go through the frames' and the mm's setters, between checks.
 */
class AccountingLedgerTest {
    private final Kernel k = boot("6.18");
    private final Task t = k.spawn("p");
    private final long addr = mmapAnon(k, t, 2, RW);
    private final AccountingLedger ledger = k.frames().ledger();

    @BeforeEach
    void compareWithTheFullCheck() {
        Invariants.crossCheckAccounting(true);
    }

    @AfterEach
    void stopComparing() {
        Invariants.crossCheckAccounting(false);
    }

    private boolean fromLedger() {
        int dead = (int) k.mm().mms().stream().filter(Mm::dead).count();
        return ledger.usable(k.mm().mms().size(), dead);
    }

    @Test
    void aBalancedCheckStartsAnEmptyRecordThatTheNextWritesFill() {
        write(k, t, addr, 1); // the test machine checks every invariant when a call returns
        int pfn = pfnAt(t, addr);
        assertThat(fromLedger()).isTrue();
        assertThat(ledger.frames()).isZero();
        assertThat(ledger.pteChanges()).isZero();

        k.frames().setRefcount(pfn, 5);
        k.frames().setMapcount(pfn, 2);
        t.mm().setPte(addr + 4096, t.mm().pte(addr));

        assertThat(ledger.frames()).isEqualTo(1);
        assertThat(ledger.framePfn(0)).isEqualTo(pfn);
        assertThat(ledger.frameBefore(0, 0)).as("refcount at the check").isEqualTo(1);
        assertThat(ledger.frameBefore(0, 1)).as("stored mapcount at the check").isZero();
        assertThat(ledger.pteChanges()).isEqualTo(1);
        assertThat(ledger.pteChange(0, 0)).isEqualTo(t.mm().id());
        assertThat(ledger.pteChange(0, 1)).isEqualTo(pfn);
        assertThat(ledger.pteChange(0, 2)).isEqualTo(1);
        assertThat(Invariants.checkStep(k)).extracting(Violation::message).containsExactly(
                "pfn " + pfn + " has refcount 5 but 2 references can be named");
    }

    @Test
    void aStrayReferenceAfterABalancedCheckIsFoundFromTheLedger() {
        write(k, t, addr, 1);
        int pfn = pfnAt(t, addr);
        assertThat(fromLedger()).isTrue();

        k.frames().setRefcount(pfn, 3);

        assertThat(fromLedger()).isTrue();
        assertThat(Invariants.checkStep(k)).extracting(Violation::message)
                .containsExactly("pfn " + pfn + " has refcount 3 but 1 reference can be named");
        assertThat(fromLedger()).as("the state it found was not balanced").isFalse();
    }

    @Test
    void aPteMovedToAnotherPageWithoutItsCountsIsFoundOnBothPages() {
        write(k, t, addr, 1);
        write(k, t, addr + 4096, 2);
        int first = pfnAt(t, addr);
        int second = pfnAt(t, addr + 4096);
        assertThat(fromLedger()).isTrue();

        t.mm().setPte(addr + 4096, t.mm().pte(addr));

        assertThat(fromLedger()).isTrue();
        int low = Math.min(first, second);
        int high = Math.max(first, second);
        String gained = "pfn " + first + " has refcount 1 but 2 references can be named";
        String gainedMap = "pfn " + first + " has mapcount 1 but 2 ptes map it";
        String lost = "pfn " + second + " has refcount 1 but 0 references can be named";
        String lostMap = "pfn " + second + " has mapcount 1 but 0 ptes map it";
        assertThat(Invariants.checkStep(k)).extracting(Violation::message).containsExactlyElementsOf(
                low == first ? java.util.List.of(gained, gainedMap, lost, lostMap)
                        : java.util.List.of(lost, lostMap, gained, gainedMap));
        assertThat(high).isNotEqualTo(low);
    }

    @Test
    void aReferenceNamedOutsidePageTablesWithoutItsCountIsFoundThoughTheFrameWasNotWritten() {
        write(k, t, addr, 1);
        int pfn = pfnAt(t, addr);
        int[] claimed = {0};
        k.exports().registerPageReferences(new org.mmsim.kernel.mm.page.PageReferences() {
            @Override
            public String holder() {
                return "a device that forgot its get_page";
            }

            @Override
            public void visit(Visitor v) {
                if (claimed[0] > 0) {
                    v.ref(pfn, claimed[0]);
                }
            }
        });
        assertThat(Invariants.checkStep(k)).isEmpty();

        claimed[0] = 2;

        assertThat(fromLedger()).isTrue();
        assertThat(ledger.frames()).isZero();
        assertThat(Invariants.checkStep(k)).extracting(Violation::message)
                .containsExactly("pfn " + pfn + " has refcount 1 but 3 references can be named");
        claimed[0] = 0;
    }

    @Test
    void aPageFreedUnderItsPteIsNamedByTheFullCheck() {
        write(k, t, addr, 1);
        int pfn = pfnAt(t, addr);
        assertThat(fromLedger()).isTrue();

        k.frames().setRefcount(pfn, 0);

        assertThat(Invariants.checkStep(k)).extracting(Violation::message)
                .anySatisfy(m -> assertThat(m).startsWith("mm " + t.mm().id() + " maps free pfn " + pfn));
    }

    @Test
    void aNewMmMakesTheNextCheckAFullOne() {
        write(k, t, addr, 1);
        assertThat(fromLedger()).isTrue();

        k.spawn("q");

        assertThat(fromLedger()).isFalse();
        assertThat(Invariants.checkStep(k)).isEmpty();
        assertThat(fromLedger()).isTrue();
    }

    @Test
    void aLedgerThatGaveUpRecordsNothingAndTheNextCheckIsAFullOne() {
        write(k, t, addr, 1);
        assertThat(fromLedger()).isTrue();

        ledger.giveUp(); // as exit_mmap does: the mm it ends makes the next check a full one anyway
        k.frames().setRefcount(pfnAt(t, addr), 4);

        assertThat(ledger.frames()).isZero();
        assertThat(fromLedger()).isFalse();
        assertThat(Invariants.checkStep(k)).extracting(Violation::message)
                .containsExactly("pfn " + pfnAt(t, addr) + " has refcount 4 but 1 reference can be named");
    }

    @Test
    void aForkIsCheckedInFullAndTheChecksAfterItFromTheLedger() {
        write(k, t, addr, 1);
        Task child = fork(k, t, "child");
        assertThat(fromLedger()).isTrue();

        write(k, child, addr, 2); // a COW fault: a new page for the child, one pte less on the old one

        assertThat(fromLedger()).isTrue();
        assertThat(pfnAt(child, addr)).isNotEqualTo(pfnAt(t, addr));
    }

    @Test
    void moreFramesWrittenThanTheRecordHoldsMakeTheNextCheckAFullOne() {
        write(k, t, addr, 1);
        assertThat(fromLedger()).isTrue();
        for (int pfn = 100; pfn < 170; pfn++) {
            k.frames().setFlags(pfn, k.frames().flags(pfn));
        }
        assertThat(fromLedger()).isFalse();
        assertThat(Invariants.checkStep(k)).isEmpty();
        assertThat(fromLedger()).isTrue();
    }

    @Test
    void aCopyCarriesTheRecordAndChecksFromTheSamePoint() {
        write(k, t, addr, 1);
        assertThat(fromLedger()).isTrue();
        int pfn = pfnAt(t, addr);
        k.frames().setMapcount(pfn, 2);

        Kernel copy = k.copy();

        assertThat(copy.frames().ledger().frames()).isEqualTo(1);
        assertThat(Invariants.checkStep(copy)).extracting(Violation::message)
                .containsExactly("pfn " + pfn + " has mapcount 2 but 1 pte map it");
        assertThat(Invariants.checkStep(k)).extracting(Violation::message)
                .containsExactly("pfn " + pfn + " has mapcount 2 but 1 pte map it");
    }
}
