/* test_hostile_host: roots an attacker on the node could build give clear errors within bounded time and memory. */
#include "testutil.h"

#include <pthread.h>
#include <sys/sysmacros.h>

/* The bounds hold for the real build; sanitizers multiply time and memory, so
 * under them only hangs and crashes are caught. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif
#define MAX_MS (slow_build() ? 60000 : 2000)
#define MAX_RSS_KIB (slow_build() ? 4096 * 1024 : 64 * 1024)

static int slow_build(void)
{
        return SANITIZED || getenv("NODEWARD_UNDER_VALGRIND");
}

static char *base_root(void)
{
        char *root = tu_mkdtemp(), src[4096];
        snprintf(src, sizeof(src), "%s/al2023-dropin", tu_fixtures());
        tu_copy_tree(src, root);
        return root;
}

/* Run the @only checks over @root; assert the bounds, return the parsed report. */
static cJSON *bounded_check_only(const char *root, const char *only)
{
        char *argv[] = {(char *)tu_nodeward(), "check",    "--root", (char *)root, "--only",
                        (char *)only,          "--format", "json",   NULL};
        char *out, *err;
        struct tu_usage u;
        int rc = tu_run_measured(argv, &out, &err, 30, &u);
        if (rc > 2)
                fail_msg("nodeward exited %d (crash or hang); stderr: %s", rc, err);
        /* CPU time is the cost bound (a shared, loaded machine stretches the wall
         * clock, not the work); the wall clock only catches a hang. */
        if (u.cpu_ms > MAX_MS || u.elapsed_ms > 15 * MAX_MS || u.max_rss_kib > MAX_RSS_KIB)
                fail_msg("bounds exceeded: %ld ms CPU, %ld ms elapsed, %ld KiB", u.cpu_ms, u.elapsed_ms, u.max_rss_kib);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        free(out);
        free(err);
        return j;
}

static cJSON *bounded_check(const char *root)
{
        return bounded_check_only(root, "kubelet");
}

static const char *CONFIG = "etc/kubernetes/kubelet/config.json";

static void replace_config_with_link(const char *root, const char *target)
{
        char p[4096];
        snprintf(p, sizeof(p), "%s/%s", root, CONFIG);
        unlink(p);
        tu_symlink(root, CONFIG, target);
}

