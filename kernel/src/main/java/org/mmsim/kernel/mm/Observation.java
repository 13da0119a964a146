package org.mmsim.kernel.mm;

/**
 * Model shadow, not kernel state: a process (or a pipe on its behalf) read content of an anonymous page that
 * another mm stored. The isolation invariant decides whether that was legitimate (written before the fork that
 * separated them) or a leak.
 *
 * @param observerMmId the mm that observed the data
 * @param pfn the page read
 * @param writerMmId the mm whose user-space store put the data there
 * @param writeEpoch how many forks the writer had completed when it stored
 * @param how what observed it, e.g. "load" or "pipe 1 read"
 */
public record Observation(int observerMmId, int pfn, int writerMmId, int writeEpoch, String how) {}
