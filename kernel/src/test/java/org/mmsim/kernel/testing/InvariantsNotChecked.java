package org.mmsim.kernel.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Opts a test method, or every test of a class, out of {@link InvariantChecking}: its kernel calls are not followed by
 * the invariants, on every machine or only on those running one of {@link #profiles}. For tests that reach a violating
 * state on purpose (a historic bug under the profile that has it, a corruption made by hand) and check the violation
 * themselves; {@link #value} says why.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface InvariantsNotChecked {

    /** Why the invariants may not hold after this test's calls. */
    String value();

    /**
     * The profiles (by name, as {@code Profiles} has them) whose machines are not checked; empty, the default: no
     * machine is. A test run under several profiles names those that have the bug it shows.
     */
    String[] profiles() default {};
}
