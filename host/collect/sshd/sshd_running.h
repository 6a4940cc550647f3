/* sshd_running: the running sshd from the pid file it writes, the process table only when that fails. */
#pragma once

#include "base/proc.h"
#include "base/rootfs.h"

#define SSHD_PID_FILE_CAP 64u /* "4194304\n" and room to spare: more is not a pid file */

/* A table for sshd_config_load() when nothing else needs the process table
 * (explain sshd). The pid file the listening sshd writes, read under @root,
 * names a pid; when PROC/<pid> is an sshd listener (sshd_proc_is_listener())
 * @ret is that one process and no other is read. A missing, unreadable, stale or
 * malformed pid file, or one naming anything else, falls back to procscan_read()
 * of @proc with only sshd's command lines read, so the answer is never worse than
 * the scan's. With one listener running both find the same process; with several,
 * the pid file names the daemon that wrote it, where the scan takes the lowest pid.
 * A copied root is treated alike: its pid file is checked against PROC as --proc
 * names it, so a pid from another pid namespace is taken only when PROC shows an
 * sshd listener there, one the scan of PROC could take as well.
 * Returns 0, or the scan's -errno. */
int sshd_running_read(const struct rootfs *root, const struct rootfs *proc, struct proc_table *ret);
