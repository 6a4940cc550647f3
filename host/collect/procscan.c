/* procscan: the process table in one kernel pass where the kernel allows it, else the PROC walk.
 *
 * On a busy node the walk is three system calls per process (open, read and close
 * of PROC/<pid>/comm) before anything is known; the iterator hands every (pid,
 * comm) of the reader's pid namespace over in a few reads. Command lines are read
 * from PROC either way, only for the processes a collector looks for. */
#include "collect/procscan.h"

#include <stdlib.h>
#include <string.h>

#include "base/procfs.h"
#include "base/sandbox.h"
#include "base/util.h"
#include "ownerscan.h"

static int read_by_iterator(const struct rootfs *proc, const char *const *cmdline_of, size_t n_cmdline_of,
                            struct proc_table *ret)
{
        struct ownerscan_task *t = NULL;
        size_t n = 0;
        char *err = NULL;
        int r = ownerscan_tasks(PROC_MAX_PROCESSES, &t, &n, &err);
        free(err); /* the walk answers instead */
        if (r < 0)
                return r;
        struct proc_comm *v = xcalloc(n ? n : 1, sizeof(*v));
        for (size_t i = 0; i < n; i++) {
                v[i].pid = (pid_t)t[i].pid;
                memcpy(v[i].comm, t[i].comm, sizeof(v[i].comm));
                v[i].comm[sizeof(v[i].comm) - 1] = '\0';
        }
        free(t);
        r = proc_table_from_comms(proc, v, n, cmdline_of, n_cmdline_of, ret);
        free(v);
        return r;
}

/* Whether the table is large enough for the iterator: the kernel's count of
 * tasks (threads included, every pid namespace) from PROC/loadavg's fourth field,
 * one read instead of a listing of PROC. It can only overcount the processes this
 * procfs lists, and either way reads the same table. */
static bool table_is_large(const struct rootfs *proc, size_t enough)
{
        char *text = NULL;
        if (procfs_read_file(proc, "loadavg", 256, &text, NULL) < 0)
                return false;
        const char *slash = strchr(text, '/');
        unsigned long n = slash ? strtoul(slash + 1, NULL, 10) : 0;
        free(text);
        return n >= enough;
}

int procscan_read(const struct rootfs *proc, const char *const *cmdline_of, size_t n_cmdline_of, struct proc_table *ret,
                  const char **ret_via)
{
        const char *how = getenv("NODEWARD_PROCS");
        bool force_walk = how && strcmp(how, "walk") == 0, force_bpf = how && strcmp(how, "bpf") == 0;
        if (!force_walk && procfs_is_real(proc) && !sandbox_installed() && proc_is_own_pid_ns(proc) &&
            (force_bpf || table_is_large(proc, PROCSCAN_ITERATOR_MIN_PIDS)) &&
            read_by_iterator(proc, cmdline_of, n_cmdline_of, ret) == 0) {
                if (ret_via)
                        *ret_via = "eBPF task iterator";
                return 0;
        }
        if (ret_via)
                *ret_via = "PROC walk";
        return proc_table_read_some(proc, cmdline_of, n_cmdline_of, ret);
}
