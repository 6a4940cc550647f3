/* test_kubelet_attempts (e2e, root): a pod in a real netns and a kubelet-named cgroup knocks on the kubelet ports; eBPF counts exactly. */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define NODE_IP "10.81.0.1"
#define UID_ "5c0d1e2f_3a4b_4c5d_8e6f_7a8b9c0d1e2f"
#define UID "5c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
#define CID "cc11dd22ee33ff4400112233445566778899aabbccddeeff0011223344556677"

static char node_ns[64], pod_ns[64], dir[64], root[128], bind_dir[256], base[256], pod_cg[1024], host_cg[512];
static bool ready, bound;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
        char cmd[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        int rc = system(cmd);
        return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static const char *cgroup2_mount(void)
{
        static const char *const c[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};
        for (size_t i = 0; i < 2; i++) {
                struct statfs st;
                if (statfs(c[i], &st) == 0 && st.f_type == 0x63677270)
                        return c[i];
        }
        return NULL;
}

static int teardown(void **state)
{
        (void)state;
        if (bound)
                umount2(bind_dir, MNT_DETACH);
        if (*base)
                sh("find '%s' -depth -type d -exec rmdir {} + 2>/dev/null", base);
        sh("ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", node_ns, pod_ns);
        if (*dir)
                tu_rm_rf(dir);
        return 0;
}

/* A node namespace and a pod behind a veth; kubelet-named cgroups (systemd driver);
 * a node root whose kubelet resolves to port 10260 and read-only port 10265, with
 * the cgroup v2 hierarchy bound in for attribution. */
static int setup(void **state)
{
        (void)state;
        const char *mnt = cgroup2_mount();
        if (geteuid() != 0 || !mnt || sh("command -v ip >/dev/null") != 0) {
                printf("# kubelet attempts e2e needs root, ip and a cgroup v2 mount; not run\n");
                return -1;
        }
        snprintf(node_ns, sizeof(node_ns), "nw-klive-anode-%d", getpid());
        snprintf(pod_ns, sizeof(pod_ns), "nw-klive-apod-%d", getpid());
        snprintf(base, sizeof(base), "%s/nw-klive-e2e-%d", mnt, (int)getpid());
        snprintf(pod_cg, sizeof(pod_cg),
                 "%s/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%s.slice/"
                 "cri-containerd-%s.scope",
                 base, UID_, CID);
        snprintf(host_cg, sizeof(host_cg), "%s/nw-klive-host.scope", base);
        snprintf(dir, sizeof(dir), "/tmp/nw-klive-XXXXXX");
        if (!mkdtemp(dir)) {
                *dir = '\0';
                return -1;
        }
        if (sh("set -e; ip netns add %1$s; ip netns add %2$s;"
               "ip -n %1$s link add pod0 type veth peer name eth0 netns %2$s;"
               "ip -n %1$s addr add " NODE_IP "/24 dev pod0; ip -n %2$s addr add 10.81.0.2/24 dev eth0;"
               "ip -n %1$s link set lo up; ip -n %1$s link set pod0 up;"
               "ip -n %2$s link set lo up; ip -n %2$s link set eth0 up;"
               "ip -n %2$s route add default via " NODE_IP,
               node_ns, pod_ns) != 0) {
                teardown(NULL);
                return -1;
        }
        tu_mkdirs(pod_cg);
        tu_mkdirs(host_cg);
        snprintf(root, sizeof(root), "%s/root", dir);
        tu_write(root, "etc/kubernetes/kubelet/kubelet-config.json",
                 "{\"kind\":\"KubeletConfiguration\",\"apiVersion\":\"kubelet.config.k8s.io/v1beta1\","
                 "\"port\":10260,\"readOnlyPort\":10265}\n");
        snprintf(bind_dir, sizeof(bind_dir), "%s/sys/fs/cgroup/unified", root);
        tu_mkdirs(bind_dir);
        if (mount(mnt, bind_dir, "none", MS_BIND, NULL) < 0) {
                teardown(NULL);
                return -1;
        }
        bound = ready = true;
        return 0;
}

/* A process that joins @cgroup and namespace @ns, then makes n[j] connect attempts to
 * @ip:ports[j]; refused or not, each is an attempt. */
static void knock(const char *cgroup, const char *ns, const char *ip, const int *ports, const int *n, size_t k)
{
        pid_t p = fork();
        assert_true(p >= 0);
        if (p == 0) {
                char path[1200], pid[32];
                snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
                snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
                int fd = open(path, O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
                        _exit(90);
                close(fd);
                snprintf(path, sizeof(path), "/run/netns/%s", ns);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
                        _exit(91);
                close(fd);
                for (size_t j = 0; j < k; j++)
                        for (int i = 0; i < n[j]; i++) {
                                int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                                struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)ports[j])};
                                inet_pton(AF_INET, ip, &a.sin_addr);
                                struct timeval tv = {.tv_sec = 2};
                                setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
                                (void)!connect(s, (struct sockaddr *)&a, sizeof(a));
                                close(s);
                        }
                _exit(0);
        }
        int st;
        assert_int_equal(waitpid(p, &st, 0), p);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

struct nw {
        pid_t pid;
        int out_fd, err_fd;
        char out_path[64];
};

static void nw_start(struct nw *r, char *const *argv)
{
        snprintf(r->out_path, sizeof(r->out_path), "/tmp/nw-klive-out.XXXXXX");
        r->out_fd = mkstemp(r->out_path);
        int pe[2];
        assert_true(r->out_fd >= 0 && pipe(pe) == 0);
        r->pid = fork();
        assert_true(r->pid >= 0);
        if (r->pid == 0) {
                dup2(r->out_fd, 1);
                dup2(pe[1], 2);
                execv(argv[0], argv);
                _exit(127);
        }
        close(pe[1]);
        r->err_fd = pe[0];
}

