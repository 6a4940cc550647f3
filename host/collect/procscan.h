/* procscan: the process table in one kernel pass where the kernel allows it, else the PROC walk. */
#pragma once

#include <stddef.h>

#include "base/proc.h"

/* Below this many processes the walk costs less than loading the iterator. */
#define PROCSCAN_ITERATOR_MIN_PIDS 512

/* proc_table_read_some() of @proc, through the eBPF task iterator (bpf/ownerscan.h)
 * when @proc is the live procfs of nodeward's own pid namespace, it holds at least
 * PROCSCAN_ITERATOR_MIN_PIDS tasks (PROC/loadavg's count), no seccomp filter is installed and the
 * kernel and privileges allow a load; else by reading PROC/<pid>/comm of each.
 * NODEWARD_PROCS=walk or =bpf forces one (bpf still falls back on failure).
 * *ret_via (may be NULL) names the way taken. */
int procscan_read(const struct rootfs *proc, const char *const *cmdline_of, size_t n_cmdline_of, struct proc_table *ret,
                  const char **ret_via);
