/* test_procfs: every --proc read goes through one gate that stays on a verified procfs or inside a fixture. */
#include "testutil.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "base/procfs.h"
#include "base/util.h"

static void both_resolvers(void (*fn)(void))
{
        rootfs_force_fallback = false;
        fn();
        rootfs_force_fallback = true;
        fn();
        rootfs_force_fallback = false;
}

static void real_proc(struct rootfs *p)
{
        assert_int_equal(procfs_open_root("/proc", p), 0);
        assert_true(procfs_is_real(p));
}

static void reads_own_entries_body(void)
{
        struct rootfs p;
        real_proc(&p);
        char rel[64], *buf = NULL, link[256], comm[64] = "";
        size_t len;
        FILE *f = fopen("/proc/self/comm", "re");
        assert_non_null(f);
        assert_non_null(fgets(comm, sizeof(comm), f));
        fclose(f);
        snprintf(rel, sizeof(rel), "%d/comm", (int)getpid());
        assert_int_equal(procfs_read_file(&p, rel, 4096, &buf, &len), 0);
        assert_string_equal(buf, comm);
        free(buf);
        /* "self" is a plain link to a sibling directory: followed. */
        assert_int_equal(procfs_read_file(&p, "self/comm", 4096, &buf, &len), 0);
        assert_string_equal(buf, comm);
        free(buf);
        /* A link is read as text, never followed. */
        assert_int_equal(procfs_readlink(&p, "self/cwd", link, sizeof(link)), 0);
        assert_int_equal(link[0], '/');
        snprintf(rel, sizeof(rel), "%d/fd", (int)getpid());
        int fd = procfs_openat(&p, rel, O_RDONLY | O_DIRECTORY);
        assert_true(fd >= 0);
        close(fd);
        char **names;
        size_t n;
        assert_int_equal(procfs_list_dir(&p, ".", 1 << 20, &names, &n), 0);
        assert_true(n > 1);
        strv_free(names, n);
        rootfs_close(&p);
}

static void test_real_procfs_reads_its_own_entries(void **state)
{
        (void)state;
        both_resolvers(reads_own_entries_body);
}

/* root, cwd, exe and fd/N lead off procfs: the gate never follows them. */
static void magic_links_refused_body(void)
{
        struct rootfs p;
        real_proc(&p);
        static const char *const rels[] = {
                "self/root/etc/passwd", "self/cwd", "self/exe", "self/fd/0", "1/root", "self/ns/net", "../etc/passwd",
                "self/../../etc/passwd"};
        for (size_t i = 0; i < ARRAY_SIZE(rels); i++) {
                char *buf = NULL;
                size_t len;
                int fd = procfs_openat(&p, rels[i], O_PATH);
                if (fd >= 0)
                        fail_msg("%s opened (%s)", rels[i], rootfs_force_fallback ? "fallback" : "openat2");
                int r = procfs_read_file(&p, rels[i], 4096, &buf, &len);
                if (r >= 0)
                        fail_msg("%s read", rels[i]);
        }
        rootfs_close(&p);
}

static void test_magic_links_are_never_followed(void **state)
{
        (void)state;
        both_resolvers(magic_links_refused_body);
}

/* A file bind-mounted over a procfs entry (as lxcfs does over meminfo, or an
 * attacker could over /proc/PID/cmdline) is another mount: refused. */
