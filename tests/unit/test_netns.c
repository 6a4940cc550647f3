/* test_netns: probes run in children inside a chosen network namespace, and where the pod's namespace is found. */
#include "testutil.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "base/netns.h"
#include "base/rootfs.h"
#include "base/util.h"

struct probe_out {
        int pid;
        int euid;
        int lo_up; /* 1 up, 0 down, -errno */
        int extra;
};

static void probe_self(void *arg, void *out)
{
        struct probe_out *o = out;
        o->pid = getpid();
        o->euid = (int)geteuid();
        o->extra = arg ? *(int *)arg : 0;
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr = {0};
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
        if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                o->lo_up = -errno;
        else
                o->lo_up = (ifr.ifr_flags & IFF_UP) != 0;
        if (s >= 0)
                close(s);
}

static void probe_hang(void *arg, void *out)
{
        (void)arg;
        (void)out;
        for (;;)
                pause();
}

static void probe_die(void *arg, void *out)
{
        (void)arg;
        (void)out;
        _exit(3);
}

static void test_jobs_report_results_from_a_child(void **state)
{
        (void)state;
        int a = 11, b = 22;
        struct probe_out out[2];
        struct ns_job jobs[2] = {
                {.ns_fd = -1, .fn = probe_self, .arg = &a, .out = &out[0], .out_size = sizeof(out[0])},
                {.ns_fd = -1, .fn = probe_self, .arg = &b, .out = &out[1], .out_size = sizeof(out[1])},
        };
        ns_jobs_run(jobs, 2, 5000);
        for (int i = 0; i < 2; i++) {
                assert_int_equal(jobs[i].err, 0);
                assert_true(out[i].pid > 0);
                assert_int_not_equal(out[i].pid, getpid());
        }
        assert_int_not_equal(out[0].pid, out[1].pid);
        assert_int_equal(out[0].extra, 11);
        assert_int_equal(out[1].extra, 22);
}

/* The probe reads the network as nobody, never as the root that started it. */
/* A child writes what it likes; the job's check runs on the parent's copy before
 * anything reads it, and not when the child reported no result. */
static void probe_garbage(void *arg, void *out)
{
        (void)arg;
        memset(out, 0xee, sizeof(struct probe_out));
}

static int checked;
static void clamp_extra(void *out)
{
        struct probe_out *o = out;
        checked++;
        if (o->extra < 0 || o->extra > 7)
                o->extra = 7;
}

static void test_job_check_runs_on_the_copied_result(void **state)
{
        (void)state;
        struct probe_out out[2];
        memset(out, 0, sizeof(out));
        struct ns_job jobs[2] = {
                {.ns_fd = -1, .fn = probe_garbage, .check = clamp_extra, .out = &out[0], .out_size = sizeof(out[0])},
                {.ns_fd = -1, .fn = probe_die, .check = clamp_extra, .out = &out[1], .out_size = sizeof(out[1])},
        };
        checked = 0;
        ns_jobs_run(jobs, 2, 5000);
        assert_int_equal(jobs[0].err, 0);
        assert_int_equal(out[0].extra, 7);
        assert_int_equal(jobs[1].err, -EPIPE);
        assert_int_equal(out[1].extra, 0);
        assert_int_equal(checked, 1);
}

static void test_job_runs_without_root(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        struct probe_out out;
        struct ns_job job = {.ns_fd = -1, .fn = probe_self, .out = &out, .out_size = sizeof(out)};
        ns_jobs_run(&job, 1, 5000);
        assert_int_equal(job.err, 0);
        assert_int_equal(out.euid, 65534);
}

