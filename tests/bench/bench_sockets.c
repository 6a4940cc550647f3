/* bench_sockets: nodeward's socket listing against ss, side by side, on a crowded namespace. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
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

#define HOLDERS 4
#define SOCKETS 16000
#define OTHERS 1000
#define RUNS 11

static char ns_name[64], ns_path[128];
static pid_t kids[HOLDERS + OTHERS];
static int n_kids;

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
        snprintf(name, sizeof(name), "nw-sock-hold%d", idx);
        prctl(PR_SET_NAME, name);
        enter_ns();
        struct rlimit rl = {SOCKETS, SOCKETS};
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                _exit(3);
        int per = SOCKETS / HOLDERS;
        for (int i = 0; i < per; i++) {
                int fd = socket(i % 2 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
                struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(20000 + idx * per + i))};
                struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = a4.sin_port};
                int r = i % 2 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6)) : bind(fd, (struct sockaddr *)&a4, sizeof(a4));
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
                        prctl(PR_SET_NAME, "nw-sock-other");
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
static double run(char *const *argv, bool in_ns, long *ret_rss, long *ret_lines, double *ret_cpu)
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
        long lines = 0;
        char buf[65536];
        ssize_t n;
        lseek(out, 0, SEEK_SET);
        while ((n = read(out, buf, sizeof(buf))) > 0)
                for (ssize_t i = 0; i < n; i++)
                        lines += buf[i] == '\n';
        close(out);
        *ret_lines = lines;
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
        long rss, lines;
};

/* Rounds interleave the four commands, so a burst of load elsewhere on the
 * machine hits all of them alike; the median of each is reported. */
static void measure(struct series *s, size_t n)
{
        for (int round = 0; round < RUNS; round++)
                for (size_t k = 0; k < n; k++) {
                        long rss, lines;
                        s[k].ms[round] = run(s[k].argv, s[k].in_ns, &rss, &lines, &s[k].cpu[round]);
                        if (rss > s[k].rss)
                                s[k].rss = rss;
                        s[k].lines = lines;
                }
        for (size_t k = 0; k < n; k++) {
                qsort(s[k].ms, RUNS, sizeof(double), cmp_d);
                s[k].median = s[k].ms[RUNS / 2];
                qsort(s[k].cpu, RUNS, sizeof(double), cmp_d);
                s[k].cpu_median = s[k].cpu[RUNS / 2];
        }
}

int main(int argc, char **argv)
{
        const char *nw = argc > 1 ? argv[1] : "./build/nodeward";
        snprintf(ns_name, sizeof(ns_name), "nw-sock-bench%d", (int)getpid());
        snprintf(ns_path, sizeof(ns_path), "/run/netns/%s", ns_name);
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "ip netns add %s && ip -n %s link set lo up", ns_name, ns_name);
        if (system(cmd) != 0)
                die("ip netns add");
        signal(SIGINT, SIG_IGN);
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
                if (read(rp[0], &c, 1) != 1) {
                        errno = ECHILD;
                        die("a holder died before it was ready (RLIMIT_NOFILE or ports?)");
                }
        }
        if (getenv("NW_BENCH_HOLD")) { /* keep the scene for profiling until stdin closes */
                printf("%s\n", ns_path);
                fflush(stdout);
                char c;
                while (read(0, &c, 1) > 0)
                        ;
                cleanup();
                return 0;
        }
        char *nw_plain[] = {(char *)nw, "sockets", "--netns", ns_path, "--no-owners", NULL};
        char *nw_owners[] = {(char *)nw, "sockets", "--netns", ns_path, NULL};
        char *ss_plain[] = {"ss", "-ltnH", NULL};
        char *ss_owners[] = {"ss", "-ltnpH", NULL};
        struct series s[] = {
                {.label = "nodeward sockets --no-owners", .argv = nw_plain},
                {.label = "ss -ltnH", .argv = ss_plain, .in_ns = true},
                {.label = "nodeward sockets (owners)", .argv = nw_owners},
                {.label = "ss -ltnpH", .argv = ss_owners, .in_ns = true},
        };
        measure(s, 4);
        printf("sockets bench: %d listening TCP sockets (v4+v6) held by %d processes, %d other processes, "
               "%d runs each, median wall time\n", SOCKETS, HOLDERS, OTHERS, RUNS);
        for (size_t i = 0; i < 4; i++)
                printf("  %-30s %8.1f ms  (min %.1f, max %.1f)  cpu %6.1f ms  peak RSS %6ld KiB  %ld lines\n",
                       s[i].label, s[i].median, s[i].ms[0], s[i].ms[RUNS - 1], s[i].cpu_median, s[i].rss, s[i].lines);
        printf("  without owners: ss / nodeward = %.2fx (target >= 1.00)\n", s[1].median / s[0].median);
        printf("  with owners:    ss / nodeward = %.2fx (target >= 2.00)\n", s[3].median / s[2].median);
        printf("  nodeward peak RSS: %ld KiB (target < 8192)\n", s[2].rss > s[0].rss ? s[2].rss : s[0].rss);
        int ok = s[1].median >= s[0].median && s[3].median >= 2 * s[2].median && s[2].rss < 8192 &&
                 s[0].lines == SOCKETS + 1 && s[1].lines == SOCKETS;
        printf("  %s\n", ok ? "all targets met" : "TARGET MISSED");
        double la[3] = {0};
        if (getloadavg(la, 3) > 0)
                printf("  (machine load average during the run: %.2f; %ld CPUs)\n", la[0], sysconf(_SC_NPROCESSORS_ONLN));
        cleanup();
        return 0;
}
