/* test_procscan: the process table from the eBPF task iterator is the PROC walk's, in the reader's pid namespace only. */
#include "testutil.h"

#include <sys/mount.h>
#include <bpf/bpf.h>
#include <sys/prctl.h>

#include "base/procfs.h"
#include "collect/procscan.h"
#include "ownerscan.h"

#define SLEEPERS 600

static pid_t sleepers[SLEEPERS];

/* A sleeper named @comm; returns once the name is set, so neither way of
 * reading the table can see the parent's name (under valgrind the child runs
 * slowly enough that it would). */
static pid_t spawn_sleeper(const char *comm)
{
        int ready[2];
        assert_int_equal(pipe(ready), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(ready[0]);
                prctl(PR_SET_NAME, comm, 0, 0, 0);
                prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                if (write(ready[1], "", 1) < 0)
                        _exit(1);
                close(ready[1]);
                for (;;)
                        pause();
        }
        close(ready[1]);
        char c;
        while (read(ready[0], &c, 1) < 0 && errno == EINTR)
                ;
        close(ready[0]);
        return pid;
}

static void reap_all(pid_t *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (v[i] > 0) {
                        kill(v[i], SIGKILL);
                        waitpid(v[i], NULL, 0);
                        v[i] = 0;
                }
}

static const struct proc_entry *find_pid(const struct proc_table *t, pid_t pid)
{
        for (size_t i = 0; i < t->n; i++)
                if (t->v[i].pid == pid)
                        return &t->v[i];
        return NULL;
}

/* Read the table both ways; 0 when they agree on @pids (comm, and argv where asked). */
static int compare_ways(const char *procdir, const pid_t *pids, size_t n, char *why, size_t why_size)
{
        struct rootfs proc;
        if (procfs_open_root(procdir, &proc) < 0)
                return snprintf(why, why_size, "cannot open %s", procdir), -1;
        static const char *const named[] = {"nwps-7"};
        struct proc_table a = {0}, b = {0};
        const char *via_a = NULL, *via_b = NULL;
        setenv("NODEWARD_PROCS", "bpf", 1);
        int ra = procscan_read(&proc, named, 1, &a, &via_a);
        setenv("NODEWARD_PROCS", "walk", 1);
        int rb = procscan_read(&proc, named, 1, &b, &via_b);
        unsetenv("NODEWARD_PROCS");
        rootfs_close(&proc);
        int rc = 0;
        if (ra < 0 || rb < 0 || strcmp(via_a, "eBPF task iterator") != 0 || strcmp(via_b, "PROC walk") != 0) {
                snprintf(why, why_size, "ways: %s (%d), %s (%d)", via_a ? via_a : "?", ra, via_b ? via_b : "?", rb);
                rc = -1;
        }
        for (size_t i = 0; rc == 0 && i < n; i++) {
                const struct proc_entry *x = find_pid(&a, pids[i]), *y = find_pid(&b, pids[i]);
                if (!x || !y || strcmp(x->comm, y->comm) != 0 || x->argc != y->argc) {
                        snprintf(why, why_size, "pid %d: iterator %s/%zu, walk %s/%zu", (int)pids[i],
                                 x ? x->comm : "(absent)", x ? x->argc : 0, y ? y->comm : "(absent)", y ? y->argc : 0);
                        rc = -1;
                }
        }
        /* Nothing listed that PROC does not list: the walk's table holds every pid the
         * iterator names, but for processes that ended between the two reads. */
        for (size_t i = 0; rc == 0 && i < a.n; i++) {
                char p[64];
                snprintf(p, sizeof(p), "%s/%d", procdir, (int)a.v[i].pid);
                if (!find_pid(&b, a.v[i].pid) && access(p, F_OK) == 0) {
                        snprintf(why, why_size, "the iterator lists pid %d (%s), PROC's walk does not", (int)a.v[i].pid,
                                 a.v[i].comm);
                        rc = -1;
                }
        }
        proc_table_free(&a);
        proc_table_free(&b);
        return rc;
}

