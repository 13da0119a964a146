package org.mmsim.kernel.export;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The model's {@code EXPORT_SYMBOL}: what a driver may use. On a type it means a driver may name the type (take it
 * as a parameter, implement it if it is an interface); on a method, constructor or field that a driver may call or
 * read it. Everything else in the kernel module is the kernel's own, however public Java needs it to be across the
 * kernel's packages. {@code ArchitectureTest} holds the {@code drivers} module and the kernel's {@code iouring}
 * package to this list.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.FIELD})
public @interface Export {}
