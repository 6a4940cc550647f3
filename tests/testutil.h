/* testutil: helpers shared by the CMocka tests: scratch trees, files, and running the real binary. */
#pragma once
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

static inline const char *tu_nodeward(void)
{
        const char *p = getenv("NODEWARD");
        return p ? p : "./build/nodeward";
}

/* build/nodeward-testhooks beside $NODEWARD: the same program with test hooks
 * (-DNODEWARD_TEST_HOOKS): a forbidden call, a collector that never returns. */
static inline const char *tu_testhooks(void)
{
        static char path[4096 + 32];
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", tu_nodeward());
        char *slash = strrchr(dir, '/');
        if (slash)
                *slash = '\0';
        snprintf(path, sizeof(path), "%s/nodeward-testhooks", slash ? dir : ".");
        if (access(path, X_OK) < 0)
                fail_msg("%s is missing: make build/nodeward-testhooks (make test builds it)", path);
        return path;
}

static inline const char *tu_fixtures(void)
{
        const char *p = getenv("FIXTURES");
        return p ? p : "tests/fixtures";
}

/* Scratch directories are remembered so that the group teardown removes them even
 * when a failed assertion jumped past a test's own cleanup. */
#define TU_MAX_SCRATCH 256
static char tu_scratch[TU_MAX_SCRATCH][64];
static size_t tu_n_scratch;

static inline char *tu_mkdtemp(void)
{
        char *t = strdup("/tmp/nodeward-test.XXXXXX");
        assert_non_null(t);
        assert_non_null(mkdtemp(t));
        if (tu_n_scratch < TU_MAX_SCRATCH)
                snprintf(tu_scratch[tu_n_scratch++], sizeof(tu_scratch[0]), "%s", t);
        return t;
}

static inline void tu_mkdirs(const char *path)
{
        char buf[4096];
        snprintf(buf, sizeof(buf), "%s", path);
        for (char *p = buf + 1; *p; p++)
                if (*p == '/') {
                        *p = '\0';
                        mkdir(buf, 0755);
                        *p = '/';
                }
        mkdir(buf, 0755);
}

/* Write @len bytes at ROOT/REL (parents created), with @mode. */
static inline void tu_write_bin(const char *root, const char *rel, const void *buf, size_t len, mode_t mode)
{
        char path[4096], dir[4096];
        snprintf(path, sizeof(path), "%s/%s", root, rel);
        snprintf(dir, sizeof(dir), "%s", path);
        *strrchr(dir, '/') = '\0';
        tu_mkdirs(dir);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, buf, len), (ssize_t)len);
        assert_int_equal(fchmod(fd, mode), 0);
        close(fd);
}

static inline void tu_write(const char *root, const char *rel, const char *content)
{
        tu_write_bin(root, rel, content, strlen(content), 0644);
}

/* A .go.buildinfo section as the Go 1.18+ linker writes it: the magic, pointer size 8, the
 * inline-strings flag, then the Go version and @modinfo (which should end in a newline) as
 * uvarint-prefixed strings, the module text inside cmd/go's 16-byte sentinels. Returns its length. */
