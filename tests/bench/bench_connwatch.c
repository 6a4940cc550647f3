/* bench_connwatch: the probe's cost on loopback connects, and exact counting under a flood. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "connwatch.h"

#define CG_BENCH "/sys/fs/cgroup/unified/nw-bpf-bench"
#define CG_POD                                                                   \
        CG_BENCH "/kubepods/besteffort/pod5c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e/" \
                 "cc33dd44ee55ff660011223344556677889900aabbccddeeff001122334455"

static double clock_s(clockid_t c)
{
        struct timespec t;
        clock_gettime(c, &t);
        return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double now_s(void)
{
        return clock_s(CLOCK_MONOTONIC);
}

/* @n refused connect attempts to 127.0.0.1:@port; returns the CPU seconds they
 * took this process (wall time on a shared 2-core machine mostly measures the
 * neighbours; loopback connect, RST and all, runs in the caller's context). */
static double connect_loop(long n, uint16_t port)
{
        struct sockaddr_in a = {
                .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        double t0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        for (long i = 0; i < n; i++) {
                int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (s < 0 || (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)) {
                        fprintf(stderr, "bench: port %u unexpectedly open or no socket\n", port);
                        exit(1);
                }
                close(s);
        }
        return clock_s(CLOCK_PROCESS_CPUTIME_ID) - t0;
}

static struct connwatch *probe(void)
{
        static const uint16_t ports[] = {22, 10250, 10255};
        struct connwatch_opts o = {.ports = ports, .n_ports = 3};
        struct connwatch *w = NULL;
        char *err = NULL;
        if (connwatch_start(&o, &w, &err) < 0) {
                fprintf(stderr, "bench: %s\n", err);
                exit(2);
        }
        return w;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

/* Interleaved rounds (without, with, with, without, ...) so machine noise hits
 * both sides alike; the median of the per-round ratios resists the rest. */
#define ROUNDS 20
static void overhead(long total, uint16_t port, const char *what)
{
        long per = total / ROUNDS;
        double off = 0, on = 0, ratio[ROUNDS];
        connect_loop(per, port); /* warm up */
        struct connwatch *w = NULL;
        for (int r = 0; r < ROUNDS; r++) {
                double t[2];
                for (int k = 0; k < 2; k++) {
                        bool with = (k == 1) != (r % 2 == 1);
                        if (with)
                                w = probe();
                        t[with] = connect_loop(per, port);
                        connwatch_stop(w);
                        w = NULL;
                }
                off += t[0];
                on += t[1];
                ratio[r] = t[1] / t[0];
        }
        qsort(ratio, ROUNDS, sizeof(double), cmp_double);
        printf("overhead %-28s %ld connects each: without %.3f s CPU (%.2f us/op), with %.3f s CPU (%.2f us/op), "
               "ratio total %.3f, median of %d rounds %.3f\n",
               what, per * ROUNDS, off, off * 1e6 / (double)(per * ROUNDS), on, on * 1e6 / (double)(per * ROUNDS),
               on / off, ROUNDS, (ratio[ROUNDS / 2 - 1] + ratio[ROUNDS / 2]) / 2);
}

/* CPU seconds a process has used (utime + stime from PROC/<pid>/stat). */
static double proc_cpu_s(pid_t pid)
{
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (fd >= 0)
                close(fd);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        const char *p = strrchr(buf, ')');
        unsigned long ut = 0, st = 0;
        /* After "pid (comm)": state is field 3; utime and stime are 14 and 15. */
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
                return 0;
        return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

struct watch_proc {
        pid_t pid;
        int out;
        unsigned ids[16]; /* the BPF programs it holds */
        size_t n_ids;
};

/* Read the watch's stdout until a line holding @what, for at most @secs. */
static bool wait_line(int fd, const char *what, int secs)
{
        static char acc[1 << 16];
        static size_t len;
        double end = now_s() + secs;
        while (now_s() < end) {
                char *m = memmem(acc, len, what, strlen(what));
                if (m) { /* what follows the match stays for the next wait */
                        size_t used = (size_t)(m - acc) + strlen(what);
                        memmove(acc, acc + used, len - used);
                        len -= used;
                        return true;
                }
                if (len > sizeof(acc) - 4096)
                        len = 0;
                ssize_t n = read(fd, acc + len, sizeof(acc) - len);
                if (n <= 0)
                        return false;
                len += (size_t)n;
        }
        return false;
}

/* `nodeward watch` attached, its first interval done; the programs it loaded noted. */
static void watch_start(const char *nw, struct watch_proc *w)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                exit(2);
        memset(w, 0, sizeof(*w));
        w->pid = fork();
        if (w->pid == 0) {
                dup2(p[1], 1);
                int null = open("/dev/null", O_WRONLY);
                dup2(null, 2);
                execl(nw, nw, "watch", "--interval", "3600", "--only", "ssh.pod-attempts,imds.pod-attempts",
                      (char *)NULL);
                _exit(127);
        }
        close(p[1]);
        w->out = p[0];
        if (!wait_line(w->out, "\"attached\"", 60) || !wait_line(w->out, "\"summary\"", 60)) {
                fprintf(stderr, "bench: nodeward watch did not attach and report\n");
                kill(w->pid, SIGKILL);
                exit(2);
        }
        /* Every program or link fd names a prog_id in its fdinfo. */
        char path[64];
        for (int fd = 0; fd < 256 && w->n_ids < 16; fd++) {
                snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)w->pid, fd);
                FILE *f = fopen(path, "re");
                char line[256];
                unsigned id;
                while (f && fgets(line, sizeof(line), f) && w->n_ids < 16)
                        if (sscanf(line, "prog_id: %u", &id) == 1) {
                                bool dup = false;
                                for (size_t i = 0; i < w->n_ids; i++)
                                        dup |= w->ids[i] == id;
                                if (!dup)
                                        w->ids[w->n_ids++] = id;
                        }
                if (f)
                        fclose(f);
        }
}

