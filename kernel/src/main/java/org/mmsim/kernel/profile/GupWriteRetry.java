package org.mmsim.kernel.profile;

/**
 * What {@code __get_user_pages} does after a write fault on a read-only pte it could not follow for write:
 * the rule in {@code can_follow_write_pte}.
 */
public enum GupWriteRetry {
    /** Up to 4.8: the fault "did the COW", so GUP drops FOLL_WRITE and retries as a read (Dirty COW). */
    DROP_FOLL_WRITE,
    /** 4.9 ({@code 19be0eaffa3a}): set FOLL_COW; a R/O pte may be followed for a forced write if it is dirty. */
    FOLL_COW,
    /** 6.0 ({@code 5535be309971}): a R/O pte may be followed for a forced write only if its page is anon-exclusive. */
    ANON_EXCLUSIVE
}