static void test_config_linked_to_dev_zero(void **state)
{
        (void)state;
        char *root = base_root(), dev[4096];
        replace_config_with_link(root, "/dev/zero");
        cJSON *j = bounded_check(root);
        tu_assert_result(j, "kubelet.read-only-port", "error", "No such file");
        cJSON_Delete(j);
        /* With a real character device at ROOT/dev/zero: refused, never read. */
        snprintf(dev, sizeof(dev), "%s/dev", root);
        mkdir(dev, 0755);
        snprintf(dev, sizeof(dev), "%s/dev/zero", root);
        assert_int_equal(mknod(dev, S_IFCHR | 0666, makedev(1, 5)), 0);
        j = bounded_check(root);
        tu_assert_result(j, "kubelet.read-only-port", "error", "not a regular file");
        tu_assert_result(j, "kubelet.hostname-override", "pass", NULL);
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_fifo_where_config_should_be(void **state)
{
        (void)state;
        char *root = base_root(), p[4096];
        snprintf(p, sizeof(p), "%s/%s", root, CONFIG);
        unlink(p);
        assert_int_equal(mkfifo(p, 0644), 0);
        cJSON *j = bounded_check(root);
        tu_assert_result(j, "kubelet.anonymous-auth", "error", "not a regular file");
        tu_assert_result(j, "kubelet.config-permissions", "error", "not a regular file");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_sparse_1gib_config(void **state)
{
        (void)state;
        char *root = base_root(), p[4096];
        snprintf(p, sizeof(p), "%s/%s", root, CONFIG);
        assert_int_equal(truncate(p, 1LL << 30), 0);
        cJSON *j = bounded_check(root);
        tu_assert_result(j, "kubelet.read-only-port", "error", "larger than nodeward's read cap for it");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_ten_thousand_dropins(void **state)
{
        (void)state;
        char *root = base_root(), rel[256];
        for (int i = 0; i < 10000; i++) {
                snprintf(rel, sizeof(rel), "etc/kubernetes/kubelet/config.json.d/%05d.conf", i);
                char body[256];
                snprintf(body, sizeof(body), "{\"kind\":\"KubeletConfiguration\",\"eventRecordQPS\":%d}", i);
                tu_write(root, rel, body);
        }
        cJSON *j = bounded_check(root);
        /* 40-debug.conf sorts before 09999.conf? No: "0" < "4", so 40-debug.conf applies last. */
        tu_assert_result(j, "kubelet.read-only-port", "fail", "40-debug.conf");
        tu_assert_result(j, "kubelet.event-qps", "pass", "eventRecordQPS=9999 from drop-in");
        tu_assert_result(j, "kubelet.config-permissions", "pass", "more");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_megabyte_single_line_and_invalid_utf8(void **state)
{
        (void)state;
        char *root = base_root();
        size_t n = 1 << 20;
        char *big = malloc(n + 128);
        int k = snprintf(big, n, "{\"kind\":\"KubeletConfiguration\",\"x\":\"");
        memset(big + k, 'a', n - (size_t)k - 64);
        /* An unterminated string a megabyte long: a positioned error, quoted briefly. */
        tu_write_bin(root, CONFIG, big, n - 64, 0644);
        cJSON *j = bounded_check(root);
        tu_assert_result(j, "kubelet.read-only-port", "error", "config.json:1:");
        const cJSON *r = tu_result(j, "kubelet.read-only-port");
        assert_true(strlen(cJSON_GetObjectItem(r, "evidence")->valuestring) < 300);
        cJSON_Delete(j);
        /* Invalid UTF-8 and a terminal escape in a value that lands in the evidence. */
        const char bad[] =
                "{\"kind\":\"KubeletConfiguration\",\"authorization\":{\"mode\":\"Web\xff\xfe\x1b[2Jhook\"}}";
        tu_write_bin(root, CONFIG, bad, sizeof(bad) - 1, 0644);
        j = bounded_check(root);
        r = tu_result(j, "kubelet.authorization-mode");
        const char *ev = cJSON_GetObjectItem(r, "evidence")->valuestring;
        assert_non_null(strstr(ev, "Web???[2Jhook"));
        assert_null(strchr(ev, 0x1b));
        cJSON_Delete(j);
        free(big);
        tu_rm_rf(root);
        free(root);
}

struct churn {
        char path[4096];
        volatile int stop;
};

static void *churn_config(void *arg)
{
        struct churn *c = arg;
        const char *body = "{\"kind\":\"KubeletConfiguration\",\"readOnlyPort\":0}";
        char tmp[4200];
        snprintf(tmp, sizeof(tmp), "%s.tmp", c->path);
        while (!c->stop) {
                unlink(c->path);
                int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (fd >= 0) {
                        if (write(fd, body, strlen(body)) < 0) {
                                /* best effort: the point is churn */
                        }
                        close(fd);
                        rename(tmp, c->path);
                }
        }
        return NULL;
}

static void test_config_deleted_while_reading(void **state)
{
        (void)state;
        char *root = base_root();
        struct churn c = {0};
        snprintf(c.path, sizeof(c.path), "%s/%s", root, CONFIG);
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, churn_config, &c), 0);
        int seen_pass = 0, seen_error = 0;
        for (int i = 0; i < 20; i++) {
                cJSON *j = bounded_check(root);
                const char *st = cJSON_GetObjectItem(tu_result(j, "kubelet.read-only-port"), "status")->valuestring;
                /* Either a consistent read (the drop-in makes it fail) or a clear error. */
                if (strcmp(st, "error") == 0)
                        seen_error++;
                else if (strcmp(st, "fail") == 0)
                        seen_pass++;
                else
                        fail_msg("unexpected status %s", st);
                cJSON_Delete(j);
        }
        c.stop = 1;
        pthread_join(t, NULL);
        assert_int_equal(seen_pass + seen_error, 20);
        tu_rm_rf(root);
        free(root);
}

static void tree_digest(const char *root, char *out, size_t size)
{
        char cmd[8192];
        snprintf(cmd, sizeof(cmd),
                 "cd '%s' && { find . -printf '%%p %%y %%m %%U:%%G %%s %%T@ %%l\\n' | sort; "
                 "find . -type f -exec sha256sum {} + | sort; } | sha256sum",
                 root);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        assert_non_null(fgets(out, (int)size, p));
        pclose(p);
}

static void test_full_check_writes_nothing(void **state)
{
        (void)state;
        char before[128], after[128];
        const char *fixtures[] = {"demo-al2023", "systemd-unit", "malformed", "kubeadm-yaml"};
        for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
                char *root = tu_mkdtemp(), src[4096];
                snprintf(src, sizeof(src), "%s/%s", tu_fixtures(), fixtures[i]);
                tu_copy_tree(src, root);
                tree_digest(root, before, sizeof(before));
                char *argv[] = {(char *)tu_nodeward(), "check", "--root", root, NULL};
                tu_run(argv, NULL, NULL);
                char *argv2[] = {(char *)tu_nodeward(), "explain", "kubelet", "--root", root, NULL};
                tu_run(argv2, NULL, NULL);
                tree_digest(root, after, sizeof(after));
                assert_string_equal(before, after);
                tu_rm_rf(root);
                free(root);
        }
}

static void test_sshd_include_loop_and_depth_bomb(void **state)
{
        (void)state;
        char *root = tu_mkdtemp(), rel[256], body[256];
        tu_write(root, "etc/ssh/sshd_config", "PermitRootLogin no\nInclude /etc/ssh/sshd_config\n");
        cJSON *j = bounded_check_only(root, "ssh.permit-root-login");
        tu_assert_result(j, "ssh.permit-root-login", "error", "line 2");
        cJSON_Delete(j);
        /* A chain 200 files deep: refused at sshd's depth limit, long before the end. */
        tu_write(root, "etc/ssh/sshd_config", "Include /etc/ssh/chain/0.conf\n");
        for (int i = 0; i < 200; i++) {
                snprintf(rel, sizeof(rel), "etc/ssh/chain/%d.conf", i);
                snprintf(body, sizeof(body), "Include /etc/ssh/chain/%d.conf\n", i + 1);
                tu_write(root, rel, body);
        }
        j = bounded_check_only(root, "ssh");
        tu_assert_result(j, "ssh.permit-root-login", "error", "line 1");
        cJSON_Delete(j);
        /* Fan-out: every file includes every file of a wide directory. */
        tu_write(root, "etc/ssh/sshd_config", "Include /etc/ssh/wide/*.conf\n");
        for (int i = 0; i < 64; i++) {
                snprintf(rel, sizeof(rel), "etc/ssh/wide/%02d.conf", i);
                tu_write(root, rel, "Include /etc/ssh/wide/*.conf\n");
        }
        j = bounded_check_only(root, "ssh");
        tu_assert_result(j, "ssh.permit-root-login", "error", NULL);
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

/* Every parser at its read cap: cost linear in the input and memory bounded
 * (time and peak RSS of the run asserted by bounded_check_only). libyaml alone
 * spent hours on 4 MiB of "[": a pre-scan refuses it first; block nesting is
 * refused by a pass over libyaml's events before a tree is built. */
static void test_parsers_at_their_caps(void **state)
{
        (void)state;
        char *root = base_root();
        size_t cap = 4u << 20, n = cap - 64;
        char *big = malloc(cap);
        /* JSON: 4 MiB of nested arrays in a config that starts as an object. */
        big[0] = '{';
        memcpy(big + 1, "\"a\":", 4);
        memset(big + 5, '[', n / 2);
        memset(big + 5 + n / 2, ']', n / 2);
        tu_write_bin(root, CONFIG, big, 5 + n, 0644);
        cJSON *j = bounded_check(root);
        tu_assert_result(j, "kubelet.read-only-port", "error", "nesting deeper than 64 levels");
        cJSON_Delete(j);
        /* YAML: the same in flow style, and a flow mapping nest. */
        memcpy(big, "a: ", 3);
        memset(big + 3, '[', n);
        tu_write_bin(root, CONFIG, big, 3 + n, 0644);
        j = bounded_check(root);
        tu_assert_result(j, "kubelet.read-only-port", "error", "nesting deeper than 64 levels");
        cJSON_Delete(j);
        for (size_t i = 3; i + 3 < n; i += 3)
                memcpy(big + i, "{a:", 3);
        tu_write_bin(root, CONFIG, big, n, 0644);
        j = bounded_check(root);
        tu_assert_result(j, "kubelet.read-only-port", "error", "nesting deeper than 64 levels");
        cJSON_Delete(j);
        /* YAML block nesting, out of a bracket count's reach: a sequence of
         * sequences and a mapping of complex keys (libyaml's loader once took
         * 3.1 s and 672 MiB, and 5.4 s and 1.1 GiB, to build their trees). */
        static const char *const blocks[] = {"- ", "? "};
        for (size_t b = 0; b < 2; b++) {
                for (size_t i = 0; i + 2 < n; i += 2)
                        memcpy(big + i, blocks[b], 2);
                memcpy(big + n - 2, "x\n", 2);
                tu_write_bin(root, CONFIG, big, n, 0644);
                j = bounded_check(root);
                tu_assert_result(j, "kubelet.read-only-port", "error", "nesting deeper than 64 levels");
                cJSON_Delete(j);
        }
        /* A kubelet unit drop-in whose one line is 4 MiB of words, in a root whose
         * kubelet.service expands that variable: read, split and expanded up to
         * the budget of what Linux would start, then refused. */
        tu_rm_rf(root);
        free(root);
        root = tu_mkdtemp();
        char src[4096];
        snprintf(src, sizeof(src), "%s/systemd-unit", tu_fixtures());
        tu_copy_tree(src, root);
        size_t k = (size_t)snprintf(big, cap, "[Service]\nEnvironment=\"KUBELET_EXTRA_ARGS=");
        for (; k + 32 < n; k += 6)
                memcpy(big + k, "--v=2 ", 6);
        k += (size_t)snprintf(big + k, cap - k, "--read-only-port=0\"\n");
        tu_write_bin(root, "etc/systemd/system/kubelet.service.d/90-long.conf", big, k, 0644);
        j = bounded_check(root);
        tu_assert_result(j, "kubelet.read-only-port", "error", "ExecStart=: its variables expand past");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
        /* sshd_config at its 1 MiB cap in Match blocks that set nothing: every block
         * once held a copy of every setting and the list grew one block at a time
         * (190 MiB for "Match all", 109 MiB for "Match User uN"). */
        root = tu_mkdtemp();
        size_t mib = 1u << 20;
        k = (size_t)snprintf(big, cap, "PermitRootLogin no\n");
        while (k + 10 <= mib) {
                memcpy(big + k, "Match all\n", 10);
                k += 10;
        }
        tu_write_bin(root, "etc/ssh/sshd_config", big, k, 0644);
        j = bounded_check_only(root, "ssh");
        tu_assert_result(j, "ssh.permit-root-login", "pass", NULL);
        tu_assert_result(j, "ssh.match-override", "pass", "104855 Match block(s)");
        cJSON_Delete(j);
        k = (size_t)snprintf(big, cap, "PermitRootLogin no\n");
        for (unsigned u = 0; k + 32 <= mib; u++)
                k += (size_t)snprintf(big + k, cap - k, "Match User u%u\n", u);
        tu_write_bin(root, "etc/ssh/sshd_config", big, k, 0644);
        j = bounded_check_only(root, "ssh");
        tu_assert_result(j, "ssh.permit-root-login", "pass", NULL);
        tu_assert_result(j, "ssh.match-override", "pass", "none weakens a checked setting");
        cJSON_Delete(j);
        free(big);
        tu_rm_rf(root);
        free(root);
}

/* A 1 MiB sshd_config line (sshd's own cap per file): one long word, one-letter
 * words (each once cost a copy of the rest of the line: out of memory), and a
 * Match line of quoted words (sshd's strdelim() moves the rest of the line per
 * quote). Time and peak RSS are bounded_check_only's. */
static void test_sshd_megabyte_line(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        size_t n = 1 << 20;
        char *big = malloc(n + 32);
        memcpy(big, "AllowUsers ", 11);
        memset(big + 11, 'a', n - 12);
        big[n - 1] = '\n';
        tu_write_bin(root, "etc/ssh/sshd_config", big, n, 0644);
        cJSON *j = bounded_check_only(root, "ssh");
        const cJSON *r = tu_result(j, "ssh.access-limited");
        assert_non_null(r);
        assert_true(strlen(cJSON_GetObjectItem(r, "evidence")->valuestring) <= 4096);
        cJSON_Delete(j);
        for (size_t i = 11; i + 1 < n; i += 2)
                memcpy(big + i, "u ", 2);
        big[n - 1] = '\n';
        tu_write_bin(root, "etc/ssh/sshd_config", big, n, 0644);
        j = bounded_check_only(root, "ssh");
        tu_assert_result(j, "ssh.access-limited", "pass", "allowusers u u u");
        cJSON_Delete(j);
        size_t k = (size_t)snprintf(big, n, "PermitRootLogin no\nMatch");
        for (; k + 12 < n; k += 9)
                memcpy(big + k, " User \"u\"", 9);
        memcpy(big + k, "\n", 1);
        tu_write_bin(root, "etc/ssh/sshd_config", big, k + 1, 0644);
        j = bounded_check_only(root, "ssh");
        tu_assert_result(j, "ssh.permit-root-login", "pass", NULL);
        cJSON_Delete(j);
        /* AuthorizedKeysFile entries are looked for in every account's home: a 1 MiB
         * list of them for 20 accounts once took 21 s of stat calls. */
        memcpy(big, "AuthorizedKeysFile ", 19);
        for (size_t i = 19; i + 1 < n; i += 2)
                memcpy(big + i, "u ", 2);
        big[n - 1] = '\n';
        tu_write_bin(root, "etc/ssh/sshd_config", big, n, 0644);
        char pw[2048];
        size_t pl = 0;
        for (int i = 0; i < 20; i++)
                pl += (size_t)snprintf(pw + pl, sizeof(pw) - pl, "user%d:x:%d:%d::/home/u%d:/bin/sh\n", i, 1000 + i,
                                       1000 + i, i);
        tu_write(root, "etc/passwd", pw);
        j = bounded_check_only(root, "ssh");
        tu_assert_result(j, "ssh.authorized-keys", "error", "more than 100000 files to look for");
        cJSON_Delete(j);
        free(big);
        tu_rm_rf(root);
        free(root);
}

/* Every open(2) family call of a run, with the file each fd names (strace -y). */
static char *traced_check(const char *root, const char *only, cJSON **ret_report)
{
        char *dir = tu_mkdtemp(), log[4096];
        snprintf(log, sizeof(log), "%s/strace.log", dir);
        int lfd = open(log, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        assert_true(lfd >= 0);
        free(dir);
        char *argv[] = {"/usr/bin/env",
                        "strace",
                        "-f",
                        "-y",
                        "-qq",
                        "-e",
                        "trace=open,openat,openat2",
                        "-o",
                        log,
                        (char *)tu_nodeward(),
                        "check",
                        "--probe",
                        "--root",
                        (char *)root,
                        "--only",
                        (char *)only,
                        "--format",
                        "json",
                        NULL};
        char *out, *err;
        int rc = tu_run_timeout(argv, &out, &err, 120);
        if (rc > 2)
                fail_msg("nodeward under strace exited %d; stderr: %s", rc, err);
        *ret_report = cJSON_Parse(out);
        if (!*ret_report)
                fail_msg("no JSON: %s", out);
        char *trace = tu_read_fd(lfd);
        close(lfd);
        free(out);
        free(err);
        return trace;
}

/* ROOT/proc/PID/ns/net planted as links to a FIFO outside the root (and, for the
 * absolute target, a FIFO at the same path inside it): only a real procfs's magic
 * links are followed, so nothing outside is opened and no FIFO is opened for
 * reading. The host side falls back to nodeward's own namespace and says so. */
static void test_proc_ns_links_never_followed_out(void **state)
{
        (void)state;
        char *root = base_root(), outside[] = "/tmp/nw-trust-outside.XXXXXX", p[4096];
        assert_non_null(mkdtemp(outside));
        if (tu_n_scratch < TU_MAX_SCRATCH) /* removed by the teardown also on failure */
                snprintf(tu_scratch[tu_n_scratch++], sizeof(tu_scratch[0]), "%s", outside);
        snprintf(p, sizeof(p), "%s/fifo", outside);
        assert_int_equal(mkfifo(p, 0600), 0);
        snprintf(p, sizeof(p), "%s/proc%s", root, outside);
        tu_mkdirs(p);
        mkdir(p, 0755);
        snprintf(p, sizeof(p), "%s/proc%s/fifo", root, outside);
        assert_int_equal(mkfifo(p, 0600), 0);
        snprintf(p, sizeof(p), "%s/fifo", outside);
        tu_symlink(root, "proc/1/ns/net", p);
        tu_symlink(root, "proc/4242/ns/net", p);
        tu_write(root, "proc/4242/cgroup", "0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-1.scope\n");
        snprintf(p, sizeof(p), "../../../../%s/fifo", outside);
        tu_symlink(root, "proc/4343/ns/net", p);
        tu_write(root, "proc/4343/cgroup", "0::/kubepods.slice/kubepods-pod2.slice/cri-containerd-2.scope\n");
        cJSON *j;
        char *trace = traced_check(root, "ssh.pod-reachable,net", &j);
        char fd_outside[4200], arg_outside[4200];
        snprintf(fd_outside, sizeof(fd_outside), "<%s", outside);
        snprintf(arg_outside, sizeof(arg_outside), "\"%s", outside);
        for (char *line = strtok(trace, "\n"); line; line = strtok(NULL, "\n")) {
                if (strstr(line, fd_outside) || strstr(line, arg_outside))
                        fail_msg("opened outside the root: %s", line);
                if (strstr(line, "fifo>") && !strstr(line, "O_PATH"))
                        fail_msg("a FIFO opened for reading: %s", line);
        }
        tu_assert_result(j, "ssh.pod-reachable", "skip", "1/ns/net not used: not a network namespace");
        cJSON_Delete(j);
        free(trace);
        tu_rm_rf(outside);
        tu_rm_rf(root);
        free(root);
}

/* Every open, readlink and exec of a nodeward command under strace -f -y. */
static char *traced_run(char *const *args, int *ret_rc, char **ret_out)
{
        char *dir = tu_mkdtemp(), log[4096];
        snprintf(log, sizeof(log), "%s/strace.log", dir);
        int lfd = open(log, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        assert_true(lfd >= 0);
        free(dir);
        char *argv[64] = {"/usr/bin/env", "strace", "-f",
                          "-y",           "-qq",    "-s",
                          "256",          "-e",     "trace=open,openat,openat2,readlink,readlinkat,execve,chdir,fchdir",
                          "-o",           log};
        size_t n = 11;
        for (size_t i = 0; args[i] && n < 63; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        char *out, *err;
        int rc = tu_run_timeout(argv, &out, &err, 120);
        if (rc > 2)
                fail_msg("nodeward under strace exited %d; stderr: %s", rc, err);
        *ret_rc = rc;
        char *trace = tu_read_fd(lfd);
        close(lfd);
        free(err);
        if (ret_out)
                *ret_out = out;
        else
                free(out);
        return trace;
}

/* The first line of @trace where a syscall named the sentinel (as a path argument)
 * or returned an fd on it, NULL when none; *@ret_lines counts the trace's lines. */
static const char *sentinel_reached(char *trace, const char *sentinel, size_t *ret_lines)
{
        char as_fd[4200], as_arg[4200];
        snprintf(as_fd, sizeof(as_fd), "<%s", sentinel);
        snprintf(as_arg, sizeof(as_arg), "\"%s", sentinel);
        const char *hit = NULL;
        *ret_lines = 0;
        for (char *line = strtok(trace, "\n"); line; line = strtok(NULL, "\n"), (*ret_lines)++)
                if (!hit && (strstr(line, as_fd) || (strstr(line, as_arg) && !strstr(line, "readlink"))))
                        hit = line;
        return hit;
}

static void assert_sentinel_untouched(char *trace, const char *sentinel)
{
        size_t lines;
        const char *hit = sentinel_reached(trace, sentinel, &lines);
        if (hit)
                fail_msg("reached outside the root: %s", hit);
        assert_true(lines > 10); /* the trace really saw the run */
}

static void plant(const char *root, const char *pid, const char *entry, const char *dir, const char *name)
{
        char rel[128], target[256];
        snprintf(rel, sizeof(rel), "proc/%s/%s", pid, entry);
        snprintf(target, sizeof(target), "%s%s%s", dir, *name ? "/" : "", name);
        tu_symlink(root, rel, target);
}

/* A kubelet whose process directory is all planted links to a sentinel outside
 * the root: ns/net, fd/N, root (a whole node tree with a marker kubelet config),
 * cwd and exe. A real procfs's links would be the
 * kernel's; a fixture's are only text to nodeward, and what they name is looked
 * up inside the root. strace proves nothing outside is opened, read through a
 * link, or entered, for check, explain and sockets. */
static void test_planted_proc_links_lead_nowhere(void **state)
{
        (void)state;
        char *root = base_root(), sentinel[] = "/tmp/nwtr-sentinel.XXXXXX", p[4096];
        assert_non_null(mkdtemp(sentinel));
        if (tu_n_scratch < TU_MAX_SCRATCH)
                snprintf(tu_scratch[tu_n_scratch++], sizeof(tu_scratch[0]), "%s", sentinel);
        /* The marker config both where the kubelet's cwd link points and where its
         * root link would put the node's own kubelet config. */
        const char *marker = "{\"kind\":\"KubeletConfiguration\",\"staticPodPath\":\"/nwtr-marker\"}";
        tu_write(sentinel, "config.json", marker);
        tu_write(sentinel, CONFIG, marker);
        tu_write(sentinel, "kubelet", "#!/bin/sh\n");
        snprintf(p, sizeof(p), "%s/fifo", sentinel);
        assert_int_equal(mkfifo(p, 0600), 0);
        static const char *const pids[] = {"1", "1870", "4747"};
        /* The kubelet's config is relative to its cwd; a pod's pause process. */
        const char *kube[] = {"/usr/bin/kubelet", "--config=config.json", NULL}, *pause[] = {"/pause", NULL};
        tu_write_proc(root, 1870, "kubelet", kube);
        tu_write_proc(root, 4747, "pause", pause);
        tu_write(root, "proc/4747/cgroup", "0::/kubepods.slice/kubepods-pod9.slice/cri-containerd-9.scope\n");
        for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
                plant(root, pids[i], "ns/net", sentinel, "fifo");
                plant(root, pids[i], "fd/3", sentinel, "config.json");
                plant(root, pids[i], "fd/4", sentinel, "fifo");
                plant(root, pids[i], "root", sentinel, "");
                plant(root, pids[i], "cwd", sentinel, "");
                plant(root, pids[i], "exe", sentinel, "kubelet");
        }
        /* The control: a program that does follow the planted root link is caught. */
        char followed[4200];
        snprintf(followed, sizeof(followed), "%s/proc/1870/root/%s", root, CONFIG);
        char *follow[] = {"/bin/cat", followed, NULL};
        int crc;
        size_t lines;
        char *ctrace = traced_run(follow, &crc, NULL);
        assert_int_equal(crc, 0);
        assert_non_null(sentinel_reached(ctrace, sentinel, &lines));
        free(ctrace);
        snprintf(p, sizeof(p), "%s/proc", root);
        char *checks[] = {(char *)tu_nodeward(), "check", "--root", root, "--format", "json", NULL};
        char *explain[] = {(char *)tu_nodeward(), "explain", "kubelet", "--root", root, NULL};
        char *sockets[] = {(char *)tu_nodeward(), "sockets", "--proc", p, "--format", "json", NULL};
        char *const *runs[] = {checks, explain, sockets};
        for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
                int rc;
                char *out;
                char *trace = traced_run(runs[i], &rc, &out);
                assert_sentinel_untouched(trace, sentinel);
                free(trace);
                /* Nothing of the sentinel's config shows up. */
                if (strstr(out, "nwtr-marker"))
                        fail_msg("the sentinel's config was read: %s", out);
                if (i == 0) {
                        cJSON *j = cJSON_Parse(out);
                        assert_non_null(j);
                        tu_assert_result(j, "kubelet.read-only-port", "error", "config.json");
                        cJSON_Delete(j);
                }
                free(out);
        }
        tu_rm_rf(sentinel);
        tu_rm_rf(root);
        free(root);
}

/* os-release and hostname are the host's to write: in the text report their
 * escape sequences arrive as \xNN text, never as bytes a terminal would obey. */
static void test_host_values_escaped_in_text_report(void **state)
{
        (void)state;
        char *root = base_root();
        tu_write(root, "etc/os-release", "PRETTY_NAME=\"Evil\x1b[2J\x1b]0;owned\x07 Linux\xff\"\nNAME=x\n");
        tu_write(root, "etc/hostname", "node\x1b[31mred\r\n");
        char *argv[] = {(char *)tu_nodeward(), "check", "--root", root, "--only", "kubelet.read-only-port", NULL};
        char *out;
        int rc = tu_run(argv, &out, NULL);
        assert_true(rc <= 2);
        for (const char *p = out; *p; p++)
                if ((unsigned char)*p < 0x20 && *p != '\n')
                        fail_msg("control character 0x%02x in the text report: %s", (unsigned char)*p, out);
        assert_non_null(strstr(out, "Evil\\x1b[2J\\x1b]0;owned\\x07 Linux\\xff"));
        assert_non_null(strstr(out, "node\\x1b[31mred"));
        free(out);
        tu_rm_rf(root);
        free(root);
}

int main(void)
{
        /* A parser that regresses to quadratic memory fails here as an out-of-memory
         * abort within 2 GiB of address space, instead of taking the machine's memory
         * first (the sanitizers and valgrind reserve far more, so not under them). */
        if (!slow_build()) {
                struct rlimit as = {2ul << 30, 2ul << 30};
                assert_int_equal(setrlimit(RLIMIT_AS, &as), 0);
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_config_linked_to_dev_zero),
                cmocka_unit_test(test_fifo_where_config_should_be),
                cmocka_unit_test(test_sparse_1gib_config),
                cmocka_unit_test(test_ten_thousand_dropins),
                cmocka_unit_test(test_megabyte_single_line_and_invalid_utf8),
                cmocka_unit_test(test_config_deleted_while_reading),
                cmocka_unit_test(test_full_check_writes_nothing),
                cmocka_unit_test(test_sshd_include_loop_and_depth_bomb),
                cmocka_unit_test(test_sshd_megabyte_line),
                cmocka_unit_test(test_parsers_at_their_caps),
                cmocka_unit_test(test_proc_ns_links_never_followed_out),
                cmocka_unit_test(test_planted_proc_links_lead_nowhere),
                cmocka_unit_test(test_host_values_escaped_in_text_report),
        };
        return cmocka_run_group_tests_name("hostile host roots", tests, NULL, tu_group_teardown);
}
