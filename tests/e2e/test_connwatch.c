/* test_connwatch (e2e, root): pods in real netns and kubelet-named cgroups attempt SSH and IMDS; nodeward counts exactly. */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/vfs.h>

#define NODE_IP "10.213.7.1"
#define IMDS_IP "169.254.169.254"
#define UID_SD "6a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
#define UID_SD_ "6a1d2c3b_4e5f_4a6b_8c7d_9e0f1a2b3c4d"
#define CID_SD "aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff00112233"
#define UID_FS "7b2e3d4c-5f60-4b7c-9d8e-0f1a2b3c4d5e"
#define CID_FS "bb22cc33dd44ee55ff660011223344556677889900aabbccddeeff0011223344"

static char cg_base[256], cg_sd[1024], cg_fs[1024], cg_host[1024];
static bool have_scene;

static int sh(const char *cmd)
{
        int rc = system(cmd);
        return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static const char *cgroup2_mount(void)
{
        static const char *const c[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};
        for (size_t i = 0; i < 2; i++) {
                struct statfs s;
                if (statfs(c[i], &s) == 0 && s.f_type == 0x63677270)
                        return c[i];
        }
        return NULL;
}

static void cleanup_scene(void)
{
        sh("ip netns del nw-bpf-pod 2>/dev/null; ip netns del nw-bpf-node 2>/dev/null");
        if (cg_base[0]) {
                char cmd[2048];
                /* rmdir deepest first; the cgroups are empty once the actors exited. */
                snprintf(cmd, sizeof(cmd), "find '%s' -depth -type d -exec rmdir {} + 2>/dev/null", cg_base);
                sh(cmd);
        }
}

static int setup(void **state)
{
        (void)state;
        const char *mnt = cgroup2_mount();
        if (geteuid() != 0 || !mnt)
                return 0;
        snprintf(cg_base, sizeof(cg_base), "%s/nw-bpf-e2e-%d", mnt, (int)getpid());
        snprintf(cg_sd, sizeof(cg_sd), "%s/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%s.slice/"
                 "cri-containerd-%s.scope", cg_base, UID_SD_, CID_SD);
        snprintf(cg_fs, sizeof(cg_fs), "%s/kubepods/burstable/pod%s/%s", cg_base, UID_FS, CID_FS);
        snprintf(cg_host, sizeof(cg_host), "%s/nw-bpf-host.scope", cg_base);
        cleanup_scene();
        tu_mkdirs(cg_sd);
        tu_mkdirs(cg_fs);
        tu_mkdirs(cg_host);
        int rc = sh("set -e; ip netns add nw-bpf-node; ip netns add nw-bpf-pod;"
                    "ip link add nw-bpf-n0 netns nw-bpf-node type veth peer name nw-bpf-p0 netns nw-bpf-pod;"
                    "ip -n nw-bpf-node link set lo up; ip -n nw-bpf-node link set nw-bpf-n0 up;"
                    "ip -n nw-bpf-node addr add " NODE_IP "/24 dev nw-bpf-n0;"
                    "ip -n nw-bpf-node addr add " IMDS_IP "/32 dev lo;"
                    "ip -n nw-bpf-pod link set lo up; ip -n nw-bpf-pod link set nw-bpf-p0 up;"
                    "ip -n nw-bpf-pod addr add 10.213.7.2/24 dev nw-bpf-p0;"
                    "ip -n nw-bpf-pod route add default via " NODE_IP ";"
                    "ip -n nw-bpf-node addr add fd00:213::1/64 dev nw-bpf-n0 nodad;"
                    "ip -n nw-bpf-node addr add fd00:ec2::254/128 dev lo;"
                    "ip -n nw-bpf-pod addr add fd00:213::2/64 dev nw-bpf-p0 nodad;"
                    "ip -6 -n nw-bpf-pod route add default via fd00:213::1");
        if (rc != 0) {
                cleanup_scene();
                return -1;
        }
        have_scene = true;
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        cleanup_scene();
        return 0;
}

static void enter(const char *cgroup, const char *netns)
{
        char path[1100], pid[32];
        snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
        snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
                _exit(90);
        close(fd);
        snprintf(path, sizeof(path), "/run/netns/%s", netns);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
                _exit(91);
        close(fd);
}

/* One TCP connect attempt; refused or accepted, never sent anywhere but our namespaces. */
static void attempt(const char *ip, int port)
{
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        inet_pton(AF_INET, ip, &a.sin_addr);
        struct timeval tv = {.tv_sec = 2};
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        connect(s, (struct sockaddr *)&a, sizeof(a));
        close(s);
}

/* One IPv6 attempt; @ip may be v4-mapped (::ffff:a.b.c.d). */
static void attempt6(const char *ip, int port)
{
        int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
        inet_pton(AF_INET6, ip, &a.sin6_addr);
        struct timeval tv = {.tv_sec = 2};
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        connect(s, (struct sockaddr *)&a, sizeof(a));
        close(s);
}

/* A process in @cgroup and @netns makes @n22 attempts to the node's port 22 and @nimds to IMDS:80. */
static pid_t actor(const char *cgroup, const char *netns, int n22, int nimds, bool wait_done)
{
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                enter(cgroup, netns);
                for (int i = 0; i < n22; i++)
                        attempt(NODE_IP, 22);
                for (int i = 0; i < nimds; i++)
                        attempt(IMDS_IP, 80);
                _exit(0);
        }
        if (wait_done) {
                int st;
                assert_int_equal(waitpid(pid, &st, 0), pid);
                assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
        return pid;
}

/* A listener on the node's port 22 (the handshake completes in the backlog). */
static pid_t listener(void)
{
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                enter(cg_host, "nw-bpf-node");
                int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                int one = 1;
                setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
                struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(22)};
                inet_pton(AF_INET, NODE_IP, &a.sin_addr);
                if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 64) < 0)
                        _exit(92);
                (void)!write(p[1], "L", 1);
                for (;;) {
                        int c = accept(s, NULL, NULL);
                        if (c >= 0)
                                close(c);
                }
        }
        close(p[1]);
        char c = 0;
        assert_int_equal(read(p[0], &c, 1), 1);
        close(p[0]);
        return pid;
}

