/* bench_check: a whole `nodeward check` (this machine, and the demo root) and `explain sshd`
 * against `sshd -T`, with 2,000 extra processes and a listening sshd running, interleaved;
 * then the syscalls of each. Both the dynamic build and, when given, the static binary
 * nodeward ships (build/nodeward-static) are measured. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
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

#define IDLE 2000
#define RUNS 7

static pid_t kids[IDLE];
static int n_kids;

static void cleanup(void)
{
        for (int i = 0; i < n_kids; i++)
                kill(kids[i], SIGKILL);
        for (int i = 0; i < n_kids; i++)
                waitpid(kids[i], NULL, 0);
        n_kids = 0;
}

/* Idle processes with a few files open each (a pipe, a socket pair, /dev/null), as daemons have. */
static void spawn_idle(int n)
{
        int rp[2];
        if (pipe(rp) < 0)
                exit(2);
        for (int i = 0; i < n; i++) {
                pid_t p = fork();
                if (p < 0) {
                        cleanup();
                        exit(2);
                }
                if (p == 0) {
                        prctl(PR_SET_PDEATHSIG, SIGKILL);
                        prctl(PR_SET_NAME, "nwpf-idle");
                        int sp[2], pp[2];
                        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0 || pipe(pp) < 0 ||
                            open("/dev/null", O_RDONLY) < 0 || write(rp[1], "x", 1) != 1)
                                _exit(3);
                        for (;;)
                                pause();
                }
                kids[n_kids++] = p;
        }
        close(rp[1]);
        for (int i = 0; i < n; i++) {
                char c;
                if (read(rp[0], &c, 1) != 1) {
                        cleanup();
                        exit(2);
                }
        }
        close(rp[0]);
}

