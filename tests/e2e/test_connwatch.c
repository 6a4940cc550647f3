/* test_connwatch (e2e, root): pods in real netns and kubelet-named cgroups attempt SSH and IMDS; nodeward counts exactly. */
#include "testutil.h"

#include "connwatch.h"
#include "connwatch_scene.h"

#include <sys/mount.h>

#include <bpf/bpf.h>
#include <dirent.h>

/* Without root the scene cannot be built: that is a broken test run, not a skip. Only a
 * machine without any cgroup v2 hierarchy (nothing to name pods by) skips, saying so. */
static void need_scene(void)
{
        if (have_scene)
                return;
        if (geteuid() != 0)
                fail_msg("needs root to build namespaces, cgroups and load eBPF: run `make test` as root");
        printf("skipped: no cgroup v2 hierarchy at /sys/fs/cgroup/unified or /sys/fs/cgroup to build pods in\n");
        skip();
}

static void expect(const char *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void expect(const char *ev, const char *fmt, ...)
{
        char want[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(want, sizeof(want), fmt, ap);
        va_end(ap);
        if (!strstr(ev, want))
                fail_msg("evidence lacks \"%s\": %s", want, ev);
}

static void test_both_cgroup_drivers_attributed_with_exact_counts(void **state)
{
        (void)state;
        need_scene();
        char *argv[] = {(char *)tu_nodeward(),
                        "check",
                        "--observe",
                        "3",
                        "--only",
                        "ssh.pod-attempts,imds.pod-attempts",
                        "--format",
                        "json",
                        NULL};
        struct nw_run nr;
        nodeward_start_observing(&nr, argv, NULL);
        /* Nothing listens yet: these are refused, yet each is an attempt. */
        actor(cg_sd, ns_pod, 3, 2, true);
        actor(cg_fs, ns_pod, 1, 0, true);
        pid_t l = listener();
        actor(cg_sd, ns_pod, 2, 0, true);
        actor(cg_fs, ns_pod, 3, 1, true);
        pid_t host = actor(cg_host, ns_node, 6, 1, true);
        kill(l, SIGKILL);
        waitpid(l, NULL, 0);
        int rc;
        cJSON *j = nodeward_finish(&nr, &rc, NULL);
        assert_int_equal(rc, 1);
        tu_assert_result(j, "ssh.pod-attempts", "fail", "pod attempt(s)");
        tu_assert_result(j, "imds.pod-attempts", "fail", "pod attempt(s)");
        const char *ssh = evidence(j, "ssh.pod-attempts"), *imds = evidence(j, "imds.pod-attempts");
        print_message("ssh.pod-attempts: %s\nimds.pod-attempts: %s\n", ssh, imds);
        expect(ssh, "pod %s container %s -> %s:22 x5, ", uid_sd, cid_sd, NODE_IP);
        expect(ssh, "pod %s container %s -> %s:22 x4, ", uid_fs, cid_fs, NODE_IP);
        expect(imds, "pod %s container %s -> %s:80 x2, ", uid_sd, cid_sd, IMDS_IP);
        expect(imds, "pod %s container %s -> %s:80 x1, ", uid_fs, cid_fs, IMDS_IP);
        expect(ssh, "observed 3 s (tp_btf)");
        /* The host process made the same attempts: never reported as a pod. */
        char pid[32];
        snprintf(pid, sizeof(pid), "(pid %d ", (int)host);
        assert_null(strstr(ssh, pid));
        assert_null(strstr(imds, pid));
        unsigned long long host_ssh = 0;
        const char *h = strstr(ssh, "; observed");
        assert_non_null(h);
        assert_int_equal(sscanf(h, "; observed 3 s (tp_btf); %llu attempts by host", &host_ssh), 1);
        assert_true(host_ssh >= 6);
        cJSON_Delete(j);
}

/* More distinct attempts than the count map holds (bpf/connwatch.h
 * CONNWATCH_MAX_ENTRIES): the least recently used keys make room, and no key
 * goes without being counted: those kept plus those evicted are every distinct
 * attempt made. The evidence names 8 and counts the rest. */
static void test_full_map_evicts_and_counts_what_it_evicted(void **state)
{
        (void)state;
        need_scene();
        enum {
                DISTINCT = CONNWATCH_MAX_ENTRIES + 3000
        };
        /* Under valgrind the attempts themselves run ten times slower. */
        char *secs = getenv("NODEWARD_UNDER_VALGRIND") ? "40" : "8";
        char *argv[] = {(char *)tu_nodeward(), "check",    "--observe", secs, "--only",
                        "imds.pod-attempts",   "--format", "json",      NULL};
        struct nw_run nr;
        nodeward_start_observing(&nr, argv, NULL);
        pid_t p = fork();
        assert_true(p >= 0);
        if (p == 0) {
                enter(cg_sd, ns_pod);
                for (int i = 0; i < DISTINCT; i++)
                        attempt(IMDS_IP, 20000 + i); /* one key per port, each refused at once */
                _exit(0);
        }
        int st;
        assert_int_equal(waitpid(p, &st, 0), p);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        int rc;
        cJSON *j = nodeward_finish(&nr, &rc, NULL);
        assert_int_equal(rc, 1);
        const char *ev = evidence(j, "imds.pod-attempts");
        unsigned long kept = 0, evicted = 0, more = 0;
        assert_int_equal(sscanf(ev, "%lu pod attempt(s)", &kept), 1);
        const char *e = strstr(ev, " attempt keys evicted");
        if (!e) {
                FILE *dbg = fopen("/tmp/nw-evict-evidence.txt", "w");
                if (dbg) {
                        fputs(ev, dbg);
                        fclose(dbg);
                }
                fail_msg("no eviction stated (evidence in /tmp/nw-evict-evidence.txt)");
        }
        while (e > ev && e[-1] != ' ')
                e--;
        evicted = strtoul(e, NULL, 10);
        const char *m = strstr(ev, "; and ");
        assert_non_null(m);
        assert_int_equal(sscanf(m, "; and %lu more", &more), 1);
        assert_int_equal(more, kept - 8);
        print_message("kept %lu, evicted %lu of %d distinct attempts\n", kept, evicted, (int)DISTINCT);
        assert_true(kept <= CONNWATCH_MAX_ENTRIES);
        assert_int_equal(kept + evicted, DISTINCT);
        /* A slow reader (valgrind) may see first sightings dropped: counted, and only
         * the pid is lost. An attempt no key was made for would be a silent loss. */
        if (strstr(ev, "attempts not counted"))
                fail_msg("attempts lost beyond eviction: %s", strstr(ev, "; observed"));
        cJSON_Delete(j);
}

static void force_tracepoint(void)
{
        setenv("NODEWARD_FORCE_TRACEPOINT", "1", 1);
}

static void test_tracepoint_fallback_counts_the_same(void **state)
{
        (void)state;
        need_scene();
        /* The fallback may mount tracefs to attach; nothing it mounts stays mounted. */
        bool had_tracefs = access("/sys/kernel/tracing/events", F_OK) == 0;
        char *argv[] = {(char *)tu_nodeward(), "check",    "--observe", "2", "--only",
                        "ssh.pod-attempts",    "--format", "json",      NULL};
        struct nw_run nr;
        nodeward_start_observing(&nr, argv, force_tracepoint);
        actor(cg_fs, ns_pod, 7, 0, true);
        int rc;
        cJSON *j = nodeward_finish(&nr, &rc, NULL);
        assert_int_equal(rc, 1);
        const char *ssh = evidence(j, "ssh.pod-attempts");
        expect(ssh, "pod %s container %s -> %s:22 x7, ", uid_fs, cid_fs, NODE_IP);
        expect(ssh, "observed 2 s (tracepoint)");
        assert_int_equal(access("/sys/kernel/tracing/events", F_OK) == 0, had_tracefs);
        cJSON_Delete(j);
}

static void drop_every_capability(void)
{
        for (int c = 0; c <= CAP_LAST_CAP; c++)
                prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
        cap_t none = cap_init();
        cap_set_proc(none);
        cap_free(none);
}

static void test_without_cap_bpf_checks_error_and_others_run(void **state)
{
        (void)state;
        if (geteuid() != 0)
                fail_msg("needs root to drop capabilities from: run `make test` as root");
        /* An empty process table: the kubelet check has a fixed answer (not found). */
        char *proc = tu_mkdtemp();
        char *argv[] = {(char *)tu_nodeward(),
                        "check",
                        "--observe",
                        "1",
                        "--proc",
                        proc,
                        "--only",
                        "ssh.pod-attempts,imds.pod-attempts,kubelet.read-only-port",
                        "--format",
                        "json",
                        NULL};
        struct nw_run nr;
        nodeward_start(&nr, argv, drop_every_capability);
        int rc;
        cJSON *j = nodeward_finish(&nr, &rc, NULL);
        tu_rm_rf(proc);
        free(proc);
        assert_int_equal(rc, 2);
        tu_assert_result(j, "ssh.pod-attempts", "error", "Operation not permitted");
        tu_assert_result(j, "imds.pod-attempts", "error", "loading tp_btf/inet_sock_set_state");
        print_message("imds.pod-attempts: %s\n", evidence(j, "imds.pod-attempts"));
        const cJSON *k = tu_result(j, "kubelet.read-only-port");
        assert_non_null(k);
        assert_string_equal(cJSON_GetObjectItem(k, "status")->valuestring, "skip");
        cJSON_Delete(j);
}

static void test_without_observe_checks_skip_and_nothing_loads(void **state)
{
        (void)state;
        char *argv[] = {
                (char *)tu_nodeward(), "check", "--only", "ssh.pod-attempts,imds.pod-attempts", "--format", "json",
                "--verbose",           NULL};
        char *out, *err;
        assert_int_equal(tu_run(argv, &out, &err), 0);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        tu_assert_result(j, "ssh.pod-attempts", "skip", "not observed: use --observe");
        tu_assert_result(j, "imds.pod-attempts", "skip", "not observed: use --observe");
        assert_null(strstr(err, "libbpf"));
        assert_null(strstr(err, "observing"));
        cJSON_Delete(j);
        free(out);
        free(err);
        /* --observe without the checks that need it loads nothing either. */
        char *argv2[] = {(char *)tu_nodeward(),    "check",    "--observe", "5",         "--only",
                         "kubelet.read-only-port", "--format", "json",      "--verbose", NULL};
        time_t t0 = time(NULL);
        tu_run(argv2, &out, &err);
        assert_true(time(NULL) - t0 < 4);
        assert_null(strstr(err, "observing"));
        free(out);
        free(err);
}

static void test_ipv6_and_v4_mapped_attempts_are_counted(void **state)
{
        (void)state;
        need_scene();
        char *argv[] = {(char *)tu_nodeward(),
                        "check",
                        "--observe",
                        "2",
                        "--only",
                        "ssh.pod-attempts,imds.pod-attempts",
                        "--format",
                        "json",
                        NULL};
        struct nw_run nr;
        nodeward_start_observing(&nr, argv, NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                enter(cg_fs, ns_pod);
                for (int i = 0; i < 2; i++)
                        attempt6("fd00:ec2::254", 80);
                for (int i = 0; i < 3; i++)
                        attempt6("::ffff:" NODE_IP, 22);
                attempt6("fd00:213::1", 22);
                _exit(0);
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        int rc;
        cJSON *j = nodeward_finish(&nr, &rc, NULL);
        assert_int_equal(rc, 1);
        const char *ssh = evidence(j, "ssh.pod-attempts"), *imds = evidence(j, "imds.pod-attempts");
        expect(imds, "pod %s container %s -> [fd00:ec2::254]:80 x2, ", uid_fs, cid_fs);
        expect(ssh, "pod %s container %s -> %s:22 x3, ", uid_fs, cid_fs, NODE_IP);
        expect(ssh, "pod %s container %s -> [fd00:213::1]:22 x1, ", uid_fs, cid_fs);
        cJSON_Delete(j);
}

/* A pod on the host network: its SSH attempts count, its metadata attempts are the node's. */
static void test_host_network_pod_counts_for_ssh_not_imds(void **state)
{
        (void)state;
        need_scene();
        /* The scene's node namespace plays the host's: a process table whose pid 1 lives there. */
        struct stat st;
        char nspath[64];
        snprintf(nspath, sizeof(nspath), "/run/netns/%s", ns_node);
        assert_int_equal(stat(nspath, &st), 0);
        char *proc = tu_mkdtemp(), target[64];
        snprintf(target, sizeof(target), "net:[%lu]", (unsigned long)st.st_ino);
        tu_symlink(proc, "1/ns/net", target);
        char *argv[] = {(char *)tu_nodeward(),
                        "check",
                        "--observe",
                        "2",
                        "--proc",
                        proc,
                        "--only",
                        "ssh.pod-attempts,imds.pod-attempts",
                        "--format",
                        "json",
                        NULL};
        struct nw_run nr;
        nodeward_start_observing(&nr, argv, NULL);
        actor(cg_sd, ns_node, 2, 3, true);
        int rc;
        cJSON *j = nodeward_finish(&nr, &rc, NULL);
        tu_rm_rf(proc);
        free(proc);
        const char *ssh = evidence(j, "ssh.pod-attempts"), *imds = evidence(j, "imds.pod-attempts");
        expect(ssh, "pod %s container %s [hostNetwork] -> %s:22 x2, ", uid_sd, cid_sd, NODE_IP);
        if (strstr(imds, uid_sd))
                fail_msg("a hostNetwork pod's metadata attempts were reported: %s", imds);
        cJSON_Delete(j);
}

static void join_cgroupfs_pod(void)
{
        char path[1100], pid[32];
        snprintf(path, sizeof(path), "%s/cgroup.procs", cg_fs);
        snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
                _exit(93);
        close(fd);
}

/* nodeward in a pod (the DaemonSet): its own pod's attempts (its probes) are not findings. */
static void test_nodewards_own_pod_is_not_reported(void **state)
{
        (void)state;
        need_scene();
        char *argv[] = {(char *)tu_nodeward(), "check",    "--observe", "2", "--only",
                        "ssh.pod-attempts",    "--format", "json",      NULL};
        struct nw_run nr;
        nodeward_start_observing(&nr, argv, join_cgroupfs_pod);
        actor(cg_fs, ns_pod, 4, 0, true);
        actor(cg_sd, ns_pod, 1, 0, true);
        int rc;
        cJSON *j = nodeward_finish(&nr, &rc, NULL);
        const char *ssh = evidence(j, "ssh.pod-attempts");
        expect(ssh, "pod %s container %s -> %s:22 x1, ", uid_sd, cid_sd, NODE_IP);
        if (strstr(ssh, uid_fs))
                fail_msg("nodeward's own pod was reported: %s", ssh);
        cJSON_Delete(j);
}

/* sshd listening on 2222 only (the sshd area's resolution): 2222 is watched, 22 is not. */
static void test_sshd_configured_port_is_watched(void **state)
{
        (void)state;
        need_scene();
        /* A node root with its own sshd_config and the real cgroup hierarchy bound in. */
        char *root = tu_mkdtemp(), mnt[1024];
        tu_write(root, "etc/ssh/sshd_config", "Port 2222\n");
        snprintf(mnt, sizeof(mnt), "%s/sys/fs/cgroup/unified", root);
        tu_mkdirs(mnt);
        if (mount(cgroup2_mount(), mnt, "none", MS_BIND, NULL) < 0)
                fail_msg("bind mount: %s", strerror(errno));
        char *argv[] = {
                (char *)tu_nodeward(), "check",    "--root", root, "--proc", "/proc", "--observe", "2", "--only",
                "ssh.pod-attempts",    "--format", "json",   NULL};
        struct nw_run nr;
        nodeward_start(&nr, argv, NULL);
        char *e = stderr_until(&nr, "observing");
        bool observing = strstr(e, "observing") != NULL;
        if (!observing)
                fprintf(stderr, "nodeward did not start observing: %s\n", e);
        free(e); /* before the fork: the actor must inherit no buffer it cannot reach */
        if (observing) {
                pid_t pid = fork();
                if (pid == 0) {
                        enter(cg_sd, ns_pod);
                        for (int i = 0; i < 3; i++)
                                attempt(NODE_IP, 2222);
                        attempt(NODE_IP, 22);
                        _exit(0);
                }
                waitpid(pid, NULL, 0);
        }
        int rc;
        cJSON *j = nodeward_finish(&nr, &rc, NULL);
        umount2(mnt, MNT_DETACH);
        tu_rm_rf(root);
        free(root);
        assert_true(observing);
        const char *ssh = evidence(j, "ssh.pod-attempts");
        expect(ssh, "to reach SSH (port 2222)");
        expect(ssh, "pod %s container %s -> %s:2222 x3, ", uid_sd, cid_sd, NODE_IP);
        if (strstr(ssh, NODE_IP ":22 "))
                fail_msg("port 22 is not sshd's here, yet it was reported: %s", ssh);
        cJSON_Delete(j);
}

/* The BPF programs process @pid holds: a program fd and a link fd both name one as
 * "prog_id:" in their fdinfo. Ids are allocated cyclically, so a freed one is not
 * handed out again for a long while. */
static size_t held_prog_ids(pid_t pid, unsigned *ids, size_t cap)
{
        char dir[64];
        snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)pid);
        DIR *d = opendir(dir);
        assert_non_null(d);
        size_t n = 0;
        for (struct dirent *e; (e = readdir(d));) {
                char path[400], line[256];
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                FILE *f = fopen(path, "re");
                unsigned id;
                while (f && fgets(line, sizeof(line), f)) {
                        if (sscanf(line, "prog_id: %u", &id) != 1)
                                continue;
                        bool seen = false;
                        for (size_t i = 0; i < n; i++)
                                seen = seen || ids[i] == id;
                        if (!seen && n < cap)
                                ids[n++] = id;
                }
                if (f)
                        fclose(f);
        }
        closedir(d);
        return n;
}

/* Whether program @id is still loaded; @ret_name gets its name when it is. */
static bool prog_loaded(unsigned id, char *ret_name, size_t len)
{
        int fd = bpf_prog_get_fd_by_id(id);
        if (fd < 0) {
                if (fd != -ENOENT)
                        fail_msg("looking up BPF program %u: %s", id, strerror(-fd));
                return false;
        }
        struct bpf_prog_info info = {0};
        __u32 ilen = sizeof(info);
        assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &ilen), 0);
        close(fd);
        snprintf(ret_name, len, "%s", info.name);
        return true;
}

