/* connwatch_scene: the e2e scene for the eBPF tests: a node and a pod netns behind veth, kubelet-named cgroups, actors. */
#pragma once
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
/* Names and ids carry the test's pid: concurrent runs on one machine (the kernel probe sees
 * them all) neither delete each other's namespaces nor share a pod. */
static char ns_node[32], ns_pod[32];
static char uid_sd[40], uid_sd_[40], cid_sd[72], uid_fs[40], cid_fs[72];

static void scene_names(void)
{
        unsigned pid = (unsigned)getpid();
        snprintf(ns_node, sizeof(ns_node), "nw-bpf-node-%u", pid);
        snprintf(ns_pod, sizeof(ns_pod), "nw-bpf-pod-%u", pid);
        snprintf(uid_sd, sizeof(uid_sd), "6a1d2c3b-4e5f-4a6b-8c7d-%012x", pid);
        snprintf(uid_sd_, sizeof(uid_sd_), "6a1d2c3b_4e5f_4a6b_8c7d_%012x", pid);
        snprintf(cid_sd, sizeof(cid_sd), "aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff%08x", pid);
        snprintf(uid_fs, sizeof(uid_fs), "7b2e3d4c-5f60-4b7c-9d8e-%012x", pid);
        snprintf(cid_fs, sizeof(cid_fs), "bb22cc33dd44ee55ff660011223344556677889900aabbccddeeff00%08x", pid);
}

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
        char del[128];
        snprintf(del, sizeof(del), "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", ns_pod, ns_node);
        sh(del);
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
        scene_names();
        const char *mnt = cgroup2_mount();
        if (geteuid() != 0 || !mnt)
                return 0;
        snprintf(cg_base, sizeof(cg_base), "%s/nw-bpf-e2e-%d", mnt, (int)getpid());
        snprintf(cg_sd, sizeof(cg_sd),
                 "%s/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%s.slice/"
                 "cri-containerd-%s.scope",
                 cg_base, uid_sd_, cid_sd);
        snprintf(cg_fs, sizeof(cg_fs), "%s/kubepods/burstable/pod%s/%s", cg_base, uid_fs, cid_fs);
        snprintf(cg_host, sizeof(cg_host), "%s/nw-bpf-host.scope", cg_base);
        cleanup_scene();
        tu_mkdirs(cg_sd);
        tu_mkdirs(cg_fs);
        tu_mkdirs(cg_host);
        char cmd[2048];
        snprintf(cmd, sizeof(cmd),
                 "set -e; ip netns add %1$s; ip netns add %2$s;"
                 "ip link add nw-bpf-n0 netns %1$s type veth peer name nw-bpf-p0 netns %2$s;"
                 "ip -n %1$s link set lo up; ip -n %1$s link set nw-bpf-n0 up;"
                 "ip -n %1$s addr add " NODE_IP "/24 dev nw-bpf-n0;"
                 "ip -n %1$s addr add " IMDS_IP "/32 dev lo;"
                 "ip -n %2$s link set lo up; ip -n %2$s link set nw-bpf-p0 up;"
                 "ip -n %2$s addr add 10.213.7.2/24 dev nw-bpf-p0;"
                 "ip -n %2$s route add default via " NODE_IP ";"
                 "ip -n %1$s addr add fd00:213::1/64 dev nw-bpf-n0 nodad;"
                 "ip -n %1$s addr add fd00:ec2::254/128 dev lo;"
                 "ip -n %2$s addr add fd00:213::2/64 dev nw-bpf-p0 nodad;"
                 "ip -6 -n %2$s route add default via fd00:213::1",
                 ns_node, ns_pod);
        int rc = sh(cmd);
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
                enter(cg_host, ns_node);
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

/* Start nodeward and return once it says its probe is observing; fail otherwise. */
static void nodeward_start_observing(struct nw_run *nr, char *const *argv, void (*child_prep)(void))
{
        nodeward_start(nr, argv, child_prep);
        char *e = stderr_until(nr, "observing");
        if (!strstr(e, "observing"))
                fail_msg("nodeward did not start observing: %s", e);
        free(e);
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
