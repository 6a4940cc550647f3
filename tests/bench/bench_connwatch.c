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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "connwatch.h"

#define CG_BENCH "/sys/fs/cgroup/unified/nw-bpf-bench"
#define CG_POD CG_BENCH "/kubepods/besteffort/pod5c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e/" \
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
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
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
        uint64_t lost, counted = 0;
        connwatch_snapshot(w, &v, &n, &lost);
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
                fprintf(stderr, "usage: bench_connwatch overhead N | flood N | flood-seconds S\n");
                return 2;
        }
        /* A private loopback: nothing else listens, nothing else counts. */
        if (unshare(CLONE_NEWNET) < 0 || system("ip link set lo up") != 0) {
                fprintf(stderr, "bench: needs root: %s\n", strerror(errno));
                return 2;
        }
        long n = atol(argv[2]);
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
