/* proc: the process table as read from --proc (a procfs or a fixture of the same shape). */
#define _GNU_SOURCE
#include "base/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/procfs.h"
#include "base/util.h"

void proc_split_cmdline(const char *buf, size_t len, char ***ret_argv, size_t *ret_argc)
{
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
                if (buf[i] == '\0')
                        n++;
        if (len && buf[len - 1] != '\0')
                n++;
        char **argv = xcalloc(n + 1, sizeof(*argv));
        size_t k = 0, start = 0;
        for (size_t i = 0; i <= len && k < n; i++) {
                if (i == len || buf[i] == '\0') {
                        if (i == len && start == len)
                                break;
                        argv[k++] = strndup(buf + start, i - start);
                        if (!argv[k - 1])
                                abort();
                        start = i + 1;
                }
        }
        *ret_argv = argv;
        *ret_argc = k;
}

pid_t proc_pid_parse(const char *name)
{
        long v = 0;
        if (*name == '0')
                return 0;
        for (const char *s = name; *s; s++) {
                if (*s < '0' || *s > '9')
                        return 0;
                v = v * 10 + (*s - '0');
                if (v > PROC_PID_MAX)
                        return 0;
        }
        return (pid_t)v;
}

static int cmp_entry(const void *a, const void *b)
{
        const struct proc_entry *x = a, *y = b;
        return (x->pid > y->pid) - (x->pid < y->pid);
}

/* PROC/<pid>/<name>. On a real procfs (no symlink on the path, no FIFO or device
 * to trip on) one open and a read; in a fixture the checked rootfs path. */
static int read_pid_file(const struct rootfs *proc, bool procfs, const char *path, size_t cap, char **ret_buf,
                         size_t *ret_len)
{
        /* Through the procfs gate (host/base/procfs.c): never a link out of PROC. */
        (void)procfs;
        return procfs_read_file(proc, path, cap, ret_buf, ret_len);
}

/* comm is at most 15 bytes and a newline: one read on a real procfs. */
static void read_comm(const struct rootfs *proc, bool procfs, const char *pid, char *comm, size_t size)
{
        char path[64], *buf = NULL;
        size_t len = 0;
        snprintf(path, sizeof(path), "%s/comm", pid);
        comm[0] = '\0';
        if (procfs) {
                int fd = procfs_openat(proc, path, O_RDONLY);
                if (fd < 0)
                        return;
                ssize_t n = read(fd, comm, size - 1);
                close(fd);
                comm[n > 0 ? n : 0] = '\0';
        } else if (rootfs_read_file(proc, path, 4096, &buf, &len, NULL) == 0) {
                snprintf(comm, size, "%s", buf);
                free(buf);
        }
        comm[strcspn(comm, "\n")] = '\0';
}

/* Is @comm, as the kernel keeps it, one of @names (a 15-byte comm may be cut)? */
static bool comm_is_one_of(const char *comm, const char *const *names, size_t n_names)
{
        size_t len = strlen(comm);
        for (size_t i = 0; i < n_names; i++)
                if (strcmp(comm, names[i]) == 0 || (len == 15 && strncmp(comm, names[i], 15) == 0))
                        return true;
        return false;
}

int proc_table_read(const struct rootfs *proc, struct proc_table *ret)
{
        return proc_table_read_some(proc, NULL, 0, ret);
}

int proc_table_read_some(const struct rootfs *proc, const char *const *cmdline_of, size_t n_cmdline_of,
                         struct proc_table *ret)
{
        struct statfs sf;
        bool procfs = fstatfs(proc->fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
        char **names;
        size_t nn;
        int r = procfs_list_dir(proc, ".", PROC_MAX_PROCESSES + 1024, &names, &nn);
        if (r < 0)
                return r;
        struct proc_entry *v = xcalloc(nn ? nn : 1, sizeof(*v));
        size_t n = 0;
        for (size_t i = 0; i < nn; i++) {
                pid_t pid = proc_pid_parse(names[i]);
                if (pid <= 0 || n >= PROC_MAX_PROCESSES)
                        continue;
                char path[64], *buf;
                size_t len;
                struct proc_entry *e = &v[n];
                e->pid = pid;
                read_comm(proc, procfs, names[i], e->comm, sizeof(e->comm));
                snprintf(path, sizeof(path), "%s/cmdline", names[i]);
                if (cmdline_of && e->comm[0] && !comm_is_one_of(e->comm, cmdline_of, n_cmdline_of)) {
                        e->argv = xcalloc(1, sizeof(char *)); /* no collector looks for it */
                } else if (read_pid_file(proc, procfs, path, PROC_CMDLINE_CAP, &buf, &len) == 0) {
                        proc_split_cmdline(buf, len, &e->argv, &e->argc);
                        free(buf);
                } else {
                        e->argv = xcalloc(1, sizeof(char *));
                }
                if (!e->comm[0] && e->argc == 0) {
                        free(e->argv); /* gone, or not a process directory */
                        memset(e, 0, sizeof(*e));
                        continue;
                }
                n++;
        }
        strv_free(names, nn);
        qsort(v, n, sizeof(*v), cmp_entry);
        ret->v = v;
        ret->n = n;
        return 0;
}

int proc_table_from_comms(const struct rootfs *proc, const struct proc_comm *v, size_t n, const char *const *cmdline_of,
                          size_t n_cmdline_of, struct proc_table *ret)
{
        if (n > PROC_MAX_PROCESSES)
                n = PROC_MAX_PROCESSES;
        struct proc_entry *t = xcalloc(n ? n : 1, sizeof(*t));
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                if (v[i].pid <= 0 || v[i].pid > PROC_PID_MAX)
                        continue;
                struct proc_entry *e = &t[k++];
                e->pid = v[i].pid;
                snprintf(e->comm, sizeof(e->comm), "%.*s", (int)sizeof(v[i].comm), v[i].comm);
                char path[64], *buf;
                size_t len;
                snprintf(path, sizeof(path), "%d/cmdline", (int)e->pid);
                if ((!cmdline_of || !e->comm[0] || comm_is_one_of(e->comm, cmdline_of, n_cmdline_of)) &&
                    procfs_read_file(proc, path, PROC_CMDLINE_CAP, &buf, &len) == 0) {
                        proc_split_cmdline(buf, len, &e->argv, &e->argc);
                        free(buf);
                } else {
                        e->argv = xcalloc(1, sizeof(char *));
                }
        }
        qsort(t, k, sizeof(*t), cmp_entry);
        ret->v = t;
        ret->n = k;
        return 0;
}

