/* bench_sockets: nodeward's socket listing and owners against ss, side by side, in
 * network namespaces of 1k, 16k and 64k listeners and of 8k listeners over 2,000
 * processes; every owner must be found by both tools. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_KIDS 4096
#define RUNS 7

static char ns_name[64], ns_path[128];
static pid_t kids[MAX_KIDS];
static int n_kids;
static int SOCKETS, HOLDERS, OTHERS; /* the scene being measured */

static void cleanup(void)
{
        for (int i = 0; i < n_kids; i++)
                kill(kids[i], SIGKILL);
        for (int i = 0; i < n_kids; i++)
                waitpid(kids[i], NULL, 0);
        n_kids = 0;
        char cmd[160];
        snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null", ns_name);
        if (system(cmd) != 0)
                fprintf(stderr, "bench: could not delete %s\n", ns_name);
}

static void die(const char *what)
{
        fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
        cleanup();
        exit(1);
}

static void enter_ns(void)
{
        int fd = open(ns_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
                _exit(2);
        close(fd);
}

/* A holder listens on its share of the ports, on every address. */
static void holder(int idx, int ready)
{
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        char name[16];
        snprintf(name, sizeof(name), "nwpf-hold%d", idx % 10000);
        prctl(PR_SET_NAME, name);
        enter_ns();
        struct rlimit rl = {(rlim_t)SOCKETS / HOLDERS + 64, (rlim_t)SOCKETS / HOLDERS + 64};
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                _exit(3);
        int per = SOCKETS / HOLDERS;
        for (int i = 0; i < per; i++) {
                /* The first 50,000 on every address, as on a node: 0.0.0.0 on even
                 * ports and [::] (IPv6 only) on odd ones from 10000; beyond, on
                 * 127.0.0.2, 127.0.0.3 ... and the odd ports 0.0.0.0 leaves free. */
                int k = idx * per + i;
                int fd = socket(k < 50000 && k % 2 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
                int port = k < 50000 ? 10000 + k : 10001 + 2 * ((k - 50000) % 25000);
                struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
                a4.sin_addr.s_addr = k < 50000 ? htonl(INADDR_ANY)
                                               : htonl(0x7f000002u + (uint32_t)((k - 50000) / 25000));
                struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = a4.sin_port};
                int on = 1;
                if (fd >= 0 && k < 50000 && k % 2)
                        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
                int r = k < 50000 && k % 2 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6))
                                           : bind(fd, (struct sockaddr *)&a4, sizeof(a4));
                if (fd < 0 || r < 0 || listen(fd, 4) < 0)
                        _exit(4);
        }
        if (write(ready, "x", 1) != 1)
                _exit(5);
        for (;;)
                pause();
}

static void spawn_others(int n, int ready)
{
        for (int i = 0; i < n; i++) {
                pid_t p = fork();
                if (p < 0)
                        die("fork");
                if (p == 0) {
                        prctl(PR_SET_PDEATHSIG, SIGKILL);
                        prctl(PR_SET_NAME, "nwpf-other");
                        if (write(ready, "x", 1) != 1)
                                _exit(5);
                        for (;;)
                                pause();
                }
                kids[n_kids++] = p;
        }
}

static double now_ms(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Run argv (in the namespace first, for ss) with stdout to /dev/null; wall ms
 * and peak RSS (KiB); the output's line count to prove the work was done. */
static double run(char *const *argv, bool in_ns, long *ret_rss, long *ret_lines, long *ret_owned, double *ret_cpu)
{
        char tmpl[] = "/tmp/nw-sock-bench-out.XXXXXX";
        int out = mkstemp(tmpl);
        if (out < 0)
                die("mkstemp");
        unlink(tmpl);
        double t0 = now_ms();
        pid_t p = fork();
        if (p == 0) {
                if (in_ns)
                        enter_ns();
                dup2(out, 1);
                execvp(argv[0], argv);
                _exit(127);
        }
        int st;
        struct rusage ru;
        if (wait4(p, &st, 0, &ru) < 0)
                die("wait4");
        double ms = now_ms() - t0;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "bench: %s exited %d\n", argv[0], WEXITSTATUS(st));
                cleanup();
                exit(1);
        }
        *ret_rss = ru.ru_maxrss;
        *ret_cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
        /* Lines, and lines naming an owner ("users:((" in both tools' output). */
        long lines = 0, owned = 0;
        char buf[65536 + 8];
        size_t keep = 0;
        ssize_t n;
        lseek(out, 0, SEEK_SET);
        while ((n = read(out, buf + keep, sizeof(buf) - 8 - keep)) > 0) {
                size_t len = keep + (size_t)n;
                for (size_t i = keep; i < len; i++)
                        lines += buf[i] == '\n';
                buf[len] = '\0';
                for (char *q = buf; (q = memmem(q, len - (size_t)(q - buf), "users:((", 8)); q += 8)
                        owned++;
                keep = len < 7 ? len : 7; /* a marker cut between two reads */
                memmove(buf, buf + len - keep, keep);
        }
        close(out);
        *ret_lines = lines;
        *ret_owned = owned;
        return ms;
}

