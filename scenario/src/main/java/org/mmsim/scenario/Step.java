package org.mmsim.scenario;

import java.util.List;

/**
 * One executed operation: who ran it, what it returned, the kernel functions it went through and every change
 * it made (ptes, struct page fields, mm and VMA changes), already phrased for people.
 *
 * @param index 1-based step number
 * @param line the scenario line of the operation (0 for teardown)
 */
public record Step(int index, String actor, String op, int line, String result, List<String> path,
                   List<String> changes) {}