/* SIGTERM; returns how many of its programs are still loaded afterwards. */
static int watch_stop(struct watch_proc *w)
{
        kill(w->pid, SIGTERM);
        int st;
        waitpid(w->pid, &st, 0);
        close(w->out);
        /* The kernel frees a program after a grace period: look for up to 3 s. */
        int left = 0;
        for (int tries = 0; tries < 30; tries++) {
                left = 0;
                for (size_t i = 0; i < w->n_ids; i++) {
                        int fd = bpf_prog_get_fd_by_id(w->ids[i]);
                        if (fd >= 0) {
                                left++;
                                close(fd);
                        }
                }
                if (!left)
                        break;
                usleep(100000);
        }
        return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? left : left + 100;
}

/* The probe's cost on the whole `nodeward watch` process: the connects' CPU with
 * a watch running plus the CPU the watch used meanwhile, against the connects alone. */
static void overhead_watch(long total, const char *nw)
{
        long per = total / ROUNDS;
        double off = 0, on = 0, ratio[ROUNDS];
        int left = 0;
        size_t ids = 0;
        connect_loop(per, 22);
        for (int r = 0; r < ROUNDS; r++) {
                double t[2] = {0, 0};
                for (int k = 0; k < 2; k++) {
                        bool with = (k == 1) != (r % 2 == 1);
                        if (!with) {
                                t[0] = connect_loop(per, 22);
                                continue;
                        }
                        struct watch_proc w;
                        watch_start(nw, &w);
                        double w0 = proc_cpu_s(w.pid);
                        double c = connect_loop(per, 22);
                        t[1] = c + proc_cpu_s(w.pid) - w0;
                        ids += w.n_ids;
                        left += watch_stop(&w);
                }
                off += t[0];
                on += t[1];
                ratio[r] = t[1] / t[0];
        }
        qsort(ratio, ROUNDS, sizeof(double), cmp_double);
        printf("overhead of nodeward watch (whole process, watched port 22) %ld connects each: without %.3f s CPU, "
               "with %.3f s CPU (connects + watch), ratio total %.3f, median of %d rounds %.3f; programs it loaded "
               "(%zu over the rounds) still loaded after it exited: %d\n",
               per * ROUNDS, off, on, on / off, ROUNDS, (ratio[ROUNDS / 2 - 1] + ratio[ROUNDS / 2]) / 2, ids, left);
}