/* The loader needs the iterator (kernel 5.18+ with BTF); without it the check is a walk. */
static bool have_iterator(void)
{
        struct rootfs proc;
        if (procfs_open_root("/proc", &proc) < 0)
                return false;
        struct proc_table t = {0};
        const char *via = NULL;
        setenv("NODEWARD_PROCS", "bpf", 1);
        procscan_read(&proc, NULL, 0, &t, &via);
        unsetenv("NODEWARD_PROCS");
        proc_table_free(&t);
        rootfs_close(&proc);
        return via && strcmp(via, "eBPF task iterator") == 0;
}

static void test_iterator_table_is_the_walks(void **state)
{
        (void)state;
        for (int i = 0; i < SLEEPERS; i++) {
                char comm[32]; /* the kernel keeps 15 bytes: "nwps-599" fits */
                snprintf(comm, sizeof(comm), "nwps-%d", i);
                sleepers[i] = spawn_sleeper(comm);
        }
        pid_t pids[SLEEPERS + 1];
        memcpy(pids, sleepers, sizeof(sleepers));
        pids[SLEEPERS] = getpid();
        char why[256];
        int r = compare_ways("/proc", pids, SLEEPERS + 1, why, sizeof(why));
        /* With the table as large, check's own choice is the iterator. */
        struct rootfs proc;
        assert_int_equal(procfs_open_root("/proc", &proc), 0);
        struct proc_table t = {0};
        const char *via = NULL;
        assert_int_equal(procscan_read(&proc, NULL, 0, &t, &via), 0);
        rootfs_close(&proc);
        const struct proc_entry *e7 = find_pid(&t, sleepers[7]);
        reap_all(sleepers, SLEEPERS);
        if (r < 0)
                fail_msg("%s", why);
        assert_string_equal(via, "eBPF task iterator");
        assert_non_null(e7);
        assert_string_equal(e7->comm, "nwps-7");
        assert_true(e7->argc > 0); /* with no names given, every command line is read */
        proc_table_free(&t);
}

/* In a pid namespace of its own, with a sibling namespace at the same depth
 * holding a process: the iterator lists the namespace's processes by the pids
 * its procfs shows, and nothing of the sibling's. */
static void test_iterator_lists_only_the_readers_pid_namespace(void **state)
{
        (void)state;
        int pfd[2];
        assert_int_equal(pipe(pfd), 0);
        pid_t sib = fork();
        assert_true(sib >= 0);
        if (sib == 0) {
                /* The sibling: a namespace of its own at depth 1, one sleeper in it. */
                close(pfd[0]);
                close(pfd[1]);
                if (unshare(CLONE_NEWPID) < 0)
                        _exit(3);
                pid_t s = fork();
                if (s == 0) {
                        prctl(PR_SET_NAME, "nwps-sibling", 0, 0, 0);
                        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                        for (;;)
                                pause();
                }
                waitpid(s, NULL, 0);
                _exit(0);
        }
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                close(pfd[0]);
                if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0)
                        _exit(3);
                pid_t init = fork();
                if (init == 0) {
                        char why[256] = "";
                        int rc = 0;
                        /* "none", not NULL: valgrind takes a NULL type for a bad pointer */
                        if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
                            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
                                snprintf(why, sizeof(why), "mount proc: %s", strerror(errno));
                                rc = 1;
                        }
                        pid_t mine[4];
                        for (int i = 0; rc == 0 && i < 3; i++) {
                                char comm[32];
                                snprintf(comm, sizeof(comm), "nwps-ns-%d", i);
                                mine[i] = spawn_sleeper(comm);
                        }
                        mine[3] = getpid(); /* 1 */
                        if (rc == 0 && compare_ways("/proc", mine, 4, why, sizeof(why)) < 0)
                                rc = 1;
                        if (rc == 0) {
                                /* Every process of this namespace, and only those: the
                                 * sibling's sleeper (pid 2 there) is not ours. */
                                struct rootfs proc;
                                struct proc_table t = {0};
                                setenv("NODEWARD_PROCS", "bpf", 1);
                                procfs_open_root("/proc", &proc);
                                procscan_read(&proc, NULL, 0, &t, NULL);
                                if (t.n != 4)
                                        snprintf(why, sizeof(why), "%zu processes listed, want 4", t.n), rc = 1;
                                for (size_t i = 0; i < t.n; i++)
                                        if (strcmp(t.v[i].comm, "nwps-sibling") == 0)
                                                snprintf(why, sizeof(why), "the sibling's process is listed"), rc = 1;
                                proc_table_free(&t);
                        }
                        if (write(pfd[1], why, strlen(why)) < 0)
                                rc = 2;
                        reap_all(mine, 3);
                        _exit(rc);
                }
                int st;
                waitpid(init, &st, 0);
                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 4);
        }
        close(pfd[1]);
        int st;
        waitpid(child, &st, 0);
        char why[256] = "";
        ssize_t n = read(pfd[0], why, sizeof(why) - 1);
        why[n > 0 ? n : 0] = '\0';
        close(pfd[0]);
        kill(sib, SIGKILL);
        waitpid(sib, NULL, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                fail_msg("in a pid namespace of its own (status %d): %s", st, why);
}

