/* test_privileges: a running nodeward holds only the capabilities its loop needs, and no_new_privs. */
#include "testutil.h"

#include <linux/capability.h>
#include <dirent.h>
#include <stdbool.h>

/* CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE: re-reading files and /proc, nothing more. */
#define READERS ((1ull << CAP_DAC_READ_SEARCH) | (1ull << CAP_SYS_PTRACE))

struct child {
        pid_t pid;
        FILE *out;
};

static struct child spawn(char *const *argv)
{
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                dup2(p[1], 1);
                int devnull = open("/dev/null", O_WRONLY);
                dup2(devnull, 2);
                execv(argv[0], argv);
                _exit(127);
        }
        close(p[1]);
        return (struct child){pid, fdopen(p[0], "r")};
}

/* Read lines until one contains @needle (the child is past its setup then). */
static void wait_for_line(FILE *f, const char *needle)
{
        char line[65536];
        while (fgets(line, sizeof(line), f))
                if (strstr(line, needle))
                        return;
        fail_msg("the child ended before printing \"%s\"", needle);
}

/* A hex field of /proc/PID/status; @missing when the process is gone. */
static unsigned long long status_hex_or(pid_t pid, const char *key, unsigned long long missing)
{
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        FILE *f = fopen(path, "r");
        if (!f)
                return missing;
        unsigned long long v = missing;
        size_t n = strlen(key);
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, key, n) == 0 && line[n] == ':')
                        v = strtoull(line + n + 1, NULL, 16);
        fclose(f);
        return v;
}

static unsigned long long status_hex(pid_t pid, const char *key)
{
        unsigned long long v = status_hex_or(pid, key, ~0ull);
        assert_true(v != ~0ull);
        return v;
}

static int finish(struct child *c, int sig)
{
        kill(c->pid, sig);
        int status = 0;
        for (int i = 0; i < 500; i++) {
                if (waitpid(c->pid, &status, WNOHANG) == c->pid) {
                        fclose(c->out);
                        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                }
                usleep(10000);
        }
        kill(c->pid, SIGKILL);
        waitpid(c->pid, &status, 0);
        fclose(c->out);
        fail_msg("nodeward did not exit within 5 s of signal %d", sig);
        return -1;
}

static void test_watch_loop_keeps_only_readers(void **state)
{
        (void)state;
        char root[4096];
        snprintf(root, sizeof(root), "%s/demo-al2023", tu_fixtures());
        char *argv[] = {(char *)tu_nodeward(), "watch", "--root", root, "--interval", "1", NULL};
        struct child c = spawn(argv);
        wait_for_line(c.out, "\"event\":\"summary\"");
        unsigned long long eff = status_hex(c.pid, "CapEff"), prm = status_hex(c.pid, "CapPrm");
        unsigned long long bnd = status_hex(c.pid, "CapBnd"), nnp = status_hex(c.pid, "NoNewPrivs");
        /* A second interval still works without the rest. */
        wait_for_line(c.out, "\"event\":\"summary\"");
        int rc = finish(&c, SIGTERM);
        if (eff & ~READERS || prm & ~READERS || bnd & ~READERS)
                fail_msg("watch holds CapEff %llx CapPrm %llx CapBnd %llx; allowed %llx", eff, prm, bnd, READERS);
        /* Running as root here, both readers are held. */
        assert_true(eff == READERS);
        assert_int_equal(nnp, 1);
        assert_int_equal(rc, 0);
}

static void test_check_observing_keeps_only_readers(void **state)
{
        (void)state;
        /* The real root: attribution walks this machine's cgroup v2 mount. */
        char *argv[] = {(char *)tu_nodeward(), "check",    "--root", "/", "--observe", "3", "--only",
                        "ssh.pod-attempts",    "--format", "json",   NULL};
        struct child c = spawn(argv);
        /* While it observes (after attach), nothing but the readers is left: poll for
         * as long as it lives (a slow build such as valgrind's attaches late). */
        char *out = NULL;
        bool seen = false;
        int status;
        /* Capabilities are per thread: while the collector thread observes (two
         * tasks), every task must hold the readers only, the waiting one too. */
        for (int i = 0; i < 6000 && !seen; i++) {
                char dir[64];
                snprintf(dir, sizeof(dir), "/proc/%d/task", (int)c.pid);
                DIR *d = opendir(dir);
                int tasks = 0;
                bool all_readers = d != NULL;
                for (struct dirent *de; d && (de = readdir(d));) {
                        if (de->d_name[0] == '.')
                                continue;
                        tasks++;
                        unsigned long long eff = status_hex_or((pid_t)atoi(de->d_name), "CapEff", ~0ull);
                        all_readers &= eff != ~0ull && (eff & ~READERS) == 0;
                }
                if (d)
                        closedir(d);
                seen = tasks >= 2 && all_readers;
                if (!seen)
                        usleep(10000);
        }
        out = tu_read_fd(fileno(c.out));
        waitpid(c.pid, &status, 0);
        fclose(c.out);
        assert_true(seen);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        const cJSON *r = tu_result(j, "ssh.pod-attempts");
        assert_non_null(r);
        assert_string_not_equal(cJSON_GetObjectItem(r, "status")->valuestring, "error");
        cJSON_Delete(j);
        free(out);
}

static void test_check_without_privileges_still_reports(void **state)
{
        (void)state;
        /* As an unprivileged user, root-only files are errors, never a crash. */
        char root[4096];
        snprintf(root, sizeof(root), "%s/demo-al2023", tu_fixtures());
        char *argv[] = {"/usr/bin/setpriv",
                        "--reuid=65534",
                        "--regid=65534",
                        "--clear-groups",
                        (char *)tu_nodeward(),
                        "check",
                        "--root",
                        root,
                        "--only",
                        "kubelet",
                        "--format",
                        "json",
                        NULL};
        char *out;
        int rc = tu_run(argv, &out, NULL);
        assert_true(rc == 0 || rc == 1 || rc == 2);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        assert_non_null(tu_result(j, "kubelet.read-only-port"));
        cJSON_Delete(j);
        free(out);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_watch_loop_keeps_only_readers),
                cmocka_unit_test(test_check_observing_keeps_only_readers),
                cmocka_unit_test(test_check_without_privileges_still_reports),
        };
        return cmocka_run_group_tests_name("privileges", tests, NULL, tu_group_teardown);
}