/* A nodeward still running when a test failed: killed by kill_leftover(). */
static pid_t running;

static int kill_leftover(void **state)
{
        (void)state;
        if (running > 0) {
                kill(running, SIGKILL);
                waitpid(running, NULL, 0);
        }
        running = 0;
        return 0;
}

struct nw_run {
        pid_t pid;
        char out_path[64];
        int err_fd;
};

/* Start nodeward and return once its probe is attached (it says "observing" on stderr). */
static void nodeward_start(struct nw_run *nr, char *const *argv, void (*child_prep)(void))
{
        snprintf(nr->out_path, sizeof(nr->out_path), "/tmp/nw-bpf-out.XXXXXX");
        int fo = mkstemp(nr->out_path), pe[2];
        assert_true(fo >= 0);
        assert_int_equal(pipe(pe), 0);
        nr->pid = fork();
        assert_true(nr->pid >= 0);
        if (nr->pid == 0) {
                dup2(fo, 1);
                dup2(pe[1], 2);
                if (child_prep)
                        child_prep();
                execv(argv[0], argv);
                _exit(127);
        }
        close(fo);
        close(pe[1]);
        nr->err_fd = pe[0];
        running = nr->pid;
}

/* Read stderr until @needle appears or it closes. Returns what was read. */
static char *stderr_until(struct nw_run *nr, const char *needle)
{
        size_t len = 0;
        char *buf = calloc(1, 65536);
        while (len < 65535 && !(needle && strstr(buf, needle))) {
                ssize_t n = read(nr->err_fd, buf + len, 65535 - len);
                if (n <= 0)
                        break;
                len += (size_t)n;
        }
        return buf;
}

static cJSON *nodeward_finish(struct nw_run *nr, int *ret_rc, char **ret_err)
{
        char *rest = stderr_until(nr, NULL);
        int st;
        assert_int_equal(waitpid(nr->pid, &st, 0), nr->pid);
        running = 0;
        close(nr->err_fd);
        int fd = open(nr->out_path, O_RDONLY | O_CLOEXEC);
        char *out = tu_read_fd(fd);
        close(fd);
        unlink(nr->out_path);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fprintf(stderr, "no JSON; stdout: %s\nstderr: %s\n", out, rest);
        assert_non_null(j);
        free(out);
        *ret_rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (ret_err)
                *ret_err = rest;
        else
                free(rest);
        return j;
}

static const char *evidence(const cJSON *report, const char *id)
{
        const cJSON *r = tu_result(report, id);
        assert_non_null(r);
        return cJSON_GetObjectItem(r, "evidence")->valuestring;
}

