package org.mmsim.kernel;

/**
 * What a {@code read()} of one 64-bit word from a file returned: the word, and 8 (bytes read), 0 (end of file) or
 * -errno.
 */
public record FileRead(long value, int ret) {}