static int cmp_d(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

struct series {
        const char *label;
        char *const *argv;
        bool in_ns;
        double ms[RUNS], median, cpu[RUNS], cpu_median;
        long rss, lines, owned;
};

/* Rounds interleave the four commands, so a burst of load elsewhere on the
 * machine hits all of them alike; the median of each is reported. */
static void measure(struct series *s, size_t n)
{
        for (int round = 0; round < RUNS; round++)
                for (size_t k = 0; k < n; k++) {
                        long rss, lines, owned;
                        s[k].ms[round] = run(s[k].argv, s[k].in_ns, &rss, &lines, &owned, &s[k].cpu[round]);
                        if (rss > s[k].rss)
                                s[k].rss = rss;
                        s[k].lines = lines;
                        s[k].owned = owned;
                }
        for (size_t k = 0; k < n; k++) {
                qsort(s[k].ms, RUNS, sizeof(double), cmp_d);
                s[k].median = s[k].ms[RUNS / 2];
                qsort(s[k].cpu, RUNS, sizeof(double), cmp_d);
                s[k].cpu_median = s[k].cpu[RUNS / 2];
        }
}

/* One scene: @sockets listeners over @holders processes among @others idle ones. */
static bool scene(const char *nw, int sockets, int holders, int others, bool lists)
{
        SOCKETS = sockets, HOLDERS = holders, OTHERS = others;
        snprintf(ns_name, sizeof(ns_name), "nwpf-sock-bench%d", (int)getpid());
        snprintf(ns_path, sizeof(ns_path), "/run/netns/%s", ns_name);
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "ip netns add %s && ip -n %s link set lo up", ns_name, ns_name);
        if (system(cmd) != 0)
                die("ip netns add");
        int rp[2];
        if (pipe(rp) < 0)
                die("pipe");
        /* Holders sit in the middle of the process table, as on a node. */
        spawn_others(OTHERS / 2, rp[1]);
        for (int i = 0; i < HOLDERS; i++) {
                pid_t p = fork();
                if (p == 0)
                        holder(i, rp[1]);
                kids[n_kids++] = p;
        }
        spawn_others(OTHERS - OTHERS / 2, rp[1]);
        close(rp[1]);
        for (int i = 0; i < HOLDERS + OTHERS; i++) {
                char c;
                struct pollfd pf = {.fd = rp[0], .events = POLLIN};
                if (poll(&pf, 1, 120000) != 1 || read(rp[0], &c, 1) != 1) {
                        errno = ECHILD;
                        die("a holder died before it was ready (RLIMIT_NOFILE or ports?)");
                }
        }
        close(rp[0]);
        if (getenv("NW_BENCH_HOLD")) { /* keep the scene for profiling until stdin closes */
                printf("%s\n", ns_path);
                fflush(stdout);
                char c;
                while (read(0, &c, 1) > 0)
                        ;
                cleanup();
                exit(0);
        }
        char *nw_plain[] = {(char *)nw, "sockets", "--netns", ns_path, "--no-owners", NULL};
        char *nw_owners[] = {(char *)nw, "sockets", "--netns", ns_path, NULL};
        char *ss_plain[] = {"ss", "-ltnH", NULL};
        char *ss_owners[] = {"ss", "-ltnpH", NULL};
        struct series s[] = {
                {.label = "nodeward sockets (owners)", .argv = nw_owners},
                {.label = "ss -ltnpH", .argv = ss_owners, .in_ns = true},
                {.label = "nodeward sockets --no-owners", .argv = nw_plain},
                {.label = "ss -ltnH", .argv = ss_plain, .in_ns = true},
        };
        size_t ns = lists ? 4 : 2;
        measure(s, ns);
        printf("%d listening TCP sockets held by %d process%s, %d other processes (%d runs each, interleaved; "
               "median)\n",
               SOCKETS, HOLDERS, HOLDERS == 1 ? "" : "es", OTHERS, RUNS);
        for (size_t i = 0; i < ns; i++)
                printf("  %-30s %8.1f ms  cpu %7.1f ms  peak RSS %6ld KiB  %ld lines, %ld with owners\n", s[i].label,
                       s[i].median, s[i].cpu_median, s[i].rss, s[i].lines, s[i].owned);
        double cpu = s[0].cpu_median / s[1].cpu_median, wall = s[0].median / s[1].median;
        bool found = s[0].owned == SOCKETS && s[1].owned == SOCKETS;
        printf("  owners: nodeward / ss = %.2fx CPU, %.2fx wall; every owner found by both: %s\n", cpu, wall,
               found ? "yes" : "NO");
        bool ok = found && s[0].lines == SOCKETS + 1 && s[1].lines == SOCKETS;
        if (lists)
                printf("  listing: nodeward / ss = %.2fx CPU, %.2fx wall\n", s[2].cpu_median / s[3].cpu_median,
                       s[2].median / s[3].median);
        cleanup();
        return ok;
}

int main(int argc, char **argv)
{
        const char *nw = argc > 1 ? argv[1] : "./build/nodeward";
        signal(SIGINT, SIG_IGN);
        bool ok = true;
        ok &= scene(nw, 1000, 4, 1000, false);
        ok &= scene(nw, 16000, 4, 1000, true);
        ok &= scene(nw, 64000, 8, 1000, false);
        ok &= scene(nw, 8000, 2000, 0, false);
        double la[3] = {0};
        if (getloadavg(la, 3) > 0)
                printf("(machine load average during the run: %.2f; %ld CPUs)\n", la[0], sysconf(_SC_NPROCESSORS_ONLN));
        if (!ok)
                printf("OWNERS MISSING or output short\n");
        return ok ? 0 : 1;
}