#define SKIP_WITHOUT_SCENE()                                                                             \
        do {                                                                                             \
                if (!have_scene) {                                                                       \
                        printf("skipped: needs root and a cgroup v2 mount to build pods\n");             \
                        skip();                                                                          \
                }                                                                                        \
        } while (0)

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
        SKIP_WITHOUT_SCENE();
        char *argv[] = {(char *)tu_nodeward(), "check", "--observe", "3", "--only",
                        "ssh.pod-attempts,imds.pod-attempts", "--format", "json", NULL};
        struct nw_run nr;
        nodeward_start(&nr, argv, NULL);
        char *e = stderr_until(&nr, "observing");
        if (!strstr(e, "observing"))
                fail_msg("nodeward did not start observing: %s", e);
        free(e);
        /* Nothing listens yet: these are refused, yet each is an attempt. */
        actor(cg_sd, "nw-bpf-pod", 3, 2, true);
        actor(cg_fs, "nw-bpf-pod", 1, 0, true);
        pid_t l = listener();
        actor(cg_sd, "nw-bpf-pod", 2, 0, true);
        actor(cg_fs, "nw-bpf-pod", 3, 1, true);
        pid_t host = actor(cg_host, "nw-bpf-node", 6, 1, true);
        kill(l, SIGKILL);
        waitpid(l, NULL, 0);
        int rc;
        cJSON *j = nodeward_finish(&nr, &rc, NULL);
        assert_int_equal(rc, 1);
        tu_assert_result(j, "ssh.pod-attempts", "fail", "pod attempt(s)");
        tu_assert_result(j, "imds.pod-attempts", "fail", "pod attempt(s)");
        const char *ssh = evidence(j, "ssh.pod-attempts"), *imds = evidence(j, "imds.pod-attempts");
        print_message("ssh.pod-attempts: %s\nimds.pod-attempts: %s\n", ssh, imds);
        expect(ssh, "pod %s container %s -> %s:22 x5, ", UID_SD, CID_SD, NODE_IP);
        expect(ssh, "pod %s container %s -> %s:22 x4, ", UID_FS, CID_FS, NODE_IP);
        expect(imds, "pod %s container %s -> %s:80 x2, ", UID_SD, CID_SD, IMDS_IP);
        expect(imds, "pod %s container %s -> %s:80 x1, ", UID_FS, CID_FS, IMDS_IP);
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

static void force_tracepoint(void)
{
        setenv("NODEWARD_FORCE_TRACEPOINT", "1", 1);
}

static void test_tracepoint_fallback_counts_the_same(void **state)
{
        (void)state;
        SKIP_WITHOUT_SCENE();
        char *argv[] = {(char *)tu_nodeward(), "check", "--observe", "2", "--only", "ssh.pod-attempts",
                        "--format", "json", NULL};
        struct nw_run nr;
        nodeward_start(&nr, argv, force_tracepoint);
        char *e = stderr_until(&nr, "observing");
        if (!strstr(e, "observing"))
                fail_msg("nodeward did not start observing: %s", e);
        free(e);
        actor(cg_fs, "nw-bpf-pod", 7, 0, true);
        int rc;
        cJSON *j = nodeward_finish(&nr, &rc, NULL);
        assert_int_equal(rc, 1);
        const char *ssh = evidence(j, "ssh.pod-attempts");
        expect(ssh, "pod %s container %s -> %s:22 x7, ", UID_FS, CID_FS, NODE_IP);
        expect(ssh, "observed 2 s (tracepoint)");
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
        if (geteuid() != 0) {
                printf("skipped: needs root to drop capabilities from\n");
                skip();
        }
        /* An empty process table: the kubelet check has a fixed answer (not found). */
        char *proc = tu_mkdtemp();
        char *argv[] = {(char *)tu_nodeward(), "check", "--observe", "1", "--proc", proc, "--only",
                        "ssh.pod-attempts,imds.pod-attempts,kubelet.read-only-port", "--format", "json", NULL};
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
        char *argv[] = {(char *)tu_nodeward(), "check", "--only", "ssh.pod-attempts,imds.pod-attempts",
                        "--format", "json", "--verbose", NULL};
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
        char *argv2[] = {(char *)tu_nodeward(), "check", "--observe", "5", "--only", "kubelet.read-only-port",
                         "--format", "json", "--verbose", NULL};
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
        SKIP_WITHOUT_SCENE();
        char *argv[] = {(char *)tu_nodeward(), "check", "--observe", "2", "--only",
                        "ssh.pod-attempts,imds.pod-attempts", "--format", "json", NULL};
        struct nw_run nr;
        nodeward_start(&nr, argv, NULL);
        char *e = stderr_until(&nr, "observing");
        if (!strstr(e, "observing"))
                fail_msg("nodeward did not start observing: %s", e);
        free(e);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                enter(cg_fs, "nw-bpf-pod");
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
        expect(imds, "pod %s container %s -> [fd00:ec2::254]:80 x2, ", UID_FS, CID_FS);
        expect(ssh, "pod %s container %s -> %s:22 x3, ", UID_FS, CID_FS, NODE_IP);
        expect(ssh, "pod %s container %s -> [fd00:213::1]:22 x1, ", UID_FS, CID_FS);
        cJSON_Delete(j);
}