/* stderr until @needle (or its end); true if seen. */
static bool nw_stderr_until(struct nw *r, const char *needle)
{
        char buf[8192] = "";
        size_t len = 0;
        while (len < sizeof(buf) - 1 && !strstr(buf, needle)) {
                ssize_t n = read(r->err_fd, buf + len, sizeof(buf) - 1 - len);
                if (n <= 0)
                        break;
                len += (size_t)n;
        }
        if (!strstr(buf, needle))
                printf("# nodeward stderr: %s\n", buf);
        return strstr(buf, needle) != NULL;
}

/* Wait for the exit, return stdout. */
static char *nw_finish(struct nw *r)
{
        char rest[4096];
        while (read(r->err_fd, rest, sizeof(rest)) > 0)
                ;
        close(r->err_fd);
        waitpid(r->pid, NULL, 0);
        lseek(r->out_fd, 0, SEEK_SET);
        char *out = tu_read_fd(r->out_fd);
        close(r->out_fd);
        unlink(r->out_path);
        return out;
}

static void test_pod_attempts_at_kubelet_ports_counted_exactly(void **state)
{
        (void)state;
        if (!ready)
                skip();
        char *argv[] = {(char *)tu_nodeward(),
                        (char *)"check",
                        (char *)"--root",
                        root,
                        (char *)"--proc",
                        (char *)"/proc",
                        (char *)"--observe",
                        (char *)"3",
                        (char *)"--only",
                        (char *)"kubelet.pod-attempts",
                        (char *)"--format",
                        (char *)"json",
                        NULL};
        struct nw r;
        nw_start(&r, argv);
        bool observing = nw_stderr_until(&r, "observing");
        if (observing) {
                const int pod_ports[] = {10260, 10265, 10255, 22}, pod_n[] = {2, 3, 1, 1};
                const int host_ports[] = {10250}, host_n[] = {4};
                knock(pod_cg, pod_ns, NODE_IP, pod_ports, pod_n, 4);
                knock(host_cg, node_ns, "127.0.0.1", host_ports, host_n, 1);
        }
        char *out = nw_finish(&r);
        assert_true(observing);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("no JSON: %s", out);
        free(out);
        const char *ev = cJSON_GetObjectItem(tu_result(j, "kubelet.pod-attempts"), "evidence")->valuestring;
        printf("# kubelet.pod-attempts: %s\n", ev);
        tu_assert_result(j, "kubelet.pod-attempts", "fail", "3 pod attempt(s)");
        static const char *const want[] = {
                "to reach the kubelet (port 10260, 10250, 10265 read-only, 10255 read-only)",
                "pod " UID " container " CID " -> " NODE_IP ":10260 x2, ",
                "pod " UID " container " CID " -> " NODE_IP ":10265 x3, ",
                "pod " UID " container " CID " -> " NODE_IP ":10255 x1, ",
        };
        for (size_t i = 0; i < N_OF(want); i++)
                if (!strstr(ev, want[i]))
                        fail_msg("evidence lacks \"%s\"", want[i]);
        /* Port 22 is not the kubelet's; the node's own process is counted apart. */
        assert_null(strstr(ev, ":22 "));
        unsigned long long host = 0;
        const char *h = strstr(ev, "; observed 3 s");
        assert_non_null(h);
        assert_int_equal(sscanf(strchr(h + 2, ';'), "; %llu attempts by host", &host), 1);
        assert_true(host >= 4);
        cJSON_Delete(j);
}

/* watch names the finding after the kubelet check, not SSH's. */
static void test_watch_finding_names_the_kubelet_check(void **state)
{
        (void)state;
        if (!ready)
                skip();
        char *argv[] = {(char *)tu_nodeward(),
                        (char *)"watch",
                        (char *)"--root",
                        root,
                        (char *)"--proc",
                        (char *)"/proc",
                        (char *)"--interval",
                        (char *)"1",
                        (char *)"--only",
                        (char *)"kubelet.pod-attempts",
                        NULL};
        struct nw r;
        nw_start(&r, argv);
        /* The first summary follows the attach. */
        bool attached = false;
        for (int i = 0; i < 3000 && !attached; i++) {
                int fd = open(r.out_path, O_RDONLY | O_CLOEXEC);
                char *s = tu_read_fd(fd);
                close(fd);
                attached = strstr(s, "\"event\":\"summary\"") != NULL;
                free(s);
                if (!attached)
                        usleep(20000);
        }
        if (attached) {
                const int ports[] = {10265}, n[] = {2};
                knock(pod_cg, pod_ns, NODE_IP, ports, n, 1);
                usleep(500000);
        }
        kill(r.pid, SIGTERM);
        char *out = nw_finish(&r);
        assert_true(attached);
        /* Other pods on the machine may be seen too (the probe watches the whole
         * node): this pod's finding is one of the lines. */
        bool found = false;
        for (char *save = NULL, *l = strtok_r(out, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save))
                found = strstr(l, "\"event\":\"finding\"") && strstr(l, "\"check\":\"kubelet.pod-attempts\"") &&
                        strstr(l, "\"dport\":10265");
        if (!found)
                fail_msg("no kubelet.pod-attempts finding for port 10265 in: %s", out);
        free(out);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pod_attempts_at_kubelet_ports_counted_exactly),
                cmocka_unit_test(test_watch_finding_names_the_kubelet_check),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