static void test_hung_job_killed_at_deadline_others_kept(void **state)
{
        (void)state;
        struct probe_out out[2];
        struct ns_job jobs[2] = {
                {.ns_fd = -1, .fn = probe_hang, .out = &out[0], .out_size = sizeof(out[0])},
                {.ns_fd = -1, .fn = probe_self, .out = &out[1], .out_size = sizeof(out[1])},
        };
        long long start = mono_ms();
        ns_jobs_run(jobs, 2, 300);
        long long took = mono_ms() - start;
        assert_int_equal(jobs[0].err, -ETIMEDOUT);
        assert_int_equal(jobs[1].err, 0);
        assert_true(out[1].pid > 0);
        assert_true(took >= 290);
        assert_true(took < 5000);
}

static void test_child_dying_before_reporting_is_epipe(void **state)
{
        (void)state;
        struct probe_out out;
        struct ns_job job = {.ns_fd = -1, .fn = probe_die, .out = &out, .out_size = sizeof(out)};
        long long start = mono_ms();
        ns_jobs_run(&job, 1, 5000);
        assert_int_equal(job.err, -EPIPE);
        assert_true(mono_ms() - start < 4000); /* told by the closed pipe, not the deadline */
}

static void test_setns_refused_is_the_childs_errno(void **state)
{
        (void)state;
        /* A regular file is no namespace: setns() says EINVAL and the probe never runs. */
        int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        struct probe_out out = {.pid = 12345};
        struct ns_job job = {.ns_fd = fd, .fn = probe_self, .out = &out, .out_size = sizeof(out)};
        ns_jobs_run(&job, 1, 5000);
        close(fd);
        assert_int_equal(job.err, -EINVAL);
        assert_int_equal(out.pid, 12345); /* @out untouched */
}

/* A new network namespace (root only) has only a loopback, and it is down: the probe sees that one. */
static void test_job_runs_inside_the_namespace_given(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        assert_true(self >= 0);
        if (unshare(CLONE_NEWNET) < 0) {
                print_message("unshare(CLONE_NEWNET): %s: skipped\n", strerror(errno));
                close(self);
                skip();
        }
        int fresh = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        assert_int_equal(setns(self, CLONE_NEWNET), 0);
        assert_true(fresh >= 0);
        struct probe_out out[2];
        struct ns_job jobs[2] = {
                {.ns_fd = fresh, .fn = probe_self, .out = &out[0], .out_size = sizeof(out[0])},
                {.ns_fd = self, .fn = probe_self, .out = &out[1], .out_size = sizeof(out[1])},
        };
        ns_jobs_run(jobs, 2, 5000);
        assert_int_equal(jobs[0].err, 0);
        assert_int_equal(jobs[1].err, 0);
        assert_int_equal(out[0].lo_up, 0);
        assert_int_equal(out[1].lo_up, 1);
        close(fresh);
        close(self);
}

static void write_pid(const char *root, int pid, const char *cgroup, const char *netns)
{
        char rel[128];
        snprintf(rel, sizeof(rel), "proc/%d/cgroup", pid);
        tu_write(root, rel, cgroup);
        snprintf(rel, sizeof(rel), "proc/%d/ns/net", pid);
        tu_symlink(root, rel, netns);
}

static void test_kubepods_pid_lowest_outside_host_namespace(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        const char *host = "net:[4026531840]";
        write_pid(root, 3, "0::/system.slice/containerd.service\n", "net:[4026532001]");
        write_pid(root, 5, "0::/kubepods.slice/kubepods-burstable.slice/x\n", host); /* hostNetwork */
        write_pid(root, 9, "0::/kubepods/besteffort/pod1/abc\n", "net:[4026532009]");
        write_pid(root, 7, "12:memory:/kubepods/burstable/pod2/def\n", "net:[4026532007]");
        tu_write(root, "proc/self/cgroup", "0::/kubepods/x\n");
        char path[4096];
        snprintf(path, sizeof(path), "%s/proc", root);
        struct rootfs proc;
        assert_int_equal(rootfs_open_root(path, &proc), 0);
        int pid = 0;
        assert_int_equal(netns_find_kubepods_pid(&proc, host, &pid), 0);
        assert_int_equal(pid, 7);
        /* Against another host namespace, pid 5 is outside it and the lowest. */
        assert_int_equal(netns_find_kubepods_pid(&proc, "net:[4026532007]", &pid), 0);
        assert_int_equal(pid, 5);
        rootfs_close(&proc);

        tu_rm_rf(root);
        free(root);
        root = tu_mkdtemp();
        write_pid(root, 5, "0::/kubepods.slice/x\n", host);
        write_pid(root, 6, "0::/user.slice\n", "net:[4026532006]");
        snprintf(path, sizeof(path), "%s/proc", root);
        assert_int_equal(rootfs_open_root(path, &proc), 0);
        pid = -7;
        assert_int_equal(netns_find_kubepods_pid(&proc, host, &pid), -ENOENT);
        assert_int_equal(pid, -7);
        rootfs_close(&proc);
        tu_rm_rf(root);
        free(root);
}

