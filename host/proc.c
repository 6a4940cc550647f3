/* proc: the process table as read from --proc (a procfs or a fixture of the same shape). */
#define _GNU_SOURCE
#include "proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"
#include "util.h"

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

static int is_pid(const char *s)
{
        if (!*s || *s == '0')
                return 0;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return 0;
        return 1;
}

static int cmp_entry(const void *a, const void *b)
{
        const struct proc_entry *x = a, *y = b;
        return (x->pid > y->pid) - (x->pid < y->pid);
}

int proc_table_read(const struct rootfs *proc, struct proc_table *ret)
{
        char **names;
        size_t nn;
        int r = procfs_list_dir(proc, ".", PROC_MAX_PROCESSES + 1024, &names, &nn);
        if (r < 0)
                return r;
        struct proc_entry *v = xcalloc(nn ? nn : 1, sizeof(*v));
        size_t n = 0;
        for (size_t i = 0; i < nn; i++) {
                if (!is_pid(names[i]) || n >= PROC_MAX_PROCESSES)
                        continue;
                char path[64], *buf;
                size_t len;
                struct proc_entry *e = &v[n];
                e->pid = (pid_t)atoi(names[i]);
                snprintf(path, sizeof(path), "%s/comm", names[i]);
                if (procfs_read_file(proc, path, 4096, &buf, &len) == 0) {
                        while (len && (buf[len - 1] == '\n'))
                                buf[--len] = '\0';
                        snprintf(e->comm, sizeof(e->comm), "%s", buf);
                        free(buf);
                }
                snprintf(path, sizeof(path), "%s/cmdline", names[i]);
                if (procfs_read_file(proc, path, PROC_CMDLINE_CAP, &buf, &len) == 0) {
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

const struct proc_entry *proc_table_find(const struct proc_table *t, const char *name)
{
        for (size_t i = 0; i < t->n; i++) {
                const struct proc_entry *e = &t->v[i];
                if (strcmp(e->comm, name) == 0)
                        return e;
                if (e->argc > 0 && strcmp(path_basename(e->argv[0]), name) == 0)
                        return e;
        }
        return NULL;
}

int proc_read_cwd(const struct rootfs *proc, pid_t pid, char *buf, size_t size)
{
        char path[64];
        snprintf(path, sizeof(path), "%d/cwd", (int)pid);
        return procfs_readlink(proc, path, buf, size);
}
