/* fuzz_proc_table: a --proc directory read as the process table and searched for a pod's process.
 *
 * The input is split at "\n--\n" into up to 6 process directories, each
 * "NAME\nCOMM\nNETNS-LINK\n" then its cgroup text, a NUL, and its cmdline (NUL-separated);
 * they are written into one scratch directory per process (emptied for each input),
 * then proc_table_read(), proc_table_read_some() and netns_find_kubepods_pid() run
 * on it as on a fixture passed with --proc. A seventh part, if any, is the text of
 * sshd's pid file (ROOT/run/sshd.pid): proc_pid_file_parse() reads it, and
 * sshd_running_read() finds the listener it names, or scans. */
/* fuzz-max-len: 262144 (PROC_CMDLINE_CAP, the largest file read per process) */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/netns.h"
#include "base/proc.h"
#include "base/rootfs.h"
#include "collect/sshd/sshd_config.h"
#include "collect/sshd/sshd_running.h"

#define MAX_PROCS 6

static char fuzz_root[64], pid_root[64];
static char names[MAX_PROCS][33];
static size_t n_names;

static int fuzz_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        if (ftw->level == 0)
                return 0; /* keep the scratch directory itself */
        return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void fuzz_empty(void)
{
        nftw(fuzz_root, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fuzz_cleanup(void)
{
        if (fuzz_root[0]) {
                fuzz_empty();
                rmdir(fuzz_root);
        }
        if (pid_root[0]) {
                char p[96];
                snprintf(p, sizeof(p), "%s/run/sshd.pid", pid_root);
                unlink(p);
                snprintf(p, sizeof(p), "%s/run", pid_root);
                rmdir(p);
                rmdir(pid_root);
        }
}

static void fuzz_write(const char *dir, const char *file, const char *data, size_t len)
{
        char path[160];
        snprintf(path, sizeof(path), "%s/%s/%s", fuzz_root, dir, file);
        FILE *f = fopen(path, "w");
        if (!f)
                abort();
        fwrite(data, 1, len, f);
        fclose(f);
}

/* One line of @p (up to @end), at most @max bytes; NULL when there is no newline. */
static const char *take_line(const char **p, const char *end, char *out, size_t max)
{
        const char *nl = memchr(*p, '\n', (size_t)(end - *p));
        if (!nl || (size_t)(nl - *p) >= max)
                return NULL;
        memcpy(out, *p, (size_t)(nl - *p));
        out[nl - *p] = '\0';
        *p = nl + 1;
        return out;
}

static void write_process(const char *d, const char *end)
{
        char name[33], comm[128], link[128], path[192];
        if (!take_line(&d, end, name, sizeof(name)) || !take_line(&d, end, comm, sizeof(comm)) ||
            !take_line(&d, end, link, sizeof(link)))
                return;
        /* A directory entry other than . and .., and not one seen already. */
        if (!name[0] || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || !link[0])
                return;
        for (size_t i = 0; i < n_names; i++)
                if (strcmp(names[i], name) == 0)
                        return;
        snprintf(path, sizeof(path), "%s/%s", fuzz_root, name);
        if (mkdir(path, 0755) < 0)
                return;
        snprintf(path, sizeof(path), "%s/%s/ns", fuzz_root, name);
        mkdir(path, 0755);
        snprintf(path, sizeof(path), "%s/%s/ns/net", fuzz_root, name);
        if (symlink(link, path) < 0)
                abort();
        snprintf(names[n_names++], sizeof(names[0]), "%s", name);
        fuzz_write(name, "comm", comm, strlen(comm));
        const char *nul = memchr(d, '\0', (size_t)(end - d));
        fuzz_write(name, "cgroup", d, nul ? (size_t)(nul - d) : (size_t)(end - d));
        if (nul)
                fuzz_write(name, "cmdline", nul + 1, (size_t)(end - nul - 1));
}

/* Whether directory @name is the one a pid stands for (printed back the same). */
static int has_dir_of(int pid)
{
        char s[16];
        snprintf(s, sizeof(s), "%d", pid);
        for (size_t i = 0; i < n_names; i++)
                if (strcmp(names[i], s) == 0)
                        return 1;
        return 0;
}

/* The pid file @d..@end: a pid read back is the text it came from; the listener it
 * names, when PROC has one there, is the one process sshd_running_read() gives. */
static void check_pid_file(const struct rootfs *proc, const char *d, const char *end)
{
        size_t len = (size_t)(end - d);
        pid_t pid = proc_pid_file_parse(d, len);
        char back[32];
        int n = snprintf(back, sizeof(back), "%d\n", (int)pid);
        if (pid < 0 || (pid > 0 && (len < (size_t)n - 1 || len > (size_t)n || memcmp(back, d, len) != 0)))
                abort();
        char path[96];
        snprintf(path, sizeof(path), "%s/run/sshd.pid", pid_root);
        FILE *f = fopen(path, "w");
        if (!f)
                abort();
        fwrite(d, 1, len, f);
        fclose(f);
        struct rootfs root;
        if (rootfs_open_root(pid_root, &root) < 0)
                abort();
        struct proc_table t;
        if (sshd_running_read(&root, proc, &t) < 0)
                abort();
        for (size_t i = 0; i < t.n; i++)
                if (t.v[i].pid <= 0 || !has_dir_of(t.v[i].pid))
                        abort();
        struct proc_table one;
        if (pid > 0 && len <= SSHD_PID_FILE_CAP && proc_table_read_pid(proc, pid, &one) == 0) {
                if (sshd_proc_is_listener(&one.v[0]) && (t.n != 1 || t.v[0].pid != pid))
                        abort();
                proc_table_free(&one);
        }
        proc_table_free(&t);
        rootfs_close(&root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!fuzz_root[0]) {
                atexit(fuzz_cleanup);
                snprintf(fuzz_root, sizeof(fuzz_root), "/tmp/nw-proc-fuzz.XXXXXX");
                snprintf(pid_root, sizeof(pid_root), "/tmp/nw-pidfile-fuzz.XXXXXX");
                if (!mkdtemp(fuzz_root) || !mkdtemp(pid_root))
                        abort();
                char run[96];
                snprintf(run, sizeof(run), "%s/run", pid_root);
                if (mkdir(run, 0755) < 0)
                        abort();
        }
        fuzz_empty();
        n_names = 0;
        const char *d = (const char *)data, *end = d + size;
        for (int part = 0; part < MAX_PROCS && d < end; part++) {
                const char *sep = memmem(d, (size_t)(end - d), "\n--\n", 4);
                write_process(d, sep ? sep : end);
                d = sep ? sep + 4 : end;
        }
        struct rootfs proc;
        if (rootfs_open_root(fuzz_root, &proc) < 0)
                abort();
        if (d < end)
                check_pid_file(&proc, d, end);
        struct proc_table t;
        if (proc_table_read(&proc, &t) < 0)
                abort();
        /* Sorted by pid, each the pid of a directory named by it, comm one line. */
        for (size_t i = 0; i < t.n; i++) {
                const struct proc_entry *e = &t.v[i];
                if (e->pid <= 0 || (i && e->pid <= t.v[i - 1].pid) || !has_dir_of(e->pid) || strchr(e->comm, '\n') ||
                    !e->argv)
                        abort();
                for (size_t k = 0; k < e->argc; k++)
                        if (!e->argv[k])
                                abort();
        }
        const struct proc_entry *k = proc_table_find(&t, "kubelet");
        for (size_t i = 0; k && i < t.n && &t.v[i] != k; i++)
                if (proc_entry_is(&t.v[i], "kubelet"))
                        abort(); /* the lowest pid wins */
        proc_table_free(&t);
        static const char *const wanted[] = {"kubelet", "sshd"};
        if (proc_table_read_some(&proc, wanted, 2, &t) < 0)
                abort();
        for (size_t i = 0; i < t.n; i++)
                if (t.v[i].pid <= 0 || !has_dir_of(t.v[i].pid))
                        abort();
        proc_table_free(&t);
        /* The pod process found is a directory of that pid, in a kubepods cgroup. */
        int pid = 0;
        int r = netns_find_kubepods_pid(&proc, "net:[4026531840]", &pid);
        if (r != 0 && r != -ENOENT)
                abort();
        if (r == 0 && (pid <= 0 || !has_dir_of(pid)))
                abort();
        rootfs_close(&proc);
        return 0;
}
