package org.mmsim.scenario;

import java.util.List;
import org.mmsim.kernel.trace.Change;

/**
 * One executed step: who ran it, what it returned, the kernel functions it went through and every change it made,
 * as data (ptes, struct page fields, mm counters and flags, VMAs, files; see {@link Change}); the report layer renders
 * them. Path and changes are empty unless the run was traced.
 *
 * @param index 1-based step number
 * @param line the scenario line of the operation (0 for teardown)
 * @param result what the operation returned, or "..." when this step stopped inside a kernel call
 * @param point where the kernel call stopped, when it did ({@code KernelCall.point()}); null when the operation
 *     returned in this step
 */
public record Step(int index, String actor, String op, int line, String result, String point, List<String> path,
                   List<Change> changes) {}