static void test_mount_over_a_proc_entry_is_refused(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp();
        tu_write(dir, "fake", "planted\n");
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char src[4096];
                snprintf(src, sizeof(src), "%s/fake", dir);
                free(dir);
                if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
                    mount(src, "/proc/meminfo", "none", MS_BIND, NULL) < 0 ||
                    mount("/proc/uptime", "/proc/loadavg", "none", MS_BIND, NULL) < 0)
                        _exit(77);
                int bad = 0;
                for (int fb = 0; fb < 2; fb++) {
                        rootfs_force_fallback = fb;
                        struct rootfs p;
                        if (procfs_open_root("/proc", &p) < 0)
                                _exit(78);
                        char *buf = NULL;
                        size_t len;
                        if (procfs_read_file(&p, "meminfo", 4096, &buf, &len) != -EXDEV)
                                bad |= 1 << fb;
                        free(buf);
                        if (procfs_read_file(&p, "uptime", 4096, &buf, &len) != 0)
                                bad |= 4;
                        free(buf);
                        buf = NULL;
                        /* procfs over procfs (another process's cmdline over the
                         * kubelet's) is still another mount. */
                        if (procfs_read_file(&p, "loadavg", 4096, &buf, &len) != -EXDEV)
                                bad |= 8 << fb;
                        free(buf);
                        rootfs_close(&p);
                }
                _exit(bad);
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        if (WEXITSTATUS(st) == 77)
                fail_msg("cannot bind-mount over /proc/meminfo in a new mount namespace (not root?)");
        assert_int_equal(WEXITSTATUS(st), 0);
        tu_rm_rf(dir);
        free(dir);
}

/* A fixture ROOT/proc is no procfs: its planted links resolve inside it. */
static void fixture_links_stay_inside_body(void)
{
        char *root = tu_mkdtemp(), outside[] = "/tmp/nwtr-sentinel.XXXXXX", p[4096];
        assert_non_null(mkdtemp(outside));
        tu_write(outside, "secret", "outside\n");
        snprintf(p, sizeof(p), "%s/secret", outside);
        tu_symlink(root, "proc/7/cwd", outside);
        tu_symlink(root, "proc/7/exe", p);
        tu_symlink(root, "proc/7/root", "/");
        tu_symlink(root, "proc/7/fd/3", p);
        tu_symlink(root, "proc/7/comm", "../../../../../../../../etc/passwd");
        tu_write_bin(root, "proc/7/cmdline", "kubelet\0--x", 11, 0444);
        struct rootfs r, proc;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        assert_int_equal(procfs_open_subroot(&r, "proc", &proc), 0);
        assert_false(procfs_is_real(&proc));
        char *buf = NULL;
        size_t len;
        snprintf(p, sizeof(p), "7/root%s/secret", outside);
        assert_true(procfs_read_file(&proc, p, 4096, &buf, &len) < 0);
        assert_true(procfs_read_file(&proc, "7/exe", 4096, &buf, &len) < 0);
        assert_true(procfs_read_file(&proc, "7/fd/3", 4096, &buf, &len) < 0);
        assert_true(procfs_read_file(&proc, "7/cwd/secret", 4096, &buf, &len) < 0);
        assert_true(procfs_read_file(&proc, "7/comm", 4096, &buf, &len) < 0);
        char link[256];
        assert_int_equal(procfs_readlink(&proc, "7/fd/3", link, sizeof(link)), 0);
        assert_string_equal(link, p + strlen("7/root"));
        assert_true(procfs_openat(&proc, "7/cwd", O_RDONLY | O_DIRECTORY) < 0);
        assert_int_equal(procfs_read_file(&proc, "7/cmdline", 4096, &buf, &len), 0);
        assert_int_equal(len, 11);
        free(buf);
        rootfs_close(&proc);
        rootfs_close(&r);
        tu_rm_rf(outside);
        tu_rm_rf(root);
        free(root);
}

static void test_fixture_links_stay_inside(void **state)
{
        (void)state;
        both_resolvers(fixture_links_stay_inside_body);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_real_procfs_reads_its_own_entries),
                cmocka_unit_test(test_magic_links_are_never_followed),
                cmocka_unit_test(test_mount_over_a_proc_entry_is_refused),
                cmocka_unit_test(test_fixture_links_stay_inside),
        };
        return cmocka_run_group_tests_name("procfs gate", tests, NULL, tu_group_teardown);
}
