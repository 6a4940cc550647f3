/* sshd_running: the running sshd from the pid file it writes, the process table only when that fails.
 *
 * Reading the whole table (an eBPF task iterator, else a PROC walk of every
 * process) is most of what `explain sshd` costs on a busy node; the pid file
 * and one PROC/<pid> are a handful of system calls. */
#include "collect/sshd/sshd_running.h"

#include <errno.h>
#include <stdlib.h>

#include "base/util.h"
#include "collect/procscan.h"
#include "collect/sshd/sshd_config.h"

/* Where the listening sshd writes its pid: PidFile (sshd_config(5)), whose default
 * is _PATH_SSH_DAEMON_PID_FILE, _PATH_SSH_PIDDIR "/sshd.pid", with _PATH_SSH_PIDDIR
 * "/var/run" unless configure says otherwise (openssh-portable pathnames.h).
 * Debian builds it with /run; on Debian, AL2 and AL2023 /var/run is a link to /run,
 * which rootfs resolves inside the root. A PidFile set elsewhere (sshd_config,
 * -o PidFile=) is not looked for: the scan finds that sshd. */
static const char *const sshd_pid_files[] = {"/var/run/sshd.pid", "/run/sshd.pid"};

/* The listener the pid file @path under @root names, as PROC shows it. */
static int read_named(const struct rootfs *root, const struct rootfs *proc, const char *path, struct proc_table *ret)
{
        char *buf;
        size_t len;
        int r = rootfs_read_file(root, path, SSHD_PID_FILE_CAP, &buf, &len, NULL);
        if (r < 0)
                return r;
        pid_t pid = proc_pid_file_parse(buf, len);
        free(buf);
        if (pid <= 0)
                return -EINVAL;
        struct proc_table t;
        r = proc_table_read_pid(proc, pid, &t);
        if (r < 0)
                return r;
        if (!sshd_proc_is_listener(&t.v[0])) { /* stale: the pid is another process's now */
                proc_table_free(&t);
                return -ESRCH;
        }
        *ret = t;
        return 0;
}

int sshd_running_read(const struct rootfs *root, const struct rootfs *proc, struct proc_table *ret)
{
        /* Where /var/run is /run a stale file is read twice: two small reads, only then. */
        for (size_t i = 0; i < ARRAY_SIZE(sshd_pid_files); i++)
                if (read_named(root, proc, sshd_pid_files[i], ret) == 0)
                        return 0;
        static const char *const sshd_only[] = {"sshd"};
        return procscan_read(proc, sshd_only, 1, ret, NULL);
}