/* Loaded programs named @name (the kernel keeps 15 bytes of a name). */
static int count_programs(const char *name)
{
        __u32 id = 0;
        int n = 0;
        while (bpf_prog_get_next_id(id, &id) == 0) {
                int fd = bpf_prog_get_fd_by_id(id);
                struct bpf_prog_info info = {0};
                __u32 len = sizeof(info);
                if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && strcmp(info.name, name) == 0)
                        n++;
                if (fd >= 0)
                        close(fd);
        }
        return n;
}

/* The kernel frees a program after a grace period: wait up to 3 s for @want. */
static int settle_programs(const char *name, int want)
{
        int n = count_programs(name);
        for (int i = 0; i < 300 && n != want; i++) {
                usleep(10000);
                n = count_programs(name);
        }
        return n;
}

/* Within a hold (a run's collection) the process table and the owners share one
 * load of the iterators, and the last release unloads it; without one, each pass
 * loads its own and leaves nothing loaded. */
static void test_a_held_run_loads_the_iterators_once(void **state)
{
        (void)state;
        int base = settle_programs("tasks", count_programs("tasks"));
        struct ownerscan_task *t = NULL;
        struct ownerscan_rec *rec = NULL;
        size_t nt = 0, nr = 0;
        char *err = NULL;
        ownerscan_hold();
        assert_int_equal(ownerscan_tasks(PROC_MAX_PROCESSES, &t, &nt, &err), 0);
        assert_int_equal(count_programs("tasks"), base + 1);
        uint64_t ino = 1; /* no socket has it: nothing comes back */
        assert_int_equal(ownerscan_run(&ino, 1, 16, &rec, &nr, &err), 0);
        assert_int_equal(nr, 0);
        assert_int_equal(count_programs("tasks"), base + 1); /* the same load */
        free(rec);
        free(t);
        /* A second owners pass in the hold has an inode map of its own. */
        assert_int_equal(ownerscan_run(&ino, 1, 16, &rec, &nr, &err), 0);
        free(rec);
        ownerscan_release();
        assert_int_equal(settle_programs("tasks", base), base);
        assert_true(nt > 0);
        /* Outside a hold nothing stays loaded after a pass. */
        assert_int_equal(ownerscan_tasks(PROC_MAX_PROCESSES, &t, &nt, &err), 0);
        free(t);
        assert_int_equal(settle_programs("tasks", base), base);
}

static int group_setup(void **state)
{
        (void)state;
        if (geteuid() != 0) {
                printf("# test_procscan loads a BPF iterator: run as root (make test does)\n");
                return -1;
        }
        if (!have_iterator()) {
                printf("# skipped: this kernel has no BPF task iterator with BTF (5.18+): the walk is the only way\n");
                skip();
        }
        return 0;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_iterator_table_is_the_walks),
                cmocka_unit_test(test_iterator_lists_only_the_readers_pid_namespace),
                cmocka_unit_test(test_a_held_run_loads_the_iterators_once),
        };
        return cmocka_run_group_tests(tests, group_setup, NULL);
}