static void test_watch_prints_findings_and_detaches_on_sigterm(void **state)
{
        (void)state;
        need_scene();
        char *argv[] = {(char *)tu_nodeward(), "watch", "--interval", "1", "--only", "ssh.pod-attempts", NULL};
        struct nw_run nr;
        nodeward_start(&nr, argv, NULL);
        char *s = file_until(nr.out_path, "\"event\":\"attached\"", 20);
        assert_non_null(s);
        free(s);
        /* The programs this watch loaded (not any connwatch_* on the machine: a node may
         * run the DaemonSet at the same time). */
        unsigned ids[16];
        char name[32];
        size_t n = held_prog_ids(nr.pid, ids, 16);
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
                assert_true(prog_loaded(ids[i], name, sizeof(name)));
                if (strncmp(name, "connwatch_", 10) != 0)
                        fail_msg("watch holds BPF program %u named \"%s\"", ids[i], name);
        }
        print_message("watch holds %zu BPF program(s), first id %u\n", n, ids[0]);
        actor(cg_sd, ns_pod, 3, 0, true);
        s = file_until(nr.out_path, "\"event\":\"finding\",\"time\"", 10);
        assert_non_null(s);
        char want[160];
        snprintf(want, sizeof(want), "\"uid\":\"%s\"", uid_sd);
        assert_non_null(strstr(s, want));
        snprintf(want, sizeof(want), "\"container\":\"%s\"", cid_sd);
        assert_non_null(strstr(s, want));
        free(s);
        s = file_until(nr.out_path, "-> " NODE_IP ":22 x3, ", 10);
        assert_non_null(s);
        free(s);
        kill(nr.pid, SIGTERM);
        int st;
        assert_int_equal(waitpid(nr.pid, &st, 0), nr.pid);
        running = 0;
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        s = file_until(nr.out_path, "\"event\":\"exit\"", 1);
        assert_non_null(s);
        free(s);
        close(nr.err_fd);
        unlink(nr.out_path);
        /* The kernel frees a detached program after an RCU grace period. */
        for (size_t i = 0; i < n; i++) {
                bool loaded = true;
                for (int t = 0; t < 40 && (loaded = prog_loaded(ids[i], name, sizeof(name))); t++)
                        usleep(100000);
                if (loaded)
                        fail_msg("BPF program %u (%s) is still loaded after watch exited", ids[i], name);
        }
}