static inline size_t tu_go_buildinfo(uint8_t *out, size_t cap, const char *goversion, const char *modinfo)
{
        static const uint8_t pre[16] = "0w\xaf\x0c\x92t\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
        static const uint8_t post[16] = "\xf9\x32\x43\x31\x86\x18 r\x00\x82\x42\x10\x41\x16\xd8\xf2";
        size_t n = 0, mlen = strlen(modinfo) + 32;
        assert_true(cap >= 64 + strlen(goversion) + mlen);
        memset(out, 0, 32);
        memcpy(out, "\xff Go buildinf:", 14);
        out[14] = 8;
        out[15] = 2;
        n = 32;
        const char *strs[] = {goversion, modinfo};
        for (int i = 0; i < 2; i++) {
                size_t l = i ? mlen : strlen(goversion);
                for (size_t v = l;; v >>= 7) {
                        out[n++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
                        if (v < 0x80)
                                break;
                }
                if (i)
                        memcpy(out + n, pre, 16), n += 16;
                memcpy(out + n, strs[i], strlen(strs[i]));
                n += strlen(strs[i]);
                if (i)
                        memcpy(out + n, post, 16), n += 16;
        }
        return n;
}

/* A minimal 64-bit little-endian ELF file whose one section besides the names is
 * .go.buildinfo (tu_go_buildinfo): what nodeward reads of a Go binary. Returns its length. */
static inline size_t tu_go_elf(uint8_t *out, size_t cap, const char *goversion, const char *modinfo)
{
        static const char names[] = "\0.shstrtab\0.go.buildinfo";
        assert_true(cap >= 64 + 3 * 64 + sizeof(names) + 64 + strlen(goversion) + strlen(modinfo) + 48);
        memset(out, 0, cap);
        size_t bi = 64, blen = tu_go_buildinfo(out + bi, cap - bi - 3 * 64 - sizeof(names), goversion, modinfo);
        size_t st = bi + blen, sh = (st + sizeof(names) + 7) & ~(size_t)7;
        memcpy(out + st, names, sizeof(names));
        memcpy(out, "\177ELF\2\1\1", 7);
#define TU_LE(p, v, w)                                                  \
        do {                                                            \
                for (int b_ = 0; b_ < (w); b_++)                        \
                        (p)[b_] = (uint8_t)((uint64_t)(v) >> (8 * b_)); \
        } while (0)
        TU_LE(out + 0x10, 2, 2);    /* ET_EXEC */
        TU_LE(out + 0x12, 0x3e, 2); /* x86_64 */
        TU_LE(out + 0x28, sh, 8);
        TU_LE(out + 0x34, 64, 2);
        TU_LE(out + 0x3a, 64, 2);
        TU_LE(out + 0x3c, 3, 2);
        TU_LE(out + 0x3e, 1, 2);
        uint8_t *s1 = out + sh + 64, *s2 = out + sh + 128; /* [0] stays the null section */
        TU_LE(s1, 1, 4);                                   /* .shstrtab */
        TU_LE(s1 + 4, 3, 4);                               /* SHT_STRTAB */
        TU_LE(s1 + 0x18, st, 8);
        TU_LE(s1 + 0x20, sizeof(names), 8);
        TU_LE(s2, 11, 4); /* .go.buildinfo */
        TU_LE(s2 + 4, 1, 4);
        TU_LE(s2 + 0x18, bi, 8);
        TU_LE(s2 + 0x20, blen, 8);
#undef TU_LE
        return sh + 3 * 64;
}

/* A process directory: ROOT/proc/PID/{comm,cmdline}; argv is NULL-terminated. */
static inline void tu_write_proc(const char *root, int pid, const char *comm, const char *const *argv)
{
        char rel[64], buf[8192];
        size_t n = 0;
        snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
        snprintf(buf, sizeof(buf), "%s\n", comm);
        tu_write(root, rel, buf);
        for (; *argv; argv++) {
                size_t l = strlen(*argv) + 1;
                assert_true(n + l < sizeof(buf));
                memcpy(buf + n, *argv, l);
                n += l;
        }
        snprintf(rel, sizeof(rel), "proc/%d/cmdline", pid);
        tu_write_bin(root, rel, buf, n, 0444);
}

static inline void tu_symlink(const char *root, const char *rel, const char *target)
{
        char path[4096], dir[4096];
        snprintf(path, sizeof(path), "%s/%s", root, rel);
        snprintf(dir, sizeof(dir), "%s", path);
        *strrchr(dir, '/') = '\0';
        tu_mkdirs(dir);
        unlink(path);
        assert_int_equal(symlink(target, path), 0);
}

static inline int tu_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static inline void tu_rm_rf(const char *path)
{
        if (path)
                nftw(path, tu_rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

/* Pass as the group teardown: removes every scratch directory still there. */
static inline int tu_group_teardown(void **state)
{
        (void)state;
        for (size_t i = 0; i < tu_n_scratch; i++)
                tu_rm_rf(tu_scratch[i]);
        tu_n_scratch = 0;
        return 0;
}

static inline void tu_copy_tree(const char *src, const char *dst)
{
        char cmd[8192];
        snprintf(cmd, sizeof(cmd), "cp -a '%s/.' '%s/'", src, dst);
        assert_int_equal(system(cmd), 0);
}

static inline char *tu_read_fd(int fd)
{
        size_t cap = 4096, len = 0;
        char *buf = malloc(cap);
        for (;;) {
                if (len + 1 >= cap)
                        buf = realloc(buf, cap *= 2);
                ssize_t n = read(fd, buf + len, cap - len - 1);
                if (n <= 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        return buf;
}

/* The source tree's README.md, whole: the tests that pin it to the code read it here. */
static inline char *tu_read_readme(void)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/../../README.md", tu_fixtures());
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                fail_msg("%s: %s", path, strerror(errno));
        char *text = tu_read_fd(fd);
        close(fd);
        return text;
}

struct tu_usage {
        long max_rss_kib; /* peak resident set of the child */
        long elapsed_ms;
        long cpu_ms; /* user + system time of the child: what it cost, whatever the machine's load */
};

static int tu_run_measured(char *const *argv, char **ret_out, char **ret_err, int timeout_s,
                           struct tu_usage *ret_usage);

/* tests/run-tests.sh sets NODEWARD_REPORT_DIR: every nodeward.report/v1 document a run
 * prints (or writes with --output: tu_keep_report_file) is kept there, and validated against the report's JSON Schema once all ran. */
static inline void tu_keep_report(const char *out)
{
        static unsigned n;
        const char *dir = getenv("NODEWARD_REPORT_DIR");
        if (!dir || !*dir || out[0] != '{' || !strstr(out, "\"schema\":\t\"nodeward.report/v1\""))
                return;
        /* Only whole documents: a test may print a report cut short on purpose. */
        cJSON *j = cJSON_Parse(out);
        const cJSON *schema = cJSON_GetObjectItem(j, "schema");
        int whole = cJSON_IsString(schema) && strcmp(schema->valuestring, "nodeward.report/v1") == 0;
        cJSON_Delete(j);
        if (!whole)
                return;
        char path[4096];
        snprintf(path, sizeof(path), "%s/report-%d-%u.json", dir, (int)getpid(), n++);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
                return;
        size_t len = strlen(out);
        if (write(fd, out, len) != (ssize_t)len)
                fprintf(stderr, "tu_keep_report: short write to %s\n", path);
        close(fd);
}

/* A report nodeward wrote to a file (--output), kept as tu_keep_report() keeps one it
 * printed; call it before the test changes the file. */
static inline void tu_keep_report_file(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        char *text = tu_read_fd(fd);
        close(fd);
        tu_keep_report(text);
        free(text);
}

/* Run argv (NULL-terminated); capture stdout and stderr; kill it after @timeout_s.
 * Returns the exit code, 128+signal when killed. */
static inline int tu_run_timeout(char *const *argv, char **ret_out, char **ret_err, int timeout_s)
{
        return tu_run_measured(argv, ret_out, ret_err, timeout_s, NULL);
}

static int tu_run_measured(char *const *argv, char **ret_out, char **ret_err, int timeout_s, struct tu_usage *ret_usage)
{
        char *tmpl_out = strdup("/tmp/nodeward-out.XXXXXX"), *tmpl_err = strdup("/tmp/nodeward-err.XXXXXX");
        int fo = mkstemp(tmpl_out), fe = mkstemp(tmpl_err);
        assert_true(fo >= 0 && fe >= 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                dup2(fo, 1);
                dup2(fe, 2);
                execv(argv[0], argv);
                _exit(127);
        }
        int status = 0;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        struct rusage ru;
        memset(&ru, 0, sizeof(ru));
        for (;;) {
                pid_t w = wait4(pid, &status, WNOHANG, &ru);
                if (w == pid)
                        break;
                clock_gettime(CLOCK_MONOTONIC, &t1);
                if (t1.tv_sec - t0.tv_sec > timeout_s) {
                        kill(pid, SIGKILL);
                        wait4(pid, &status, 0, &ru);
                        break;
                }
                usleep(1000);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (ret_usage) {
                ret_usage->max_rss_kib = ru.ru_maxrss;
                ret_usage->elapsed_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
                ret_usage->cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                                    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
        }
        lseek(fo, 0, SEEK_SET);
        lseek(fe, 0, SEEK_SET);
        char *out = tu_read_fd(fo), *err = tu_read_fd(fe);
        close(fo);
        close(fe);
        tu_keep_report(out);
        unlink(tmpl_out);
        unlink(tmpl_err);
        free(tmpl_out);
        free(tmpl_err);
        if (ret_out)
                *ret_out = out;
        else
                free(out);
        if (ret_err)
                *ret_err = err;
        else
                free(err);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static inline int tu_run(char *const *argv, char **ret_out, char **ret_err)
{
        return tu_run_timeout(argv, ret_out, ret_err, 60);
}

/* `nodeward check --root ROOT --format json [extra...]`, parsed. */
static inline cJSON *tu_check_json(const char *root, const char *only, int *ret_rc)
{
        char *argv[16];
        int n = 0;
        argv[n++] = (char *)tu_nodeward();
        argv[n++] = (char *)"check";
        argv[n++] = (char *)"--root";
        argv[n++] = (char *)root;
        argv[n++] = (char *)"--format";
        argv[n++] = (char *)"json";
        if (only) {
                argv[n++] = (char *)"--only";
                argv[n++] = (char *)only;
        }
        argv[n] = NULL;
        char *out, *err;
        int rc = tu_run(argv, &out, &err);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fprintf(stderr, "nodeward printed no JSON (exit %d)\nstdout: %s\nstderr: %s\n", rc, out, err);
        assert_non_null(j);
        free(out);
        free(err);
        if (ret_rc)
                *ret_rc = rc;
        return j;
}

static inline const cJSON *tu_result(const cJSON *report, const char *id)
{
        const cJSON *r;
        cJSON_ArrayForEach(r,
                           cJSON_GetObjectItem(report, "results")) if (strcmp(cJSON_GetObjectItem(r, "id")->valuestring,
                                                                              id) == 0) return r;
        return NULL;
}

/* Assert the status of check @id, and that its evidence contains @needle (if given). */
#define tu_assert_result(report, id, status, needle)                                                \
        do {                                                                                        \
                const cJSON *r_ = tu_result((report), (id));                                        \
                if (!r_)                                                                            \
                        fail_msg("no result for %s", (id));                                         \
                const char *st_ = cJSON_GetObjectItem(r_, "status")->valuestring;                   \
                const char *ev_ = cJSON_GetObjectItem(r_, "evidence")->valuestring;                 \
                if (strcmp(st_, (status)) != 0)                                                     \
                        fail_msg("%s: status %s, want %s; evidence: %s", (id), st_, (status), ev_); \
                tu_assert_contains_(id, ev_, (needle));                                             \
        } while (0)

static inline void tu_assert_contains_(const char *id, const char *ev, const char *needle)
{
        if (needle && !strstr(ev, needle))
                fail_msg("%s: evidence lacks \"%s\": %s", id, needle, ev);
}

/* Run @argv (argv[0] a path) inside the network namespace /run/netns/@ns, its stdout
 * on a pipe; returns its pid once it printed "ready" (within 5 s). */
static inline pid_t tu_start_in_netns(const char *ns, char *const argv[])
{
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char path[128];
                snprintf(path, sizeof(path), "/run/netns/%s", ns);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
                        _exit(126);
                dup2(p[1], 1);
                close(p[0]);
                execv(argv[0], argv);
                _exit(127);
        }
        close(p[1]);
        char buf[16] = "";
        struct pollfd pf = {.fd = p[0], .events = POLLIN};
        assert_true(poll(&pf, 1, 5000) == 1);
        assert_true(read(p[0], buf, sizeof(buf) - 1) > 0);
        close(p[0]);
        assert_true(strncmp(buf, "ready", 5) == 0);
        return pid;
}
