package org.mmsim.kernel.mm;

import org.mmsim.kernel.export.Export;

/**
 * What a one-word copy to user space returned: the word, and 8 (bytes copied), 0 (end of file, or nothing could be
 * copied) or -errno. File and pipe reads return it, and so does {@code access_remote_vm()}.
 */
@Export
public record WordRead(long value, int ret) {}
