/* test_static: the static binaries: no dynamic dependency, every command in an empty chroot, the BPF object embedded, arm64 under qemu answering as x86_64. */
#include "testutil.h"

#include <dirent.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define QEMU "/usr/bin/qemu-aarch64-static"
#define EM_BPF_ 247

static const char *bin_path(const char *env, const char *dflt)
{
        const char *p = getenv(env);
        p = p ? p : dflt;
        if (access(p, X_OK) != 0)
                fail_msg("%s (%s) is not there: build it with make static-all", p, env);
        return p;
}

static const char *static_x86(void)
{
        return bin_path("NODEWARD_STATIC", "build/nodeward-static");
}

static const char *static_arm64(void)
{
        return bin_path("NODEWARD_STATIC_ARM64", "build/nodeward-static-arm64");
}

/* Scratch directories with this test's own prefix, removed by the group teardown. */
static char *scratch(void)
{
        char *t = strdup("/tmp/nw-static-test.XXXXXX");
        assert_non_null(mkdtemp(t));
        if (tu_n_scratch < TU_MAX_SCRATCH)
                snprintf(tu_scratch[tu_n_scratch++], sizeof(tu_scratch[0]), "%s", t);
        return t;
}

/* Drop valgrind's own lines ("==PID==", "--PID--"): under make valgrind the dynamic
 * build runs through it, and its notes are not nodeward's output. */
static void drop_valgrind_lines(char *err)
{
        char *w = err;
        for (char *l = err; *l;) {
                size_t n = strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n');
                bool vg = (l[0] == '=' && l[1] == '=') || (l[0] == '-' && l[1] == '-' && l[2] >= '0' && l[2] <= '9');
                if (!vg) {
                        memmove(w, l, n);
                        w += n;
                }
                l += n;
        }
        *w = '\0';
}

static char *run_text(char *const *argv, int *ret_rc)
{
        char *out, *err;
        int rc = tu_run(argv, &out, &err);
        drop_valgrind_lines(err);
        if (ret_rc)
                *ret_rc = rc;
        size_t n = strlen(out);
        out = realloc(out, n + strlen(err) + 16);
        snprintf(out + n, strlen(err) + 16, "%s[rc %d]", err, rc);
        free(err);
        return out;
}

/* file(1), readelf and ldd each say, in their own words, that nothing is loaded at run time. */
static void assert_static_elf(const char *bin, bool native)
{
        char *argv[] = {(char *)"/usr/bin/file", (char *)"-b", (char *)bin, NULL};
        char *out = run_text(argv, NULL);
        if (!strstr(out, "static-pie linked") && !strstr(out, "statically linked"))
                fail_msg("file(1) does not call %s static: %s", bin, out);
        assert_null(strstr(out, "interpreter"));
        assert_null(strstr(out, "dynamically linked"));
        free(out);
        char *argv2[] = {(char *)"/usr/bin/readelf", (char *)"-lW", (char *)"-dW", (char *)bin, NULL};
        out = run_text(argv2, NULL);
        if (strstr(out, "INTERP") || strstr(out, "(NEEDED)"))
                fail_msg("%s asks for an interpreter or a shared library:\n%s", bin, out);
        free(out);
        if (!native)
                return;
        char *argv3[] = {(char *)"/usr/bin/ldd", (char *)bin, NULL};
        out = run_text(argv3, NULL);
        if (!strstr(out, "statically linked") && !strstr(out, "not a dynamic executable"))
                fail_msg("ldd lists libraries for %s: %s", bin, out);
        free(out);
}

/* glibc's NSS-backed entry points (and NSS itself) are absent: nothing can load an NSS module. */
static void assert_no_nss(const char *bin)
{
        static const char *const banned[] = {"getaddrinfo",    "getnameinfo",     "gethostbyname", "gethostbyname_r",
                                             "gethostbyname2", "gethostbyaddr",   "getpwnam",      "getpwnam_r",
                                             "getpwuid",       "getpwuid_r",      "getgrnam",      "getgrnam_r",
                                             "getgrgid",       "getgrgid_r",      "getservbyname", "getservbyname_r",
                                             "getservbyport",  "getservbyport_r", "initgroups",    "getgrouplist"};
        char *argv[] = {(char *)"/usr/bin/nm", (char *)bin, NULL};
        char *out = run_text(argv, NULL);
        size_t lines = 0;
        for (char *save = NULL, *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save), lines++) {
                const char *sym = strrchr(l, ' ');
                sym = sym ? sym + 1 : l;
                if (strncmp(sym, "__nss_", 6) == 0)
                        fail_msg("%s links glibc's NSS (%s)", bin, sym);
                for (size_t i = 0; i < ARRAY_SIZE(banned); i++)
                        if (strcmp(sym, banned[i]) == 0)
                                fail_msg("%s links %s, which goes through NSS", bin, sym);
        }
        assert_true(lines > 1000); /* nm really read a symbol table */
        free(out);
}

