/* test_proc: the process table: one pass over PROC reads every comm and only the command lines a collector
 * looks for; command lines split, processes found by name, working directories read. */
#include "testutil.h"

#include "base/proc.h"

static void test_cmdline_only_for_names_looked_for(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        const char *kubelet[] = {"/usr/bin/kubelet", "--config=/etc/kubernetes/kubelet/config.json", NULL};
        const char *agent[] = {"/controller", "aws-network-policy-agent", NULL};
        const char *agent2[] = {"/usr/bin/aws-network-policy-agent", "--enable-ipv6=false", NULL};
        const char *shell[] = {"/bin/bash", "-c", "sleep 1000", NULL};
        tu_write_proc(root, 10, "kubelet", kubelet);
        tu_write_proc(root, 20, "controller", agent);
        tu_write_proc(root, 30, "aws-network-pol", agent2); /* the kernel cuts a comm at 15 */
        tu_write_proc(root, 40, "bash", shell);
        char proc_path[4096];
        snprintf(proc_path, sizeof(proc_path), "%s/proc", root);
        struct rootfs proc;
        assert_int_equal(rootfs_open_root(proc_path, &proc), 0);
        static const char *const names[] = {"kubelet", "aws-network-policy-agent"};
        struct proc_table t = {0};
        assert_int_equal(proc_table_read_some(&proc, names, 2, &t), 0);
        assert_int_equal(t.n, 4);
        /* Every process keeps its pid and comm; argv only where the comm is looked for. */
        assert_int_equal(t.v[0].pid, 10);
        assert_int_equal(t.v[0].argc, 2);
        assert_string_equal(t.v[0].argv[1], "--config=/etc/kubernetes/kubelet/config.json");
        assert_string_equal(t.v[1].comm, "controller");
        assert_int_equal(t.v[1].argc, 0);
        assert_string_equal(t.v[2].comm, "aws-network-pol");
        assert_int_equal(t.v[2].argc, 2);
        assert_string_equal(t.v[3].comm, "bash");
        assert_int_equal(t.v[3].argc, 0);
        const struct proc_entry *e = proc_table_find(&t, "aws-network-policy-agent");
        assert_non_null(e);
        assert_int_equal(e->pid, 30);
        proc_table_free(&t);

        /* Without names, every command line, as before. */
        assert_int_equal(proc_table_read(&proc, &t), 0);
        assert_int_equal(t.n, 4);
        assert_int_equal(t.v[3].argc, 3);
        assert_int_equal(t.v[1].argc, 2);
        proc_table_free(&t);
        rootfs_close(&proc);
        tu_rm_rf(root);
        free(root);
}

/* The live procfs: this process is found with its comm and its command line. */
static void test_live_procfs(void **state)
{
        (void)state;
        struct rootfs proc;
        assert_int_equal(rootfs_open_root("/proc", &proc), 0);
        char me[64] = "";
        FILE *c = fopen("/proc/self/comm", "re"); /* under valgrind, not the program's name */
        assert_non_null(c);
        assert_non_null(fgets(me, sizeof(me), c));
        fclose(c);
        me[strcspn(me, "\n")] = '\0';
        const char *const names[] = {me};
        struct proc_table t = {0};
        assert_int_equal(proc_table_read_some(&proc, names, 1, &t), 0);
        bool self = false;
        for (size_t i = 0; i < t.n; i++) {
                if (t.v[i].pid == getpid()) {
                        self = true;
                        assert_string_equal(t.v[i].comm, me);
                        assert_true(t.v[i].argc >= 1);
                }
        }
        assert_true(self);
        proc_table_free(&t);
        rootfs_close(&proc);
}

/* NSpid lists a process's pid in each namespace from the initial one down (proc(5)). */
static void test_nspid_level(void **state)
{
        (void)state;
        assert_int_equal(proc_status_nspid_level("Name:\tsshd\nNSpid:\t811\nNSpgid:\t811\n"), 0);
        assert_int_equal(proc_status_nspid_level("Name:\tsleep\nNSpid:\t4711\t12\t1\n"), 2);
        assert_int_equal(proc_status_nspid_level("Name:\tx\nPid:\t1\n"), 0); /* before Linux 4.1 */
        assert_int_equal(proc_status_nspid_level("NSpid:\t7"), 0);
        assert_int_equal(proc_status_nspid_level("Name:\tx\nNSpid:\t\n"), -1);
        assert_int_equal(proc_status_nspid_level("Name:\tx\nNSpid:\t12 x\n"), -1);
        char deep[512] = "NSpid:";
        for (int i = 0; i < 40; i++)
                strcat(deep, " 9");
        assert_int_equal(proc_status_nspid_level(deep), -1);
}

