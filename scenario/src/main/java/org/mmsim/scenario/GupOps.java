package org.mmsim.scenario;

import static org.mmsim.scenario.Bindings.name;
import static org.mmsim.scenario.Bindings.num;
import static org.mmsim.scenario.Bindings.optFlags;
import static org.mmsim.scenario.Bindings.optNum;

import java.util.List;
import org.mmsim.kernel.mm.gup.GupPages;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.task.Task;

/**
 * The GUP test device: a driver that takes pages of the process with {@code get_user_pages*()} or
 * {@code pin_user_pages*()}, lets the device read and write them by DMA, and gives them back.
 */
final class GupOps {
    private GupOps() {}

    static List<Operation> operations() {
        return List.of(
                gup("get_user_pages", "get_user_pages(): FOLL_GET references held by NEW; returns pages or -errno",
                        (b, t, op) -> b.sys().getUserPages(t, b.addr(op, 1), (int) num(op, 2), optFlags(op, 3))),
                gup("get_user_pages_fast", "get_user_pages_fast()",
                        (b, t, op) -> b.sys().getUserPagesFast(t, b.addr(op, 1), (int) num(op, 2), optFlags(op, 3))),
                gup("pin_user_pages", "pin_user_pages(): FOLL_PIN pins held by NEW; returns pages or -errno",
                        (b, t, op) -> b.sys().pinUserPages(t, b.addr(op, 1), (int) num(op, 2), optFlags(op, 3))),
                gup("pin_user_pages_fast", "pin_user_pages_fast()",
                        (b, t, op) -> b.sys().pinUserPagesFast(t, b.addr(op, 1), (int) num(op, 2), optFlags(op, 3))),
                release("unpin_user_pages", "unpin_user_pages() of a pin_user_pages* handle", true,
                        (b, t, g) -> b.sys().unpinUserPages(t, g)),
                release("unpin_user_pages_dirty", "unpin_user_pages_dirty_lock(make_dirty=true)", true,
                        (b, t, g) -> b.sys().unpinUserPagesDirtyLock(t, g, true)),
                release("put_pages", "put_page() on each page of a get_user_pages* handle", false,
                        (b, t, g) -> b.sys().putPages(t, g)),
                release("put_pages_dirty", "set_page_dirty_lock() then put_page() on each page of a get_user_pages* "
                                + "handle (the pre-FOLL_PIN idiom of a device that wrote the pages)", false,
                        (b, t, g) -> b.sys().putPagesDirtyLock(t, g)),
                Operation.of("dma_read", "HANDLE [N [OFF]]", "the device reads page N of HANDLE at OFF; returns the value",
                        (b, t, op) -> b.sys().dmaRead(t, b.handle(op, 0), (int) optNum(op, 1, 0),
                                (int) (optNum(op, 2, 0) / 8)))
                        .returning((b, t, op, calls) -> word(calls.get(0))),
                Operation.of("dma_write", "HANDLE VALUE [N [OFF]]", "the device writes VALUE into page N of HANDLE at OFF",
                        (b, t, op) -> b.sys().dmaWrite(t, b.handle(op, 0), (int) optNum(op, 2, 0),
                                (int) (optNum(op, 3, 0) / 8), num(op, 1))));
    }

    private static Operation gup(String keyword, String doc, Operation.Start start) {
        return Operation.of(keyword, "NEW ADDR N [FOLL]", doc, start).binding("handle")
                .returning((b, t, op, calls) -> {
                    GupPages g = (GupPages) calls.get(0).result();
                    b.bind(name(op, 0), new Bindings.Handle(g.id()));
                    return Value.of(g.ret());
                });
    }

    /** How a release reaches the kernel, once the handle is known to hold what it releases. */
    @FunctionalInterface
    private interface Release {
        KernelCall<?> call(Bindings b, Task t, GupPages g);
    }

    private static Operation release(String keyword, String doc, boolean pins, Release release) {
        return Operation.of(keyword, "HANDLE", doc, (b, t, op) -> {
            GupPages g = b.handle(op, 0);
            if (g.pinned() != pins) {
                throw b.error(op, 0, name(op, 0) + " holds "
                        + (g.pinned() ? "pins: release it with unpin_user_pages" : "references: release it with put_pages"));
            }
            return release.call(b, t, g);
        });
    }

    /** The value of a call that made a word: the word, or its -errno. */
    static Value word(KernelCall<?> c) {
        return c.ret() < 0 ? Value.errno((int) -c.ret()) : Value.data((Long) c.result());
    }
}