/* The skeleton carries the BPF object: a little-endian 64-bit ELF with e_machine EM_BPF inside the file. */
static void assert_embeds_bpf(const char *bin)
{
        int fd = open(bin, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        const unsigned char *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        assert_true(m != MAP_FAILED);
        size_t found = 0;
        for (size_t off = 1; off + 64 <= (size_t)st.st_size; off++)
                if (m[off] == 0x7f && memcmp(m + off + 1, "ELF", 3) == 0 && m[off + 4] == 2 && m[off + 5] == 1 &&
                    (m[off + 18] | m[off + 19] << 8) == EM_BPF_)
                        found++;
        munmap((void *)m, (size_t)st.st_size);
        close(fd);
        if (found == 0)
                fail_msg("%s holds no BPF object", bin);
}

static void test_static_binaries_have_no_dynamic_dependency(void **state)
{
        (void)state;
        assert_static_elf(static_x86(), true);
        assert_static_elf(static_arm64(), false);
        assert_no_nss(static_x86());
        assert_no_nss(static_arm64());
        assert_embeds_bpf(static_x86());
        assert_embeds_bpf(static_arm64());
        char *argv[] = {(char *)"/usr/bin/file", (char *)"-b", (char *)static_arm64(), NULL};
        char *out = run_text(argv, NULL);
        if (!strstr(out, "ARM aarch64"))
                fail_msg("%s is not an arm64 binary: %s", static_arm64(), out);
        free(out);
}

/* The entry point (host/base/static_start.c) faults the RELRO region in with one
 * madvise(MADV_POPULATE_WRITE) before glibc's start-up relocates it: it is the
 * process's first system call, over the whole region, and the kernel takes it (Linux
 * >= 5.14; older kernels answer EINVAL and the binary runs as before). */
static void test_static_x86_faults_relro_in_before_start(void **state)
{
        (void)state;
        char *dir = scratch(), log[1100];
        snprintf(log, sizeof(log), "%s/strace.log", dir);
        char *argv[] = {(char *)"/usr/bin/env", (char *)"strace",    (char *)"-qq", (char *)"-o", log,
                        (char *)static_x86(),   (char *)"--version", NULL};
        char *out = run_text(argv, NULL);
        if (!strstr(out, "nodeward"))
                fail_msg("%s --version under strace: %s", static_x86(), out);
        free(out);
        int fd = open(log, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        char *trace = tu_read_fd(fd);
        close(fd);
        /* Line 1 is the execve; line 2 the shim's call. */
        char *l2 = strchr(trace, '\n');
        assert_non_null(l2);
        l2++;
        unsigned long addr = 0, len = 0;
        if (sscanf(l2, "madvise(%lx, %lu, MADV_POPULATE_WRITE)", &addr, &len) != 2)
                fail_msg("the first system call after execve is not madvise(..., MADV_POPULATE_WRITE):\n%s", trace);
        /* The RELRO region is some 420 KiB, page-aligned from the start of a page. */
        if (len < 256 * 1024 || len % 4096 || addr % 4096)
                fail_msg("madvise covers %lu bytes at %#lx:\n%s", len, addr, trace);
        struct utsname u;
        assert_int_equal(uname(&u), 0);
        unsigned maj = 0, min = 0;
        sscanf(u.release, "%u.%u", &maj, &min);
        bool has = maj > 5 || (maj == 5 && min >= 14);
        const char *res = strstr(l2, ") = ");
        assert_non_null(res);
        if (has && strncmp(res, ") = 0", 5) != 0)
                fail_msg("Linux %s refused the prefault: %.*s", u.release, (int)strcspn(l2, "\n"), l2);
        free(trace);
        free(dir);
}

/* A report without what differs from run to run (time) or by where the root was. */
static cJSON *report_core(const char *text)
{
        cJSON *j = cJSON_Parse(text);
        if (!j)
                fail_msg("no JSON report: %s", text);
        cJSON_DeleteItemFromObject(j, "started");
        cJSON_DeleteItemFromObject(j, "duration_ms");
        cJSON_DeleteItemFromObject(cJSON_GetObjectItem(j, "node"), "root");
        return j;
}

static void assert_same_report(const char *a, const char *b, const char *what)
{
        cJSON *ja = report_core(a), *jb = report_core(b);
        if (!cJSON_Compare(ja, jb, true))
                fail_msg("%s: the reports differ:\n%s\n---\n%s", what, a, b);
        cJSON_Delete(ja);
        cJSON_Delete(jb);
}

/* @text with every @from removed (the jail's path, so outside and inside runs read alike). */
static char *strip_all(char *text, const char *from)
{
        size_t n = strlen(from);
        for (char *p; (p = strstr(text, from));)
                memmove(p, p + n, strlen(p + n) + 1);
        return text;
}

struct jail {
        char *dir;
};

/* DIR holds /nodeward and two node roots, nothing else: no /lib, no /etc, no /proc. */
static void jail_make(struct jail *j)
{
        j->dir = scratch();
        char p[1024];
        snprintf(p, sizeof(p), "cp '%s' '%s/nodeward' && mkdir '%s/node' '%s/sshnode'", static_x86(), j->dir, j->dir,
                 j->dir);
        assert_int_equal(system(p), 0);
        snprintf(p, sizeof(p), "%s/node", j->dir);
        char src[1024];
        snprintf(src, sizeof(src), "%s/demo-al2023", tu_fixtures());
        tu_copy_tree(src, p);
        snprintf(p, sizeof(p), "%s/sshnode", j->dir);
        snprintf(src, sizeof(src), "%s/ssh-al2023", tu_fixtures());
        tu_copy_tree(src, p);
}

static char *in_jail(const struct jail *j, const char *prog, const char *const *args, int *ret_rc)
{
        char *argv[24];
        int n = 0;
        argv[n++] = (char *)"/usr/sbin/chroot";
        argv[n++] = j->dir;
        argv[n++] = (char *)prog;
        for (; *args && n < 23; args++)
                argv[n++] = (char *)*args;
        argv[n] = NULL;
        return run_text(argv, ret_rc);
}

/* The same command by the dynamic build, on the same fixture outside the jail. */
static char *outside(const char *const *args, int *ret_rc)
{
        char *argv[24];
        int n = 0;
        argv[n++] = (char *)tu_nodeward();
        for (; *args && n < 23; args++)
                argv[n++] = (char *)*args;
        argv[n] = NULL;
        return run_text(argv, ret_rc);
}

static void test_every_command_runs_in_an_empty_chroot(void **state)
{
        (void)state;
        struct jail j;
        jail_make(&j);
        /* The dynamic build reads the same trees from outside; its output names them
         * under the jail's path, which is cut off before comparing. */
        char fx[1024], fxs[1024];
        snprintf(fx, sizeof(fx), "%s/node", j.dir);
        snprintf(fxs, sizeof(fxs), "%s/sshnode", j.dir);
        int rc, rc2;
        /* The jail really is empty: the dynamic build cannot even start there. */
        char cp[2048];
        snprintf(cp, sizeof(cp), "cp '%s' '%s/dynamic'", tu_nodeward(), j.dir);
        assert_int_equal(system(cp), 0);
        free(in_jail(&j, "/dynamic", (const char *const[]){"version", NULL}, &rc));
        assert_int_equal(rc, 127);

        static const char *const simple[] = {"version", "list"};
        for (size_t i = 0; i < ARRAY_SIZE(simple); i++) {
                char *a = in_jail(&j, "/nodeward", (const char *const[]){simple[i], NULL}, &rc);
                char *b = outside((const char *const[]){simple[i], NULL}, &rc2);
                assert_int_equal(rc, 0);
                assert_string_equal(a, b);
                free(a), free(b);
        }
        char *out, *out2;
        char *argv[] = {(char *)"/usr/sbin/chroot",
                        j.dir,
                        (char *)"/nodeward",
                        (char *)"check",
                        (char *)"--root",
                        (char *)"/node",
                        (char *)"--format",
                        (char *)"json",
                        NULL};
        assert_int_equal(tu_run(argv, &out, NULL), 1); /* the demo node fails checks */
        char *argv2[] = {
                (char *)tu_nodeward(), (char *)"check", (char *)"--root", fx, (char *)"--format", (char *)"json", NULL};
        assert_int_equal(tu_run(argv2, &out2, NULL), 1);
        assert_same_report(out, strip_all(out2, j.dir), "check on demo-al2023, static in a chroot vs dynamic");
        free(out), free(out2);

        static const char *const subjects[][2] = {{"kubelet", "/node"}, {"sshd", "/sshnode"}, {"sshd", "/node"}};
        for (size_t i = 0; i < ARRAY_SIZE(subjects); i++) {
                const char *host = strcmp(subjects[i][1], "/node") == 0 ? fx : fxs;
                char *a = in_jail(&j, "/nodeward",
                                  (const char *const[]){"explain", subjects[i][0], "--root", subjects[i][1], NULL},
                                  &rc);
                char *b = strip_all(
                        outside((const char *const[]){"explain", subjects[i][0], "--root", host, NULL}, &rc2), j.dir);
                if (strcmp(a, b) != 0)
                        fail_msg("explain %s differs in the chroot:\n%s\n---\n%s", subjects[i][0], a, b);
                free(a), free(b);
        }
        free(j.dir);
}

/* sockets and watch need the kernel, not files: /proc is the one thing mounted (in a private mount namespace). */
static void test_sockets_and_watch_run_in_the_chroot(void **state)
{
        (void)state;
        struct jail j;
        jail_make(&j);
        char cmd[8192];
        snprintf(cmd, sizeof(cmd),
                 "mkdir '%s/proc' && exec /usr/bin/unshare --mount --propagation private sh -c "
                 "'mount -t proc proc \"%s/proc\" && exec /usr/sbin/chroot \"%s\" /nodeward sockets --format json'",
                 j.dir, j.dir, j.dir);
        char *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};
        char *out, *err;
        assert_int_equal(tu_run(argv, &out, &err), 0);
        cJSON *s = cJSON_Parse(out);
        if (!s)
                fail_msg("sockets printed no JSON: %s / %s", out, err);
        assert_string_equal(cJSON_GetObjectItem(s, "schema")->valuestring, "nodeward.sockets/v1");
        cJSON_Delete(s);
        free(out), free(err);
        /* watch: two rounds a second apart, then SIGTERM from timeout(1), then its exit line. */
        char *argv2[] = {(char *)"/usr/bin/timeout",
                         (char *)"-s",
                         (char *)"TERM",
                         (char *)"3",
                         (char *)"/usr/sbin/chroot",
                         j.dir,
                         (char *)"/nodeward",
                         (char *)"watch",
                         (char *)"--root",
                         (char *)"/node",
                         (char *)"--interval",
                         (char *)"1",
                         (char *)"--only",
                         (char *)"kubelet.read-only-port",
                         NULL};
        tu_run(argv2, &out, &err);
        size_t rounds = 0;
        for (const char *p = out; (p = strstr(p, "\"event\":\"summary\"")); p++)
                rounds++;
        if (rounds < 2 || !strstr(out, "\"event\":\"exit\"") || !strstr(out, "readOnlyPort=10255"))
                fail_msg("watch in the chroot: %zu rounds\n%s\n%s", rounds, out, err);
        free(out), free(err);
        free(j.dir);
}

/* On the host: the embedded object loads and the probe attaches (the chroot has no /sys for BTF). */
static void test_embedded_bpf_object_attaches(void **state)
{
        (void)state;
        char *argv[] = {(char *)static_x86(), (char *)"check",  (char *)"--observe",
                        (char *)"1",          (char *)"--only", (char *)"ssh.pod-attempts",
                        (char *)"--format",   (char *)"json",   NULL};
        char *out, *err;
        tu_run(argv, &out, &err);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("no JSON: %s / %s", out, err);
        const cJSON *r = tu_result(j, "ssh.pod-attempts");
        assert_non_null(r);
        const char *ev = cJSON_GetObjectItem(r, "evidence")->valuestring;
        if (!strstr(ev, "observed 1 s (tp_btf)") && !strstr(ev, "observed 1 s (tracepoint)"))
                fail_msg("the static binary's probe did not observe: %s", ev);
        cJSON_Delete(j);
        free(out), free(err);
}

/* The non-BPF subset under qemu-user: explain, check --only kubelet,ssh, list, version,
 * byte for byte the x86_64 static binary's answers on the same fixtures. */
static void test_arm64_under_qemu_answers_as_x86_64(void **state)
{
        (void)state;
        if (access(QEMU, X_OK) != 0)
                fail_msg(QEMU " is missing: make deps-arm64 installs qemu-user-static");
        static const char *const fixtures[] = {"demo-al2023",  "ssh-al2023",   "al2-default", "al2023-dropin",
                                               "bottlerocket", "kubeadm-yaml", "malformed",   "flags-override"};
        size_t compared = 0;
        for (size_t f = 0; f < ARRAY_SIZE(fixtures); f++) {
                char root[4096];
                snprintf(root, sizeof(root), "%s/%s", tu_fixtures(), fixtures[f]);
                const char *const cmds[][7] = {
                        {"check", "--root", root, "--only", "kubelet,ssh", "--format", "json"},
                        {"explain", "kubelet", "--root", root, NULL},
                        {"explain", "sshd", "--root", root, NULL},
                };
                for (size_t c = 0; c < ARRAY_SIZE(cmds); c++) {
                        char *x[12] = {(char *)static_x86()}, *q[12] = {(char *)QEMU, (char *)static_arm64()};
                        for (size_t i = 0; i < 7 && cmds[c][i]; i++)
                                x[i + 1] = q[i + 2] = (char *)cmds[c][i];
                        int rx, rq;
                        char *ox = run_text(x, &rx), *oq = run_text(q, &rq);
                        assert_int_equal(rx, rq);
                        if (c == 0) {
                                char *jx = strdup(ox), *jq = strdup(oq);
                                *strstr(jx, "[rc ") = '\0';
                                *strstr(jq, "[rc ") = '\0';
                                assert_same_report(jx, jq, fixtures[f]);
                                free(jx), free(jq);
                        } else if (strcmp(ox, oq) != 0) {
                                fail_msg("%s %s on %s: arm64 differs:\n%s\n---\n%s", cmds[c][0], cmds[c][1],
                                         fixtures[f], oq, ox);
                        }
                        free(ox), free(oq);
                        compared++;
                }
        }
        const char *const simple[][2] = {{"version", NULL}, {"list", NULL}};
        for (size_t i = 0; i < ARRAY_SIZE(simple); i++) {
                char *x[] = {(char *)static_x86(), (char *)simple[i][0], NULL};
                char *q[] = {(char *)QEMU, (char *)static_arm64(), (char *)simple[i][0], NULL};
                char *ox = run_text(x, NULL), *oq = run_text(q, NULL);
                assert_string_equal(ox, oq);
                free(ox), free(oq);
        }
        print_message("arm64 under qemu: %zu fixture commands and version, list identical to x86_64\n", compared);
}

/* The unit tests cross-built for arm64 (mk/static.mk), each suite run under qemu. */
static void test_arm64_unit_tests_pass_under_qemu(void **state)
{
        (void)state;
        const char *dir = getenv("NODEWARD_ARM64_UNIT") ? getenv("NODEWARD_ARM64_UNIT")
                                                        : "build/static/arm64/tests/unit";
        DIR *d = opendir(dir);
        if (!d)
                fail_msg("%s: %s: build them with make test", dir, strerror(errno));
        size_t suites = 0;
        long tests = 0;
        for (struct dirent *e; (e = readdir(d));) {
                /* Not the compiler's test_*.d beside each suite. */
                if (strncmp(e->d_name, "test_", 5) != 0 || strchr(e->d_name, '.'))
                        continue;
                char path[2048];
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                char *argv[] = {(char *)QEMU, path, NULL};
                char *out, *err;
                int rc = tu_run_timeout(argv, &out, &err, 300);
                /* cmocka prints the tally on stdout or stderr, depending on the suite's output. */
                const char *p = strstr(out, "[  PASSED  ] ") ? strstr(out, "[  PASSED  ] ")
                                                             : strstr(err, "[  PASSED  ] ");
                if (rc != 0 || !p)
                        fail_msg("%s under qemu exited %d:\n%s%s", e->d_name, rc, out, err);
                tests += strtol(p + 13, NULL, 10);
                suites++;
                free(out), free(err);
        }
        closedir(d);
        if (suites < 10)
                fail_msg("only %zu arm64 unit test suites in %s", suites, dir);
        print_message("arm64 under qemu: %zu unit test suites, %ld tests passed\n", suites, tests);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_static_binaries_have_no_dynamic_dependency),
                cmocka_unit_test(test_static_x86_faults_relro_in_before_start),
                cmocka_unit_test(test_every_command_runs_in_an_empty_chroot),
                cmocka_unit_test(test_sockets_and_watch_run_in_the_chroot),
                cmocka_unit_test(test_embedded_bpf_object_attaches),
                cmocka_unit_test(test_arm64_under_qemu_answers_as_x86_64),
                cmocka_unit_test(test_arm64_unit_tests_pass_under_qemu),
        };
        return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
