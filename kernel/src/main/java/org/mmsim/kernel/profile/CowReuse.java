package org.mmsim.kernel.profile;

/** How {@code do_wp_page} decides that a write fault may reuse a private anonymous page. */
public enum CowReuse {
    /**
     * Up to 5.8: {@code reuse_swap_page()}: reuse when the page's mapcount (plus swap count) is 1.
     * GUP references are ignored, the root of CVE-2020-29374 and of "COW can break either way".
     */
    MAPCOUNT,
    /** 5.9 ({@code 09854ba94c6a} "mm: do_wp_page() simplification"): reuse only when {@code page_count == 1}. */
    PAGE_COUNT,
    /**
     * 5.19 ({@code 6c287605fd56}): reuse a {@code PageAnonExclusive} page whatever its refcount; otherwise fall
     * back to the page-count rule, and mark the page exclusive when reusing it.
     */
    ANON_EXCLUSIVE
}