int proc_table_read_pid(const struct rootfs *proc, pid_t pid, struct proc_table *ret)
{
        struct statfs sf;
        bool procfs = fstatfs(proc->fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
        char name[16], path[64], *buf;
        size_t len;
        if (pid <= 0 || pid > PROC_PID_MAX)
                return -ESRCH;
        struct proc_entry *e = xcalloc(1, sizeof(*e));
        e->pid = pid;
        snprintf(name, sizeof(name), "%d", (int)pid);
        read_comm(proc, procfs, name, e->comm, sizeof(e->comm));
        snprintf(path, sizeof(path), "%s/cmdline", name);
        if (read_pid_file(proc, procfs, path, PROC_CMDLINE_CAP, &buf, &len) == 0) {
                proc_split_cmdline(buf, len, &e->argv, &e->argc);
                free(buf);
        } else {
                e->argv = xcalloc(1, sizeof(char *));
        }
        if (!e->comm[0] && e->argc == 0) {
                free(e->argv);
                free(e);
                return -ESRCH;
        }
        ret->v = e;
        ret->n = 1;
        return 0;
}

pid_t proc_pid_file_parse(const char *buf, size_t len)
{
        char digits[16];
        size_t n = 0;
        while (n < len && n < sizeof(digits) - 1 && buf[n] >= '0' && buf[n] <= '9') {
                digits[n] = buf[n];
                n++;
        }
        digits[n] = '\0';
        if (n == 0 || !(len == n || (len == n + 1 && buf[n] == '\n')))
                return 0;
        return proc_pid_parse(digits);
}

bool proc_is_own_pid_ns(const struct rootfs *proc)
{
        char buf[32];
        return rootfs_readlink(proc, "self", buf, sizeof(buf)) == 0 && atoi(buf) == (int)getpid();
}

void proc_table_free(struct proc_table *t)
{
        if (!t || !t->v)
                return;
        for (size_t i = 0; i < t->n; i++)
                strv_free(t->v[i].argv, t->v[i].argc);
        free(t->v);
        t->v = NULL;
        t->n = 0;
}

bool proc_entry_is(const struct proc_entry *e, const char *name)
{
        return strcmp(e->comm, name) == 0 || (e->argc > 0 && strcmp(path_basename(e->argv[0]), name) == 0);
}

const struct proc_entry *proc_table_find(const struct proc_table *t, const char *name)
{
        for (size_t i = 0; i < t->n; i++)
                if (proc_entry_is(&t->v[i], name))
                        return &t->v[i];
        return NULL;
}

int proc_read_cwd(const struct rootfs *proc, pid_t pid, char *buf, size_t size)
{
        char path[64];
        snprintf(path, sizeof(path), "%d/cwd", (int)pid);
        return procfs_readlink(proc, path, buf, size);
}

int proc_status_nspid_level(const char *status)
{
        const char *l = strncmp(status, "NSpid:", 6) == 0 ? status : strstr(status, "\nNSpid:");
        if (!l)
                return 0;
        l = strchr(l, ':') + 1;
        int n = 0;
        for (;;) {
                l += strspn(l, " \t");
                size_t w = strspn(l, "0123456789");
                if (w == 0)
                        break;
                if (++n > 33)
                        return -1;
                l += w;
        }
        return n == 0 || (*l && *l != '\n') ? -1 : n - 1;
}