/* A fixture's entry "4294967298" once wrapped to pid 2, taking the place of a real one. */
static void test_pid_names_as_the_kernel_writes_them(void **state)
{
        (void)state;
        assert_int_equal(proc_pid_parse("1"), 1);
        assert_int_equal(proc_pid_parse("4194304"), 4194304);
        static const char *const bad[] = {"",   "0",    "042",     "+5",         " 5",
                                          "5x", "self", "4194305", "4294967298", "99999999999999999999999"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(proc_pid_parse(bad[i]), 0);
        char *root = tu_mkdtemp();
        const char *init[] = {"/sbin/init", NULL};
        tu_write_proc(root, 1, "systemd", init);
        char path[4096];
        tu_write(root, "proc/4294967298/comm", "kubelet\n");
        tu_write(root, "proc/4294967298/cmdline", "/usr/bin/kubelet");
        snprintf(path, sizeof(path), "%s/proc", root);
        struct rootfs proc;
        assert_int_equal(rootfs_open_root(path, &proc), 0);
        struct proc_table t = {0};
        assert_int_equal(proc_table_read(&proc, &t), 0);
        assert_int_equal(t.n, 1);
        assert_int_equal(t.v[0].pid, 1);
        assert_null(proc_table_find(&t, "kubelet"));
        proc_table_free(&t);
        rootfs_close(&proc);
        tu_rm_rf(root);
        free(root);
}

static void expect_argv(const char *buf, size_t len, const char *const *want, size_t n)
{
        char **argv;
        size_t argc;
        proc_split_cmdline(buf, len, &argv, &argc);
        assert_int_equal(argc, n);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(argv[i], want[i]);
        assert_null(argv[argc]); /* NULL-terminated, as execv's */
        strv_free(argv, argc);
}

static void test_cmdline_split_at_nul_last_one_optional(void **state)
{
        (void)state;
        static const char *const three[] = {"/usr/bin/kubelet", "--v=2", ""};
        expect_argv("/usr/bin/kubelet\0--v=2\0\0", 24, three, 3);
        static const char *const two[] = {"/usr/bin/kubelet", "--v=2"};
        expect_argv("/usr/bin/kubelet\0--v=2\0", 23, two, 2);
        /* A process that rewrote its cmdline without a final NUL (setproctitle). */
        expect_argv("/usr/bin/kubelet\0--v=2", 22, two, 2);
        static const char *const title[] = {"sshd: root@pts/0"};
        expect_argv("sshd: root@pts/0", 16, title, 1);
        expect_argv("", 0, NULL, 0); /* a kernel thread */
}

static void test_entry_named_by_comm_or_argv0_basename(void **state)
{
        (void)state;
        char *argv[] = {"/usr/local/bin/kubelet", "--config=x", NULL};
        struct proc_entry e = {.pid = 42, .comm = "kubelet-wrap", .argv = argv, .argc = 2};
        assert_true(proc_entry_is(&e, "kubelet"));
        assert_true(proc_entry_is(&e, "kubelet-wrap"));
        assert_false(proc_entry_is(&e, "kube"));
        assert_false(proc_entry_is(&e, "/usr/local/bin/kubelet"));
        struct proc_entry bare = {.pid = 2, .comm = "kthreadd"};
        assert_true(proc_entry_is(&bare, "kthreadd"));
        assert_false(proc_entry_is(&bare, ""));
}

static void test_find_returns_lowest_pid_of_that_name(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        const char *k[] = {"/usr/bin/kubelet", NULL};
        const char *w[] = {"/opt/bin/kubelet", "--wrapped", NULL};
        const char *s[] = {"sshd: /usr/sbin/sshd -D", NULL};
        tu_write_proc(root, 900, "kubelet", k);
        tu_write_proc(root, 77, "wrapper", w);
        tu_write_proc(root, 1000, "sshd", s);
        tu_write(root, "proc/sys/kernel/pid_max", "4194304\n"); /* not a process */
        tu_write(root, "proc/self", "");
        char path[4096];
        snprintf(path, sizeof(path), "%s/proc", root);
        struct rootfs proc;
        assert_int_equal(rootfs_open_root(path, &proc), 0);
        struct proc_table t = {0};
        assert_int_equal(proc_table_read(&proc, &t), 0);
        assert_int_equal(t.n, 3);
        assert_int_equal(t.v[0].pid, 77);
        assert_int_equal(t.v[2].pid, 1000);
        const struct proc_entry *e = proc_table_find(&t, "kubelet");
        assert_non_null(e);
        assert_int_equal(e->pid, 77);
        assert_int_equal(proc_table_find(&t, "sshd")->pid, 1000);
        assert_null(proc_table_find(&t, "containerd"));
        proc_table_free(&t);
        assert_null(t.v);
        assert_int_equal(t.n, 0);
        proc_table_free(&t); /* twice, and NULL: harmless */
        proc_table_free(NULL);
        rootfs_close(&proc);
        tu_rm_rf(root);
        free(root);
}

/* A directory with neither comm nor cmdline (a process gone mid-read) is left out. */
static void test_vanished_process_left_out(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        const char *init[] = {"/sbin/init", NULL};
        tu_write_proc(root, 1, "systemd", init);
        char path[4096];
        snprintf(path, sizeof(path), "%s/proc/4242", root);
        tu_mkdirs(path);
        mkdir(path, 0755);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        snprintf(path, sizeof(path), "%s/proc", root);
        struct rootfs proc;
        assert_int_equal(rootfs_open_root(path, &proc), 0);
        struct proc_table t = {0};
        assert_int_equal(proc_table_read(&proc, &t), 0);
        assert_int_equal(t.n, 1);
        assert_int_equal(t.v[0].pid, 1);
        proc_table_free(&t);
        rootfs_close(&proc);
        tu_rm_rf(root);
        free(root);
}

/* One process read alone: its comm and cmdline as the walk reads them, no other. */
static void test_read_one_pid(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        const char *sshd[] = {"/usr/sbin/sshd", "-D", "-p", "2222", NULL};
        const char *init[] = {"/sbin/init", NULL};
        tu_write_proc(root, 1, "systemd", init);
        tu_write_proc(root, 811, "sshd", sshd);
        char path[4096];
        snprintf(path, sizeof(path), "%s/proc", root);
        struct rootfs proc;
        assert_int_equal(rootfs_open_root(path, &proc), 0);
        struct proc_table t = {0};
        assert_int_equal(proc_table_read_pid(&proc, 811, &t), 0);
        assert_int_equal(t.n, 1);
        assert_int_equal(t.v[0].pid, 811);
        assert_string_equal(t.v[0].comm, "sshd");
        assert_int_equal(t.v[0].argc, 4);
        assert_string_equal(t.v[0].argv[3], "2222");
        proc_table_free(&t);
        assert_int_equal(proc_table_read_pid(&proc, 812, &t), -ESRCH);
        assert_int_equal(proc_table_read_pid(&proc, 0, &t), -ESRCH);
        assert_int_equal(proc_table_read_pid(&proc, -1, &t), -ESRCH);
        rootfs_close(&proc);

        /* The live procfs: this process. */
        assert_int_equal(rootfs_open_root("/proc", &proc), 0);
        assert_int_equal(proc_table_read_pid(&proc, getpid(), &t), 0);
        assert_true(t.v[0].comm[0] != '\0');
        assert_true(t.v[0].argc >= 1);
        proc_table_free(&t);
        rootfs_close(&proc);
        tu_rm_rf(root);
        free(root);
}

/* A pid file is the digits and one newline: anything more or less names no process. */
static void test_pid_file_text(void **state)
{
        (void)state;
        assert_int_equal(proc_pid_file_parse("811\n", 4), 811);
        assert_int_equal(proc_pid_file_parse("811", 3), 811);
        assert_int_equal(proc_pid_file_parse("4194304\n", 8), 4194304);
        static const char *const bad[] = {"",
                                          "\n",
                                          "0\n",
                                          "042\n",
                                          " 811\n",
                                          "811 \n",
                                          "811\n\n",
                                          "811\r\n",
                                          "-811\n",
                                          "4194305\n",
                                          "99999999999999999999\n",
                                          "sshd\n",
                                          "811\nx"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(proc_pid_file_parse(bad[i], strlen(bad[i])), 0);
        assert_int_equal(proc_pid_file_parse("811\0\n", 5), 0); /* an embedded NUL is not the end */
        assert_int_equal(proc_pid_file_parse("811\n", 3), 811); /* only @len bytes count */
}

static void test_cwd_of_a_live_process(void **state)
{
        (void)state;
        struct rootfs proc;
        assert_int_equal(rootfs_open_root("/proc", &proc), 0);
        char want[4096], got[4096];
        assert_non_null(getcwd(want, sizeof(want)));
        assert_int_equal(proc_read_cwd(&proc, getpid(), got, sizeof(got)), 0);
        assert_string_equal(got, want);
        assert_true(proc_read_cwd(&proc, PROC_PID_MAX, got, sizeof(got)) < 0);
        rootfs_close(&proc);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cmdline_only_for_names_looked_for),
                cmocka_unit_test(test_live_procfs),
                cmocka_unit_test(test_nspid_level),
                cmocka_unit_test(test_pid_names_as_the_kernel_writes_them),
                cmocka_unit_test(test_cmdline_split_at_nul_last_one_optional),
                cmocka_unit_test(test_entry_named_by_comm_or_argv0_basename),
                cmocka_unit_test(test_find_returns_lowest_pid_of_that_name),
                cmocka_unit_test(test_vanished_process_left_out),
                cmocka_unit_test(test_cwd_of_a_live_process),
                cmocka_unit_test(test_read_one_pid),
                cmocka_unit_test(test_pid_file_text),
        };
        return cmocka_run_group_tests_name("proc", tests, NULL, tu_group_teardown);
}
