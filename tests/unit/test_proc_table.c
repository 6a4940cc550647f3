/* test_proc_table: one pass over PROC reads every comm and only the command lines a collector looks for. */
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
        static const char *const bad[] = {"", "0", "042", "+5", " 5", "5x", "self", "4194305", "4294967298",
                                          "99999999999999999999999"};
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

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cmdline_only_for_names_looked_for),
                cmocka_unit_test(test_live_procfs),
                cmocka_unit_test(test_nspid_level),
                cmocka_unit_test(test_pid_names_as_the_kernel_writes_them),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