static void enter_pod_cgroup(void)
{
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", CG_POD);
        if (system(cmd) != 0)
                exit(2);
        int fd = open(CG_POD "/cgroup.procs", O_WRONLY | O_CLOEXEC);
        char pid[32];
        snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
        if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
                exit(2);
        close(fd);
}

static void leave_pod_cgroup(void)
{
        int fd = open("/sys/fs/cgroup/unified/cgroup.procs", O_WRONLY | O_CLOEXEC);
        char pid[32];
        snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
        if (fd >= 0) {
                (void)!write(fd, pid, strlen(pid));
                close(fd);
        }
        (void)!system("find " CG_BENCH " -depth -type d -exec rmdir {} + 2>/dev/null");
}

/* Two processes (one per core) flood port 22 from the pod; or for @seconds when > 0. */
static double flood(long total, int seconds)
{
        double t0 = now_s();
        pid_t kids[2];
        for (int k = 0; k < 2; k++) {
                kids[k] = fork();
                if (kids[k] == 0) {
                        if (seconds > 0)
                                while (now_s() - t0 < seconds)
                                        connect_loop(10000, 22);
                        else
                                connect_loop(total / 2, 22);
                        _exit(0);
                }
        }
        for (int k = 0; k < 2; k++)
                waitpid(kids[k], NULL, 0);
        return now_s() - t0;
}

static int flood_counted(long total)
{
        struct stat cg, ns;
        struct connwatch *w = probe();
        double t = flood(total, 0);
        if (stat(CG_POD, &cg) < 0 || stat("/proc/self/ns/net", &ns) < 0)
                return 2;
        struct connwatch_attempt *v;
        size_t n;
        struct connwatch_losses l;
        uint64_t counted = 0;
        connwatch_snapshot(w, &v, &n, &l);
        uint64_t lost = l.not_counted + l.ring_dropped + l.evicted;
        for (size_t i = 0; i < n; i++)
                if (v[i].key.cgroup_id == cg.st_ino && v[i].key.netns == ns.st_ino && v[i].key.dport == 22)
                        counted += v[i].val.count;
        free(v);
        connwatch_stop(w);
        printf("flood %ld attempts to :22 from a pod cgroup in a non-host netns in %.1f s: counted %llu, lost %llu: %s\n",
               total, t, (unsigned long long)counted, (unsigned long long)lost,
               counted == (uint64_t)total && lost == 0 ? "exact" : "NOT EXACT");
        return counted == (uint64_t)total && lost == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
        if (argc < 3) {
                fprintf(stderr,
                        "usage: bench_connwatch overhead N | overhead-watch N NODEWARD | flood N | flood-seconds S\n");
                return 2;
        }
        /* A private loopback: nothing else listens, nothing else counts. */
        if (unshare(CLONE_NEWNET) < 0 || system("ip link set lo up") != 0) {
                fprintf(stderr, "bench: needs root: %s\n", strerror(errno));
                return 2;
        }
        long n = atol(argv[2]);
        if (strcmp(argv[1], "overhead-watch") == 0 && argc > 3) {
                overhead_watch(n, argv[3]);
                return 0;
        }
        if (strcmp(argv[1], "overhead") == 0) {
                overhead(n, 9, "(unwatched port 9)");
                overhead(n, 22, "(watched port 22, counted)");
                return 0;
        }
        enter_pod_cgroup();
        int rc = 0;
        if (strcmp(argv[1], "flood") == 0)
                rc = flood_counted(n);
        else
                flood(0, (int)n);
        leave_pod_cgroup();
        return rc;
}
