package org.mmsim.drivers.ummunotify;

import org.mmsim.kernel.api.DriverCall;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code ummunotify_ioctl}: one step under the file's spinlock. The argument structure's fields come as {@code args}:
 * the feature mask for {@link UmmunotifyDriver#UMMUNOTIFY_EXCHANGE_FEATURES}; start, end, cookie (and flags, never
 * read) for {@link UmmunotifyDriver#UMMUNOTIFY_REGISTER_REGION}; the cookie for
 * {@link UmmunotifyDriver#UMMUNOTIFY_UNREGISTER_REGION}. Another command is {@code -ENOIOCTLCMD}, which {@code vfs_ioctl}
 * turns into -ENOTTY since 3.3 (07d106d0a33d, "vfs: fix up ENOIOCTLCMD error handling"), and into -EINVAL before, when the patch was written; the model answers
 * -ENOTTY under every profile. The feature mask the kernel writes back (always 0) is not returned: the ioctl's 0 or
 * -EINVAL is.
 */
final class UmmunotifyIoctl extends DriverCall {
    private final Exports kernel;
    private final UmmunotifyFile file;
    private final int cmd;
    private final long[] args;

    UmmunotifyIoctl(Exports kernel, UmmunotifyFile file, int cmd, long[] args) {
        super(kernel, "ummunotify_ioctl");
        this.kernel = kernel;
        this.file = file;
        this.cmd = cmd;
        this.args = args.clone();
    }

    @Override
    public Acquire blockedOn() {
        return null;
    }

    @Override
    protected void advance() {
        returns(switch (cmd) {
            case UmmunotifyDriver.UMMUNOTIFY_EXCHANGE_FEATURES -> exchangeFeatures();
            case UmmunotifyDriver.UMMUNOTIFY_REGISTER_REGION -> args.length < 3 ? -Errno.EFAULT
                    : registerRegion(args[0], args[1], args[2]);
            case UmmunotifyDriver.UMMUNOTIFY_UNREGISTER_REGION -> args.length < 1 ? -Errno.EFAULT
                    : unregisterRegion(args[0]);
            default -> -Errno.ENOTTY;
        });
    }

    /**
     * {@code ummunotify_exchange_features}: only while the file is unused (no read, register or exchange yet), else
     * -EINVAL; the kernel supports no feature, so it writes back 0 whatever was asked.
     */
    private long exchangeFeatures() {
        kernel.tracePath("ummunotify_exchange_features");
        if (file.used) {
            return -Errno.EINVAL;
        }
        file.used = true;
        return 0;
    }

    /**
     * {@code ummunotify_register_region}: marks the file used; -EINVAL if the cookie is registered already (a scan of
     * the whole tree); else inserted by start. Neither {@code start < end}, alignment, the range being mapped, nor
     * {@code flags} is checked, and nothing is pinned.
     */
    private long registerRegion(long start, long end, long cookie) {
        kernel.tracePath("ummunotify_register_region");
        file.used = true;
        if (file.byCookie(cookie) != null) {
            return -Errno.EINVAL;
        }
        file.insert(new UmmunotifyFile.Reg(cookie, start, end));
        return 0;
    }

    /**
     * {@code ummunotify_unregister_region}: -EINVAL if no registration has the cookie; else it is erased, with its
     * queued report if it had one (the counter keeps the callback it counted).
     */
    private long unregisterRegion(long cookie) {
        kernel.tracePath("ummunotify_unregister_region");
        UmmunotifyFile.Reg r = file.byCookie(cookie);
        if (r == null) {
            return -Errno.EINVAL;
        }
        file.regs.remove(r);
        if (r.invalid) {
            file.invalidList.remove(r);
        }
        return 0;
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(file.id).add(cmd).add(args.length);
        for (long a : args) {
            h.add(a);
        }
    }

    private UmmunotifyIoctl(UmmunotifyIoctl o, Copier c) {
        super(o, c);
        this.kernel = c.copy(o.kernel);
        this.file = c.copy(o.file);
        this.cmd = o.cmd;
        this.args = o.args;
    }

    @Override
    public UmmunotifyIoctl copy(Copier c) {
        return new UmmunotifyIoctl(this, c);
    }
}