static void test_pod_netns_option_must_be_a_network_namespace(void **state)
{
        (void)state;
        struct rootfs none = {.fd = -1};
        struct netns_plan p;
        netns_plan_make(&none, &none, "/proc/self/status", &p);
        assert_false(p.have_pod);
        assert_int_equal(p.pod_fd, -1);
        assert_non_null(p.pod_error);
        assert_string_equal(p.pod_error, "--pod-netns /proc/self/status: not a network namespace");
        assert_true(str_startswith(p.host_desc, "current network namespace (net:["));
        netns_plan_free(&p);
        assert_null(p.host_desc);
        assert_int_equal(p.pod_fd, -1);

        netns_plan_make(&none, &none, "/nonexistent/netns", &p);
        assert_false(p.have_pod);
        assert_non_null(strstr(p.pod_error, "No such file or directory"));
        netns_plan_free(&p);

        netns_plan_make(&none, &none, "/proc/self/ns/net", &p);
        assert_true(p.have_pod);
        assert_true(p.pod_fd >= 0);
        assert_string_equal(p.pod_desc, "/proc/self/ns/net (--pod-netns)");
        assert_null(p.pod_error);
        netns_plan_free(&p);
        netns_plan_free(NULL);
}

static void test_no_pod_namespace_says_why(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        tu_mkdirs(root);
        char path[4096];
        snprintf(path, sizeof(path), "%s/", root);
        tu_write(root, "proc/1/comm", "systemd\n");
        struct rootfs r, proc;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        snprintf(path, sizeof(path), "%s/proc", root);
        assert_int_equal(rootfs_open_root(path, &proc), 0);
        struct netns_plan p;
        netns_plan_make(&r, &proc, NULL, &p);
        assert_false(p.have_pod);
        assert_int_equal(p.pod_fd, -1);
        assert_int_equal(p.host_fd, -1);
        assert_non_null(p.pod_absent);
        assert_non_null(strstr(p.pod_absent, "no pod network namespace found"));
        assert_true(str_startswith(p.host_desc, "current network namespace (net:["));
        netns_plan_free(&p);
        rootfs_close(&proc);
        rootfs_close(&r);
        tu_rm_rf(root);
        free(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_jobs_report_results_from_a_child),
                cmocka_unit_test(test_job_check_runs_on_the_copied_result),
                cmocka_unit_test(test_job_runs_without_root),
                cmocka_unit_test(test_hung_job_killed_at_deadline_others_kept),
                cmocka_unit_test(test_child_dying_before_reporting_is_epipe),
                cmocka_unit_test(test_setns_refused_is_the_childs_errno),
                cmocka_unit_test(test_job_runs_inside_the_namespace_given),
                cmocka_unit_test(test_kubepods_pid_lowest_outside_host_namespace),
                cmocka_unit_test(test_pod_netns_option_must_be_a_network_namespace),
                cmocka_unit_test(test_no_pod_namespace_says_why),
        };
        return cmocka_run_group_tests_name("netns", tests, NULL, tu_group_teardown);
}