static void test_pod_attempts_metric_counts_each_pod(void **state)
{
        (void)state;
        need_scene();
        char dir[] = "/tmp/nw-bpf-metrics.XXXXXX", prom[128];
        assert_non_null(mkdtemp(dir));
        snprintf(prom, sizeof(prom), "%s/nodeward.prom", dir);
        char *argv[] = {(char *)tu_nodeward(),
                        "check",
                        "--observe",
                        "2",
                        "--only",
                        "ssh.pod-attempts,imds.pod-attempts",
                        "--format",
                        "json",
                        "--textfile",
                        prom,
                        NULL};
        struct nw_run nr;
        nodeward_start(&nr, argv, NULL);
        free(stderr_until(&nr, "observing"));
        actor(cg_sd, ns_pod, 2, 3, true);
        int rc;
        cJSON_Delete(nodeward_finish(&nr, &rc, NULL));
        int fd = open(prom, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        char *text = tu_read_fd(fd);
        close(fd);
        char want[1024];
        snprintf(want, sizeof(want), "nodeward_pod_connection_attempts_total{kind=\"ssh\",pod_uid=\"%s\",", uid_sd);
        assert_non_null(strstr(text, want));
        snprintf(want, sizeof(want), "container_id=\"%s\",host_network=\"false\",daddr=\"%s\",dport=\"22\"} 2\n",
                 cid_sd, NODE_IP);
        if (!strstr(text, want))
                fail_msg("metrics lack %s:\n%s", want, text);
        snprintf(want, sizeof(want), "container_id=\"%s\",host_network=\"false\",daddr=\"%s\",dport=\"80\"} 3\n",
                 cid_sd, IMDS_IP);
        assert_non_null(strstr(text, want));
        assert_non_null(strstr(text, "# TYPE nodeward_pod_connection_attempts_total counter"));
        if (access("/usr/bin/promtool", X_OK) != 0)
                fail_msg("promtool is missing: `make test` installs it (prometheus in TEST_DEB_PACKAGES)");
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "promtool check metrics < '%s' >/dev/null 2>&1", prom);
        assert_int_equal(system(cmd), 0);
        free(text);
        unlink(prom);
        rmdir(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_both_cgroup_drivers_attributed_with_exact_counts, kill_leftover),
                cmocka_unit_test_teardown(test_pod_attempts_metric_counts_each_pod, kill_leftover),
                cmocka_unit_test_teardown(test_ipv6_and_v4_mapped_attempts_are_counted, kill_leftover),
                cmocka_unit_test_teardown(test_host_network_pod_counts_for_ssh_not_imds, kill_leftover),
                cmocka_unit_test_teardown(test_nodewards_own_pod_is_not_reported, kill_leftover),
                cmocka_unit_test_teardown(test_sshd_configured_port_is_watched, kill_leftover),
                cmocka_unit_test_teardown(test_tracepoint_fallback_counts_the_same, kill_leftover),
                cmocka_unit_test_teardown(test_without_cap_bpf_checks_error_and_others_run, kill_leftover),
                cmocka_unit_test_teardown(test_without_observe_checks_skip_and_nothing_loads, kill_leftover),
                cmocka_unit_test_teardown(test_watch_prints_findings_and_detaches_on_sigterm, kill_leftover),
                cmocka_unit_test_teardown(test_full_map_evicts_and_counts_what_it_evicted, kill_leftover),
        };
        return cmocka_run_group_tests_name("connwatch_e2e", tests, setup, teardown);
}
