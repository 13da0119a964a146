package org.mmsim.kernel;

/**
 * What a one-word copy returned: the word, and 8 (bytes copied), 0 (end of file, or nothing could be copied) or
 * -errno. Used for {@code read()} of a file and for {@code access_remote_vm()}.
 */
public record FileRead(long value, int ret) {}
