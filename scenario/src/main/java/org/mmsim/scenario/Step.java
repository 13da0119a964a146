package org.mmsim.scenario;

import java.util.List;

/**
 * One executed operation: who ran it, what it returned, the kernel functions it went through and every change
 * it made (ptes, struct page fields, mm and VMA changes), already phrased for people.
 *
 * @param index 1-based step number
 * @param line the scenario line of the operation (0 for teardown)
 * @param result what the operation returned, or "..." when this step stopped inside a kernel call
 * @param point where the kernel call stopped, when it did ({@code KernelCall.point()}); null when the operation
 *     returned in this step
 */
public record Step(int index, String actor, String op, int line, String result, String point, List<String> path,
                   List<String> changes) {}
