/* test_sshd_running: the running sshd from its pid file, checked against PROC; anything else falls back to the scan. */
#include "testutil.h"

#include <sys/stat.h>

#include "collect/sshd/sshd_config.h"
#include "collect/sshd/sshd_running.h"

static char *root;

static int setup_each(void **state)
{
        (void)state;
        root = tu_mkdtemp();
        /* Two listeners: the scan takes the lowest pid, 811; a connection's child; a shell. */
        const char *low[] = {"sshd: /usr/sbin/sshd -D -p 2222 [listener] 0 of 10-100 startups", NULL};
        const char *high[] = {"/usr/sbin/sshd", "-D", "-o", "PermitRootLogin=no", "-p", "3333", NULL};
        const char *child[] = {"sshd: ec2-user [priv]", NULL};
        const char *shell[] = {"/bin/bash", NULL};
        const char *init[] = {"/sbin/init", NULL};
        tu_write_proc(root, 1, "systemd", init);
        tu_write_proc(root, 811, "sshd", low);
        tu_write_proc(root, 900, "sshd", high);
        tu_write_proc(root, 4242, "sshd", child);
        tu_write_proc(root, 5000, "bash", shell);
        tu_write(root, "etc/ssh/sshd_config", "PermitRootLogin yes\n");
        tu_symlink(root, "var/run", "/run"); /* as on Debian, AL2 and AL2023 */
        char run[4096];
        snprintf(run, sizeof(run), "%s/run", root);
        tu_mkdirs(run);
        return 0;
}

static int teardown_each(void **state)
{
        (void)state;
        tu_rm_rf(root);
        free(root);
        return 0;
}

/* sshd_running_read() on ROOT and ROOT/proc, then the config it loads. */
static void resolve(struct proc_table *ret_t, struct sshd_config *ret_c)
{
        struct rootfs r, proc;
        char path[4096];
        snprintf(path, sizeof(path), "%s/proc", root);
        assert_int_equal(rootfs_open_root(root, &r), 0);
        assert_int_equal(rootfs_open_root(path, &proc), 0);
        assert_int_equal(sshd_running_read(&r, &proc, ret_t), 0);
        assert_int_equal(sshd_config_load(ret_c, &r, ret_t), 0);
        ret_c->root = NULL;
        rootfs_close(&proc);
        rootfs_close(&r);
}

static void expect_pid_file_used(void)
{
        struct proc_table t;
        struct sshd_config c;
        resolve(&t, &c);
        assert_int_equal(t.n, 1); /* no other process read */
        assert_int_equal(t.v[0].pid, 900);
        assert_int_equal(c.pid, 900);
        assert_int_equal(c.s.v[SO_PERMIT_ROOT_LOGIN].num, PRL_NO);
        assert_int_equal(c.n_ports, 1);
        assert_int_equal(c.ports[0], 3333);
        sshd_config_free(&c);
        proc_table_free(&t);
}

/* The scan's answer: the whole table read, the lowest listener taken. */
static void expect_scan(void)
{
        struct proc_table t;
        struct sshd_config c;
        resolve(&t, &c);
        assert_int_equal(t.n, 5);
        assert_int_equal(c.pid, 811);
        assert_int_equal(c.s.v[SO_PERMIT_ROOT_LOGIN].num, PRL_YES);
        assert_int_equal(c.ports[0], 2222);
        sshd_config_free(&c);
        proc_table_free(&t);
}

static void test_pid_file_through_var_run_link_names_the_listener(void **state)
{
        (void)state;
        tu_write(root, "run/sshd.pid", "900\n");
        expect_pid_file_used();
}

static void test_pid_file_at_run_without_var_run(void **state)
{
        (void)state;
        char path[4096];
        snprintf(path, sizeof(path), "%s/var/run", root);
        assert_int_equal(unlink(path), 0);
        tu_write(root, "run/sshd.pid", "900");
        expect_pid_file_used();
}

static void test_no_pid_file_scans(void **state)
{
        (void)state;
        expect_scan();
}

/* Gone, reused by a shell, a connection's child, not a pid: each falls back to the scan. */
static void test_stale_or_wrong_pid_file_scans(void **state)
{
        (void)state;
        static const char *const texts[] = {"31337\n", "5000\n", "4242\n", "0900\n", "900 \n", "sshd\n", "", "1\n"};
        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
                tu_write(root, "run/sshd.pid", texts[i]);
                expect_scan();
        }
        /* Larger than any pid file: not read at all. */
        char big[SSHD_PID_FILE_CAP + 8];
        memset(big, '0', sizeof(big) - 1);
        big[0] = '9';
        big[sizeof(big) - 1] = '\0';
        tu_write(root, "run/sshd.pid", big);
        expect_scan();
}

/* A FIFO is never opened for reading (it would hang): the scan answers. */
static void test_pid_file_fifo_scans(void **state)
{
        (void)state;
        char path[4096];
        snprintf(path, sizeof(path), "%s/run/sshd.pid", root);
        assert_int_equal(mkfifo(path, 0644), 0);
        expect_scan();
}

/* A link out of the root resolves inside it: the file outside, naming 900, is not read. */
static void test_pid_file_link_out_of_root_not_followed(void **state)
{
        (void)state;
        char *outside = tu_mkdtemp();
        char target[4096];
        tu_write(outside, "sshd.pid", "900\n");
        snprintf(target, sizeof(target), "%s/sshd.pid", outside);
        tu_symlink(root, "run/sshd.pid", target);
        expect_scan();
        /* Relative, climbing past the root: ".." stops there. */
        char rel[8192] = "";
        for (int i = 0; i < 32; i++)
                strcat(rel, "../");
        strcat(rel, target + 1);
        tu_symlink(root, "run/sshd.pid", rel);
        expect_scan();
        /* The same link target inside the root is followed there. */
        tu_write(root, target + 1, "900\n");
        expect_pid_file_used();
        tu_rm_rf(outside);
        free(outside);
}

/* The same where the kernel has no openat2: rootfs's own resolution. */
static void test_pid_file_link_out_of_root_without_openat2(void **state)
{
        rootfs_force_fallback = true;
        test_pid_file_link_out_of_root_not_followed(state);
        rootfs_force_fallback = false;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_pid_file_through_var_run_link_names_the_listener, setup_each,
                                                teardown_each),
                cmocka_unit_test_setup_teardown(test_pid_file_at_run_without_var_run, setup_each, teardown_each),
                cmocka_unit_test_setup_teardown(test_no_pid_file_scans, setup_each, teardown_each),
                cmocka_unit_test_setup_teardown(test_stale_or_wrong_pid_file_scans, setup_each, teardown_each),
                cmocka_unit_test_setup_teardown(test_pid_file_fifo_scans, setup_each, teardown_each),
                cmocka_unit_test_setup_teardown(test_pid_file_link_out_of_root_not_followed, setup_each, teardown_each),
                cmocka_unit_test_setup_teardown(test_pid_file_link_out_of_root_without_openat2, setup_each,
                                                teardown_each),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