static double now_ms(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Wall ms; CPU ms and peak RSS (KiB) of the child; its exit status must be <= @max_rc. */
static double run(char *const *argv, int max_rc, double *ret_cpu, long *ret_rss)
{
        double t0 = now_ms();
        pid_t p = fork();
        if (p == 0) {
                int null = open("/dev/null", O_WRONLY);
                dup2(null, 1);
                dup2(null, 2);
                /* sshd -T wants its privilege separation directory: a private /run
                 * (a tmpfs in a mount namespace of this child only), as the sshd
                 * differential test gives it; nothing on the host changes. */
                bool sshd = false;
                for (int i = 0; argv[i]; i++)
                        sshd |= strcmp(argv[i], "/usr/sbin/sshd") == 0;
                if (sshd &&
                    (unshare(CLONE_NEWNS) < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
                     mount("nwpf-sshd-run", "/run", "tmpfs", 0, "mode=0755") < 0 || mkdir("/run/sshd", 0755) < 0))
                        _exit(126);
                execvp(argv[0], argv);
                _exit(127);
        }
        int st;
        struct rusage ru;
        if (wait4(p, &st, 0, &ru) < 0)
                exit(2);
        double ms = now_ms() - t0;
        if (!WIFEXITED(st) || WEXITSTATUS(st) > max_rc) {
                fprintf(stderr, "bench: %s %s exited %d\n", argv[0], argv[1], WEXITSTATUS(st));
                cleanup();
                exit(1);
        }
        *ret_cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
        *ret_rss = ru.ru_maxrss;
        return ms;
}

/* The syscalls one run makes (strace -f -c: its "total" line). */
static long syscalls(char *const *argv)
{
        char out[] = "/tmp/nwpf-bench-strace.XXXXXX";
        int fd = mkstemp(out);
        if (fd < 0)
                return -1;
        close(fd);
        char *v[32] = {"strace", "-f", "-c", "-o", out};
        int n = 5;
        for (int i = 0; argv[i] && n < 31; i++)
                v[n++] = argv[i];
        v[n] = NULL;
        double cpu;
        long rss;
        run(v, 2, &cpu, &rss);
        FILE *f = fopen(out, "r");
        long calls = -1;
        char line[512];
        while (f && fgets(line, sizeof(line), f))
                if (strstr(line, " total")) {
                        double pct, secs;
                        long usecs;
                        if (sscanf(line, "%lf %lf %ld %ld", &pct, &secs, &usecs, &calls) != 4)
                                sscanf(line, "%lf %lf %ld", &pct, &secs, &calls);
                }
        if (f)
                fclose(f);
        unlink(out);
        return calls;
}

static int cmp_d(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

struct series {
        const char *label;
        char *const *argv;
        int max_rc;
        double ms[RUNS], cpu[RUNS], median, cpu_median;
        long rss, calls;
};

/* A listening sshd on loopback, as a node runs one, writing /run/sshd.pid (the
 * default pid file, which explain sshd reads). Not started when a pid file is there
 * already (this machine's own sshd): nothing of the host's is replaced. */
static pid_t sshd_pid = -1;
static bool made_privsep;

static void start_sshd(void)
{
        if (access("/run/sshd.pid", F_OK) == 0 || access("/usr/sbin/sshd", X_OK) != 0)
                return;
        made_privsep = mkdir("/run/sshd", 0755) == 0;
        pid_t p = fork();
        if (p == 0) {
                int null = open("/dev/null", O_RDWR);
                dup2(null, 0);
                dup2(null, 1);
                dup2(null, 2);
                prctl(PR_SET_PDEATHSIG, SIGTERM);
                execl("/usr/sbin/sshd", "/usr/sbin/sshd", "-D", "-p", "22022", "-o", "ListenAddress=127.0.0.1", "-o",
                      "PidFile=/run/sshd.pid", (char *)NULL);
                _exit(127);
        }
        sshd_pid = p;
        for (int i = 0; i < 200 && access("/run/sshd.pid", F_OK) != 0; i++)
                usleep(10000);
}

static void stop_sshd(void)
{
        if (sshd_pid <= 0)
                return;
        kill(sshd_pid, SIGTERM);
        waitpid(sshd_pid, NULL, 0);
        unlink("/run/sshd.pid");
        if (made_privsep)
                rmdir("/run/sshd");
}

#define MAX_SERIES 8

int main(int argc, char **argv)
{
        const char *nw = argc > 1 ? argv[1] : "./build/nodeward";
        const char *demo = argc > 2 ? argv[2] : "tests/fixtures/demo-al2023";
        const char *nw_static = argc > 3 && access(argv[3], X_OK) == 0 ? argv[3] : NULL;
        signal(SIGINT, SIG_IGN);
        spawn_idle(IDLE);
        start_sshd();
        const char *bins[2] = {nw, nw_static};
        const char *names[2] = {"nodeward", "nodeward-static"};
        char *argvs[2][3][6];
        struct series s[MAX_SERIES];
        size_t ns = 0;
        for (int b = 0; b < 2 && bins[b]; b++) {
                char *const v[3][6] = {{(char *)bins[b], "check", NULL},
                                       {(char *)bins[b], "check", "--root", (char *)demo, NULL},
                                       {(char *)bins[b], "explain", "sshd", NULL}};
                static const char *const what[3] = {"check (this machine)", "check --root demo", "explain sshd"};
                memcpy(argvs[b], v, sizeof(v));
                for (int k = 0; k < 3; k++) {
                        char *label = malloc(64);
                        snprintf(label, 64, "%s %s", names[b], what[k]);
                        s[ns++] = (struct series){.label = label, .argv = argvs[b][k], .max_rc = k < 2 ? 2 : 0};
                }
        }
        char *sshd_t[] = {"/usr/sbin/sshd", "-T", NULL};
        size_t sshd_k = ns;
        s[ns++] = (struct series){.label = "sshd -T", .argv = sshd_t};
        for (int r = 0; r < RUNS; r++)
                for (size_t k = 0; k < ns; k++) {
                        long rss;
                        s[k].ms[r] = run(s[k].argv, s[k].max_rc, &s[k].cpu[r], &rss);
                        if (rss > s[k].rss)
                                s[k].rss = rss;
                }
        for (size_t k = 0; k < ns; k++) {
                qsort(s[k].ms, RUNS, sizeof(double), cmp_d);
                qsort(s[k].cpu, RUNS, sizeof(double), cmp_d);
                s[k].median = s[k].ms[RUNS / 2];
                s[k].cpu_median = s[k].cpu[RUNS / 2];
                s[k].calls = syscalls(s[k].argv);
        }
        FILE *pf = fopen("/proc/loadavg", "r");
        double la = 0;
        if (pf && fscanf(pf, "%lf", &la) != 1)
                la = 0;
        if (pf)
                fclose(pf);
        printf("check bench: %d idle processes added (each with a socket pair, a pipe and /dev/null open), %s, "
               "%d runs each, interleaved, median\n",
               IDLE,
               sshd_pid > 0 ? "an sshd listening on 127.0.0.1:22022 (pid file /run/sshd.pid)"
                            : "no sshd started (one runs already, or none is installed)",
               RUNS);
        for (size_t k = 0; k < ns; k++)
                printf("  %-38s %8.1f ms  (min %.1f)  cpu %7.1f ms  peak RSS %6ld KiB  %ld syscalls\n", s[k].label,
                       s[k].median, s[k].ms[0], s[k].cpu_median, s[k].rss, s[k].calls);
        for (size_t b = 0; b * 3 < sshd_k; b++) {
                const struct series *c = &s[b * 3], *e = &s[b * 3 + 2], *t = &s[sshd_k];
                printf("  %s: check of this machine %.1f ms wall (target <= 30), %ld KiB peak RSS (target <= 6144); "
                       "explain sshd / sshd -T = %.2fx CPU, %.2fx wall (target <= 0.20)\n",
                       names[b], c->median, c->rss, e->cpu_median / t->cpu_median, e->median / t->median);
        }
        printf("  (load average %.2f; %ld CPUs)\n", la, sysconf(_SC_NPROCESSORS_ONLN));
        stop_sshd();
        cleanup();
        for (size_t k = 0; k < sshd_k; k++)
                free((char *)s[k].label);
        return 0;
}