/* A pod on the host network: its SSH attempts count, its metadata attempts are the node's. */
static void test_host_network_pod_counts_for_ssh_not_imds(void **state)
{
        (void)state;
        SKIP_WITHOUT_SCENE();
        /* The scene's node namespace plays the host's: a process table whose pid 1 lives there. */
        struct stat st;
        assert_int_equal(stat("/run/netns/nw-bpf-node", &st), 0);
        char *proc = tu_mkdtemp(), target[64];
        snprintf(target, sizeof(target), "net:[%lu]", (unsigned long)st.st_ino);
        tu_symlink(proc, "1/ns/net", target);
        char *argv[] = {(char *)tu_nodeward(), "check", "--observe", "2", "--proc", proc, "--only",
                        "ssh.pod-attempts,imds.pod-attempts", "--format", "json", NULL};
        struct nw_run nr;
        nodeward_start(&nr, argv, NULL);
        char *e = stderr_until(&nr, "observing");
        if (!strstr(e, "observing"))
                fail_msg("nodeward did not start observing: %s", e);
        free(e);
        actor(cg_sd, "nw-bpf-node", 2, 3, true);
        int rc;
        cJSON *j = nodeward_finish(&nr, &rc, NULL);
        tu_rm_rf(proc);
        free(proc);
        const char *ssh = evidence(j, "ssh.pod-attempts"), *imds = evidence(j, "imds.pod-attempts");
        expect(ssh, "pod %s container %s [hostNetwork] -> %s:22 x2, ", UID_SD, CID_SD, NODE_IP);
        if (strstr(imds, UID_SD))
                fail_msg("a hostNetwork pod's metadata attempts were reported: %s", imds);
        cJSON_Delete(j);
}

/* Wait until the file at @path holds @needle; returns its content (or NULL on timeout). */
static char *file_until(const char *path, const char *needle, int timeout_s)
{
        for (int i = 0; i < timeout_s * 50; i++) {
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                char *s = tu_read_fd(fd);
                close(fd);
                if (strstr(s, needle))
                        return s;
                free(s);
                usleep(20000);
        }
        return NULL;
}

static bool probe_loaded(void)
{
        char *argv[] = {"/usr/sbin/bpftool", "-j", "prog", "show", NULL};
        char *out;
        tu_run(argv, &out, NULL);
        bool loaded = strstr(out, "connwatch_") != NULL;
        free(out);
        return loaded;
}

static void test_watch_prints_findings_and_detaches_on_sigterm(void **state)
{
        (void)state;
        SKIP_WITHOUT_SCENE();
        char *argv[] = {(char *)tu_nodeward(), "watch", "--interval", "1", "--only", "ssh.pod-attempts", NULL};
        struct nw_run nr;
        nodeward_start(&nr, argv, NULL);
        char *s = file_until(nr.out_path, "\"event\":\"attached\"", 20);
        assert_non_null(s);
        free(s);
        assert_true(probe_loaded());
        actor(cg_sd, "nw-bpf-pod", 3, 0, true);
        s = file_until(nr.out_path, "\"event\":\"finding\",\"time\"", 10);
        assert_non_null(s);
        assert_non_null(strstr(s, "\"uid\":\"" UID_SD "\""));
        assert_non_null(strstr(s, "\"container\":\"" CID_SD "\""));
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
        bool loaded = true;
        for (int i = 0; i < 40 && (loaded = probe_loaded()); i++)
                usleep(100000);
        assert_false(loaded);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_both_cgroup_drivers_attributed_with_exact_counts, kill_leftover),
                cmocka_unit_test_teardown(test_ipv6_and_v4_mapped_attempts_are_counted, kill_leftover),
                cmocka_unit_test_teardown(test_host_network_pod_counts_for_ssh_not_imds, kill_leftover),
                cmocka_unit_test_teardown(test_tracepoint_fallback_counts_the_same, kill_leftover),
                cmocka_unit_test_teardown(test_without_cap_bpf_checks_error_and_others_run, kill_leftover),
                cmocka_unit_test_teardown(test_without_observe_checks_skip_and_nothing_loads, kill_leftover),
                cmocka_unit_test_teardown(test_watch_prints_findings_and_detaches_on_sigterm, kill_leftover),
        };
        return cmocka_run_group_tests_name("connwatch_e2e", tests, setup, teardown);
}
