/* test_imds: a node, a pod behind it and a metadata service in namespaces; nodeward's verdicts per scene. */
#include "testutil.h"

#include <dirent.h>
#include <poll.h>
#include <stdbool.h>
#include <sched.h>
#include <sys/mount.h>

static char node_ns[64], meta_ns[64], pod_ns[64], scratch_root[256], pod_path[128], server_log[256];
static pid_t server_pid = -1, ssh_pid = -1;
static bool ready;

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

static const char *server_bin(void)
{
        static char path[4096];
        const char *p = getenv("IMDS_SERVER");
        if (p)
                return p;
        snprintf(path, sizeof(path), "%s", tu_nodeward());
        char *slash = strrchr(path, '/');
        snprintf(slash ? slash + 1 : path, sizeof(path) - (size_t)(slash ? slash + 1 - path : 0),
                 "tests/e2e/imds_server");
        return path;
}

/* Start the server inside namespace @ns; returns once it listens. */
static pid_t start_server(const char *ns, char *const extra[])
{
        char *argv[16];
        int n = 0;
        argv[n++] = (char *)server_bin();
        argv[n++] = (char *)"--log";
        argv[n++] = server_log;
        for (; *extra && n < 15; extra++)
                argv[n++] = *extra;
        argv[n] = NULL;
        return tu_start_in_netns(ns, argv);
}

static void stop(pid_t *pid)
{
        if (*pid > 0) {
                kill(*pid, SIGKILL);
                waitpid(*pid, NULL, 0);
        }
        *pid = -1;
}

static const char *const setup_cmds[] = {
        "ip netns add @N && ip netns add @M && ip netns add @P",
        "ip -n @N link add pod0 type veth peer name eth0 netns @P",
        "ip -n @N link add meta0 type veth peer name eth0 netns @M",
        "ip -n @N addr add 10.77.0.1/24 dev pod0 && ip -n @N addr add 10.78.0.1/24 dev meta0",
        "ip -n @P addr add 10.77.0.2/24 dev eth0 && ip -n @M addr add 10.78.0.2/24 dev eth0",
        "ip -n @M addr add 169.254.169.254/32 dev lo",
        "for n in @N @M @P; do ip -n $n link set lo up || exit 1; done",
        "ip -n @N link set pod0 up && ip -n @N link set meta0 up",
        "ip -n @P link set eth0 up && ip -n @M link set eth0 up",
        "ip -n @P route add default via 10.77.0.1 && ip -n @M route add default via 10.78.0.1",
        "ip -n @N route add 169.254.169.254/32 via 10.78.0.2",
        "ip netns exec @N sysctl -qw net.ipv4.ip_forward=1",
        "ip netns exec @N nft add table inet nwimds",
};

static int group_teardown(void **state)
{
        (void)state;
        stop(&server_pid);
        stop(&ssh_pid);
        if (*scratch_root) {
                char m[512];
                snprintf(m, sizeof(m), "%s/run/netns/%s", scratch_root, pod_ns);
                umount2(m, MNT_DETACH);
                tu_rm_rf(scratch_root);
        }
        sh("ip netns del %s; ip netns del %s; ip netns del %s", node_ns, meta_ns, pod_ns);
        unlink(server_log);
        return 0;
}

static int group_setup(void **state)
{
        (void)state;
        /* Missing tools are a broken set-up, never a quiet skip: `make test` installs them. */
        if (geteuid() != 0 || sh("command -v ip nft unshare >/dev/null") != 0) {
                printf("# imds e2e needs root, and ip (iproute2), nft (nftables) and unshare "
                       "(util-linux), which `make test` installs (TEST_DEB_PACKAGES)\n");
                return -1;
        }
        snprintf(node_ns, sizeof(node_ns), "nw-imds-node-%d", getpid());
        snprintf(meta_ns, sizeof(meta_ns), "nw-imds-meta-%d", getpid());
        snprintf(pod_ns, sizeof(pod_ns), "cni-nw-imds-%d", getpid());
        snprintf(pod_path, sizeof(pod_path), "/run/netns/%s", pod_ns);
        snprintf(server_log, sizeof(server_log), "/tmp/nw-imds-server-%d.log", getpid());
        for (size_t i = 0; i < sizeof(setup_cmds) / sizeof(setup_cmds[0]); i++) {
                char cmd[1024];
                size_t k = 0;
                for (const char *c = setup_cmds[i]; *c && k < sizeof(cmd) - 64; c++) {
                        const char *sub = c[0] == '@' && c[1] == 'N'   ? node_ns
                                          : c[0] == '@' && c[1] == 'M' ? meta_ns
                                          : c[0] == '@' && c[1] == 'P' ? pod_ns
                                                                       : NULL;
                        if (sub) {
                                k += (size_t)snprintf(cmd + k, sizeof(cmd) - k, "%s", sub);
                                c++;
                        } else {
                                cmd[k++] = *c;
                        }
                }
                cmd[k] = '\0';
                if (sh("%s", cmd) != 0) {
                        printf("# setup failed: %s\n", cmd);
                        group_teardown(NULL);
                        return -1;
                }
        }
        /* Discovery reads /run/netns/cni-* under --root: a root that holds only our
         * pod namespace, so namespaces of other tests on this machine stay out of it. */
        char *t = tu_mkdtemp();
        snprintf(scratch_root, sizeof(scratch_root), "%s", t);
        free(t);
        tu_write(scratch_root, "etc/os-release", "PRETTY_NAME=\"imds e2e\"\n");
        tu_write(scratch_root, "sys/class/dmi/id/sys_vendor", "Amazon EC2\n");
        char *rel = NULL;
        assert_true(asprintf(&rel, "run/netns/%s", pod_ns) > 0);
        tu_write(scratch_root, rel, "");
        free(rel);
        if (sh("mount --bind %s %s/run/netns/%s", pod_path, scratch_root, pod_ns) != 0) {
                group_teardown(NULL);
                return -1;
        }
        char *ssh_args[] = {(char *)"--addr", (char *)"0.0.0.0", (char *)"--port", (char *)"22", NULL};
        ssh_pid = start_server(node_ns, ssh_args);
        ready = true;
        return 0;
}

/* nodeward in the node namespace, in a pid namespace of its own so that /proc/1 is
 * in the node namespace too (as pid 1 is on a real node), over the scratch root (an
 * EC2 DMI vendor, our cni-* namespace). @pod_opt: --pod-netns, else discovery. */
static cJSON *run_check(const char *only, bool pod_opt, long *ret_ms, char **ret_out)
{
        char *argv[24];
        int n = 0;
        argv[n++] = (char *)"/usr/bin/env";
        argv[n++] = (char *)"ip";
        argv[n++] = (char *)"netns";
        argv[n++] = (char *)"exec";
        argv[n++] = node_ns;
        argv[n++] = (char *)"unshare";
        argv[n++] = (char *)"--pid";
        argv[n++] = (char *)"--fork";
        argv[n++] = (char *)"--mount-proc";
        argv[n++] = (char *)tu_nodeward();
        argv[n++] = (char *)"check";
        argv[n++] = (char *)"--probe"; /* the root is a fixture; the namespaces are real */
        argv[n++] = (char *)"--only";
        argv[n++] = (char *)only;
        argv[n++] = (char *)"--format";
        argv[n++] = (char *)"json";
        argv[n++] = (char *)"--root";
        argv[n++] = scratch_root;
        if (pod_opt) {
                argv[n++] = (char *)"--pod-netns";
                argv[n++] = pod_path;
                /* pid 1 is readable here and in the node namespace: the host side is ours. */
                argv[n++] = (char *)"--proc";
                argv[n++] = (char *)"/proc";
        }
        argv[n] = NULL;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        char *out, *err;
        int rc = tu_run_timeout(argv, &out, &err, 20);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_int_not_equal(rc, 99); /* valgrind found an error (make valgrind) */
        *ret_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("nodeward printed no JSON (exit %d): %s / %s", rc, out, err);
        free(err);
        if (ret_out)
                *ret_out = out;
        else
                free(out);
        return j;
}

struct scene {
        const char *name;
        const char *server_args[4];
        const char *nft;     /* rules added to table inet nwimds in the node namespace */
        const char *want[4]; /* v1-enabled, hop-limit, pod-reachable, pod-token */
};

static const char *const imds_ids[4] = {"imds.v1-enabled", "imds.hop-limit", "imds.pod-reachable", "imds.pod-token"};

/* The token must never appear in a report, and the credentials path is never asked. */
static void assert_no_secrets(const char *out)
{
        FILE *lf = fopen(server_log, "r");
        assert_non_null(lf);
        char line[256];
        while (fgets(line, sizeof(line), lf)) {
                line[strcspn(line, "\n")] = '\0';
                if (strstr(line, "security-credentials"))
                        fail_msg("nodeward asked for %s", line);
                if (strncmp(line, "issued ", 7) == 0 && strstr(out, line + 7))
                        fail_msg("a token is in the report");
        }
        fclose(lf);
}

static void run_scene(const struct scene *sc)
{
        assert_true(ready);
        /* A scene that failed half-way leaves nothing behind for this one. */
        stop(&server_pid);
        sh("ip netns exec %s nft flush table inet nwimds", node_ns);
        if (sc->server_args[0])
                server_pid = start_server(meta_ns, (char *const *)sc->server_args);
        if (sc->nft)
                assert_int_equal(sh("ip netns exec %s nft '%s'", node_ns, sc->nft), 0);
        for (int mode = 0; mode < 2; mode++) {
                long ms;
                char *out;
                cJSON *j = run_check("imds", mode == 0, &ms, &out);
                printf("# %s (%s): %ld ms\n", sc->name, mode == 0 ? "--pod-netns" : "discovery", ms);
                for (int i = 0; i < 4; i++) {
                        const cJSON *r = tu_result(j, imds_ids[i]);
                        if (!r)
                                fail_msg("no result for %s", imds_ids[i]);
                        const char *st = cJSON_GetObjectItem(r, "status")->valuestring;
                        if (strcmp(st, sc->want[i]) != 0)
                                fail_msg("%s: status %s, want %s; evidence: %s", imds_ids[i], st, sc->want[i],
                                         cJSON_GetObjectItem(r, "evidence")->valuestring);
                }
                if (strcmp(sc->want[2], "skip") != 0 && strcmp(sc->want[2], "error") != 0)
                        tu_assert_result(j, "imds.pod-reachable", sc->want[2],
                                         mode == 0 ? "(--pod-netns)" : "found under --root");
                assert_true(ms < 5000);
                assert_no_secrets(out);
                free(out);
                cJSON_Delete(j);
        }
        sh("ip netns exec %s nft flush table inet nwimds", node_ns);
        stop(&server_pid);
}

/* --format asff names the account, region and instance of the instance identity document,
 * read with the token; the credentials path is still never asked. */
static void test_asff_identity_from_the_identity_document(void **state)
{
        (void)state;
        assert_true(ready);
        stop(&server_pid);
        static const char *const args[] = {"--v2-required", "--hop", "1", NULL};
        server_pid = start_server(meta_ns, (char *const *)args);
        char *argv[] = {(char *)"/usr/bin/env",
                        (char *)"ip",
                        (char *)"netns",
                        (char *)"exec",
                        node_ns,
                        (char *)"unshare",
                        (char *)"--pid",
                        (char *)"--fork",
                        (char *)"--mount-proc",
                        (char *)tu_nodeward(),
                        (char *)"check",
                        (char *)"--only",
                        (char *)"kubelet.read-only-port",
                        (char *)"--format",
                        (char *)"asff",
                        (char *)"--probe",
                        (char *)"--root",
                        scratch_root,
                        NULL};
        char *out, *err;
        int rc = tu_run_timeout(argv, &out, &err, 20);
        stop(&server_pid);
        assert_int_not_equal(rc, 99);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("no ASFF (exit %d): %s / %s", rc, out, err);
        const cJSON *fd = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "Findings"), 0);
        assert_non_null(fd);
        /* The stand-in's document: tests/e2e/imds_server.c. */
        assert_string_equal(cJSON_GetObjectItem(fd, "Id")->valuestring,
                            "nodeward/eu-west-1/123456789012/i-0123456789abcdef0/kubelet.read-only-port");
        const cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItem(fd, "Resources"), 0);
        assert_string_equal(cJSON_GetObjectItem(res, "Type")->valuestring, "AwsEc2Instance");
        assert_string_equal(cJSON_GetObjectItem(res, "Id")->valuestring,
                            "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0");
        assert_null(strstr(err, "placeholders"));
        assert_no_secrets(out);
        cJSON_Delete(j);
        free(out);
        free(err);
}

static void test_v1_optional_hop1(void **state)
{
        (void)state;
        struct scene sc = {
                "IMDSv1 optional, hop limit 1", {"--hop", "1", NULL}, NULL, {"fail", "pass", "fail", "pass"}};
        run_scene(&sc);
}

static void test_v2_required_hop1(void **state)
{
        (void)state;
        struct scene sc = {"IMDSv2 required, hop limit 1",
                           {"--v2-required", "--hop", "1", NULL},
                           NULL,
                           {"pass", "pass", "warn", "pass"}};
        run_scene(&sc);
}

static void test_v2_required_hop2(void **state)
{
        (void)state;
        struct scene sc = {"IMDSv2 required, hop limit 2",
                           {"--v2-required", "--hop", "2", NULL},
                           NULL,
                           {"pass", "fail", "fail", "fail"}};
        run_scene(&sc);
}

static void test_pod_egress_to_metadata_dropped(void **state)
{
        (void)state;
        struct scene sc = {"pod egress to 169.254.169.254 dropped (IMDSv1, hop 2)",
                           {"--hop", "2", NULL},
                           "add chain inet nwimds podfwd { type filter hook forward priority 0; "
                           "ip daddr 169.254.169.254 drop; }",
                           {"fail", "fail", "pass", "pass"}};
        run_scene(&sc);
}

static void test_off_ec2_silence_skips(void **state)
{
        (void)state;
        struct scene sc = {"nothing answers (all metadata traffic dropped)",
                           {NULL},
                           "add chain inet nwimds nodeout { type filter hook output priority 0; "
                           "ip daddr 169.254.169.254 drop; }",
                           {"skip", "skip", "skip", "skip"}};
        run_scene(&sc);
}

/* A metadata endpoint that misbehaves never holds a run beyond its deadline,
 * and never yields a verdict it did not earn. */
static void test_metadata_accepts_and_never_answers(void **state)
{
        (void)state;
        struct scene sc = {"metadata accepts and never answers",
                           {"--fault", "silent", NULL},
                           NULL,
                           {"error", "error", "error", "error"}};
        run_scene(&sc);
}

static void test_metadata_answers_forever(void **state)
{
        (void)state;
        struct scene sc = {
                "metadata answers forever", {"--fault", "endless", NULL}, NULL, {"error", "error", "error", "error"}};
        run_scene(&sc);
}

static void test_metadata_sends_10mb_header(void **state)
{
        (void)state;
        struct scene sc = {"metadata sends a 10 MB header",
                           {"--fault", "huge-header", NULL},
                           NULL,
                           {"error", "error", "error", "error"}};
        run_scene(&sc);
}

static void test_pod_reaches_node_ssh_unless_dropped(void **state)
{
        (void)state;
        assert_true(ready);
        long ms;
        for (int mode = 0; mode < 2; mode++) {
                cJSON *j = run_check("ssh.pod-reachable", mode == 0, &ms, NULL);
                tu_assert_result(j, "ssh.pod-reachable", "fail", "10.77.0.1:22");
                cJSON_Delete(j);
        }
        assert_int_equal(sh("ip netns exec %s nft 'add chain inet nwimds podin { type filter hook input priority 0; "
                            "iifname \"pod0\" tcp dport 22 drop; }'",
                            node_ns),
                         0);
        for (int mode = 0; mode < 2; mode++) {
                cJSON *j = run_check("ssh.pod-reachable", mode == 0, &ms, NULL);
                tu_assert_result(j, "ssh.pod-reachable", "pass", "10.78.0.1:22 (no answer)");
                assert_true(ms < 5000);
                cJSON_Delete(j);
        }
        sh("ip netns exec %s nft flush table inet nwimds", node_ns);
}

/* nodeward as a pod without hostNetwork: its own namespace is the pod's, and the
 * host side runs in pid 1's. The --proc stand-in has the node's namespace file
 * bind-mounted at 1/ns/net (a link out of it would not be followed). */
static void test_running_in_a_pod_probes_host_through_pid1(void **state)
{
        (void)state;
        assert_true(ready);
        stop(&server_pid);
        char *args[] = {(char *)"--v2-required", (char *)"--hop", (char *)"2", NULL};
        server_pid = start_server(meta_ns, args);
        char *fake_proc = tu_mkdtemp(), node_path[128];
        snprintf(node_path, sizeof(node_path), "/run/netns/%s", node_ns);
        char ns_at[4096];
        snprintf(ns_at, sizeof(ns_at), "%s/1/ns/net", fake_proc);
        tu_write(fake_proc, "1/ns/net", "");
        assert_int_equal(mount(node_path, ns_at, "none", MS_BIND, NULL), 0);
        char *argv[] = {(char *)"/usr/bin/env",
                        (char *)"ip",
                        (char *)"netns",
                        (char *)"exec",
                        pod_ns,
                        (char *)tu_nodeward(),
                        (char *)"check",
                        (char *)"--probe",
                        (char *)"--only",
                        (char *)"imds",
                        (char *)"--format",
                        (char *)"json",
                        (char *)"--root",
                        scratch_root,
                        (char *)"--proc",
                        fake_proc,
                        NULL};
        char *out;
        tu_run_timeout(argv, &out, NULL, 20);
        stop(&server_pid);
        umount2(ns_at, MNT_DETACH);
        tu_rm_rf(fake_proc);
        free(fake_proc);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("no JSON: %s", out);
        free(out);
        tu_assert_result(j, "imds.v1-enabled", "pass", "host network namespace");
        tu_assert_result(j, "imds.hop-limit", "fail", "host network namespace");
        tu_assert_result(j, "imds.pod-token", "fail", "nodeward's own network namespace");
        cJSON_Delete(j);
}

/* A node with IPv6 also asks [fd00:ec2::254]; IMDSv1 open there fails the check. */
static void test_ipv6_endpoint_probed_when_node_has_ipv6(void **state)
{
        (void)state;
        assert_true(ready);
        stop(&server_pid);
        assert_int_equal(sh("ip -n %1$s -6 addr add fd78::1/64 dev meta0 nodad && "
                            "ip -n %2$s -6 addr add fd78::2/64 dev eth0 nodad && "
                            "ip -n %2$s -6 addr add fd00:ec2::254/128 dev lo nodad && "
                            "ip -n %1$s -6 route add fd00:ec2::254/128 via fd78::2",
                            node_ns, meta_ns),
                         0);
        char *v4_args[] = {(char *)"--v2-required", NULL};
        char *v6_args[] = {(char *)"--addr", (char *)"fd00:ec2::254", NULL};
        server_pid = start_server(meta_ns, v4_args);
        pid_t v6_pid = start_server(meta_ns, v6_args);
        long ms;
        cJSON *j = run_check("imds.v1-enabled", true, &ms, NULL);
        stop(&v6_pid);
        stop(&server_pid);
        sh("ip -n %1$s -6 addr flush dev meta0 scope global; ip -n %2$s -6 addr flush dev eth0 scope global; "
           "ip -n %2$s -6 addr del fd00:ec2::254/128 dev lo",
           node_ns, meta_ns);
        tu_assert_result(j, "imds.v1-enabled", "fail", "169.254.169.254: 401; [fd00:ec2::254]: 200");
        cJSON_Delete(j);
}

/* Each probe child enters its namespace, then gives up uid 0 and every
 * capability before it opens a socket or reads a byte: strace -f shows, per child
 * (a process that called setns), setresuid(65534) and an empty capset before its
 * first AF_INET/AF_INET6 socket. */
static void test_probe_children_drop_before_the_network(void **state)
{
        (void)state;
        assert_true(ready);
        stop(&server_pid);
        const char *sargs[] = {"--hop", "1", NULL};
        server_pid = start_server(meta_ns, (char *const *)sargs);
        char *dir = tu_mkdtemp(), log[4096];
        snprintf(log, sizeof(log), "%s/strace.log", dir);
        char *argv[] = {"/usr/bin/env",
                        "ip",
                        "netns",
                        "exec",
                        node_ns,
                        "unshare",
                        "--pid",
                        "--fork",
                        "--mount-proc",
                        "strace",
                        "-f",
                        "-qq",
                        "-o",
                        log,
                        "-e",
                        "trace=setns,capset,setresuid,socket,connect,read,recvfrom",
                        (char *)tu_nodeward(),
                        "check",
                        "--only",
                        "imds",
                        "--format",
                        "json",
                        "--root",
                        scratch_root,
                        "--pod-netns",
                        pod_path,
                        "--proc",
                        "/proc",
                        NULL};
        char *out, *err;
        int rc = tu_run_timeout(argv, &out, &err, 60);
        if (rc > 2)
                fail_msg("nodeward under strace exited %d: %s", rc, err);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        tu_assert_result(j, "imds.v1-enabled", "fail", NULL); /* the probes really ran */
        cJSON_Delete(j);
        int lfd = open(log, O_RDONLY | O_CLOEXEC);
        char *trace = tu_read_fd(lfd);
        close(lfd);
        /* strace splits a call interrupted by another process's into "<unfinished
         * ...>" and "<... resumed>" lines: the call's name and arguments are on the
         * first, which is enough here. The first pid is nodeward's own process. */
        enum {
                SEEN_UID = 1,
                SEEN_CAPS = 2,
                SEEN_NET = 4
        };
        int pids[256], flags[256], n = 0;
        for (char *line = strtok(trace, "\n"); line; line = strtok(NULL, "\n")) {
                int pid = atoi(line), k;
                for (k = 0; k < n && pids[k] != pid; k++)
                        ;
                if (k == n) {
                        if (n == 256)
                                continue;
                        pids[n] = pid;
                        flags[n++] = 0;
                }
                if (strstr(line, "setresuid(65534, 65534, 65534"))
                        flags[k] |= SEEN_UID;
                else if (strstr(line, "capset(") && strstr(line, "{effective=0, permitted=0, inheritable=0}"))
                        flags[k] |= SEEN_CAPS;
                else if (k > 0 &&
                         (strstr(line, "socket(AF_INET") || strstr(line, "connect(") || strstr(line, "recvfrom("))) {
                        if ((flags[k] & (SEEN_UID | SEEN_CAPS)) != (SEEN_UID | SEEN_CAPS))
                                fail_msg("probe child %d reached the network still privileged: %s", pid, line);
                        flags[k] |= SEEN_NET;
                }
        }
        int probed = 0;
        for (int k = 1; k < n; k++)
                probed += (flags[k] & SEEN_NET) != 0;
        if (probed < 2)
                fail_msg("only %d probe children seen", probed);
        free(trace);
        free(out);
        free(err);
        tu_rm_rf(dir);
        free(dir);
        stop(&server_pid);
}

/* A watch's line of @kind ("summary"), or NULL at end of file or after @until (mono ms). */
static cJSON *next_line(FILE *f, int fd, const char *kind, long long until)
{
        static char buf[1 << 16];
        for (;;) {
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                long long left = until - (now.tv_sec * 1000LL + now.tv_nsec / 1000000);
                struct pollfd pf = {.fd = fd, .events = POLLIN};
                if (left <= 0 || poll(&pf, 1, (int)left) != 1 || !fgets(buf, sizeof(buf), f))
                        return NULL;
                cJSON *j = cJSON_Parse(buf);
                const cJSON *e = cJSON_GetObjectItem(j, "event");
                if (cJSON_IsString(e) && strcmp(e->valuestring, kind) == 0)
                        return j;
                cJSON_Delete(j);
        }
}

static const char *watch_status(const cJSON *summary, const char *id, const char **ret_evidence)
{
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(summary, "results"))
        {
                if (strcmp(cJSON_GetObjectItem(r, "id")->valuestring, id) == 0) {
                        *ret_evidence = cJSON_GetObjectItem(r, "evidence")->valuestring;
                        return cJSON_GetObjectItem(r, "status")->valuestring;
                }
        }
        *ret_evidence = "";
        return "(none)";
}

/* The pids of the processes whose command line names @needle (unshare aside). */
static size_t pids_naming(const char *needle, pid_t *ret, size_t max)
{
        size_t n = 0;
        DIR *d = opendir("/proc");
        assert_non_null(d);
        struct dirent *e;
        while ((e = readdir(d)) && n < max) {
                pid_t pid = (pid_t)atoi(e->d_name);
                if (pid <= 0)
                        continue;
                char path[64], cmd[4096];
                snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
                FILE *f = fopen(path, "r");
                if (!f)
                        continue;
                size_t len = fread(cmd, 1, sizeof(cmd) - 1, f);
                fclose(f);
                for (size_t k = 0; k + 1 < len; k++)
                        if (!cmd[k])
                                cmd[k] = ' ';
                cmd[len] = '\0';
                if (strstr(cmd, needle) && !strstr(cmd, "unshare"))
                        ret[n++] = pid;
        }
        closedir(d);
        return n;
}

static unsigned long long status_hex(pid_t pid, const char *field)
{
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        FILE *f = fopen(path, "r");
        unsigned long long v = ~0ull;
        size_t fl = strlen(field);
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, field, fl) == 0 && line[fl] == ':')
                        v = strtoull(line + fl + 1, NULL, strcmp(field, "NoNewPrivs") == 0 ? 10 : 16);
        if (f)
                fclose(f);
        return v;
}

static pid_t ppid_of(pid_t pid)
{
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        FILE *f = fopen(path, "r");
        pid_t pp = -1;
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, "PPid:", 5) == 0)
                        pp = (pid_t)atoi(line + 5);
        if (f)
                fclose(f);
        return pp;
}

/* A watch started before any pod probes from the pod namespace that appears later:
 * its prober keeps only what entering namespaces needs, the loop holds none of it. */
static void test_watch_probes_a_pod_namespace_that_appears_later(void **state)
{
        (void)state;
        assert_true(ready);
        char *root = tu_mkdtemp();
        tu_write(root, "etc/os-release", "PRETTY_NAME=\"imds e2e watch\"\n");
        tu_write(root, "sys/class/dmi/id/sys_vendor", "Amazon EC2\n");
        /* run/netns is a mount of its own, shared with the watch's mount namespace
         * (unshare --propagation slave), as /host is with HostToContainer: a pod
         * namespace mounted there later reaches the watch. */
        char *netns_dir = NULL;
        assert_true(asprintf(&netns_dir, "%s/run/netns", root) > 0);
        tu_mkdirs(netns_dir);
        assert_int_equal(sh("mount -t tmpfs -o size=1m nwwatch %s && mount --make-shared %s", netns_dir, netns_dir), 0);
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char path[128];
                snprintf(path, sizeof(path), "/run/netns/%s", node_ns);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
                        _exit(126);
                dup2(p[1], 1);
                close(p[0]);
                char *argv[] = {(char *)"/usr/bin/unshare",
                                (char *)"--pid",
                                (char *)"--fork",
                                (char *)"--mount-proc",
                                (char *)"--propagation",
                                (char *)"slave",
                                (char *)tu_nodeward(),
                                (char *)"watch",
                                (char *)"--probe",
                                (char *)"--interval",
                                (char *)"1",
                                (char *)"--only",
                                (char *)"ssh.pod-reachable",
                                (char *)"--root",
                                root,
                                (char *)"--proc",
                                (char *)"/proc",
                                NULL};
                execv(argv[0], argv);
                _exit(127);
        }
        close(p[1]);
        FILE *out = fdopen(p[0], "r");
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long long t0 = now.tv_sec * 1000LL + now.tv_nsec / 1000000;
        cJSON *j = next_line(out, p[0], "summary", t0 + 30000);
        if (!j)
                fail_msg("the watch printed no summary within 30 s");
        const char *ev, *st = watch_status(j, "ssh.pod-reachable", &ev);
        if (strcmp(st, "skip") != 0 || !strstr(ev, "no pod network namespace"))
                fail_msg("before any pod: %s, %s", st, ev);
        cJSON_Delete(j);

        /* The prober is the watch's child, with the five capabilities it keeps at most. */
        pid_t pids[4];
        size_t n = pids_naming(root, pids, 4);
        if (n != 2)
                fail_msg("%zu processes name the watch's root, want the watch and its prober", n);
        const unsigned long long prober_caps = 1ull << 21 | 1ull << 19 | 1ull << 2 | 1ull << 7 | 1ull << 6,
                                 loop_caps = 1ull << 19 | 1ull << 2;
        /* The watch is the prober's parent. */
        if (ppid_of(pids[0]) == pids[1]) {
                pid_t t = pids[0];
                pids[0] = pids[1];
                pids[1] = t;
        }
        assert_int_equal(ppid_of(pids[1]), pids[0]);
        for (size_t i = 0; i < n; i++) {
                bool is_prober = i == 1;
                unsigned long long eff = status_hex(pids[i], "CapEff"), prm = status_hex(pids[i], "CapPrm");
                unsigned long long allowed = is_prober ? prober_caps : loop_caps;
                print_message("%s pid %d: CapEff %llx CapPrm %llx NoNewPrivs %llu\n", is_prober ? "prober" : "watch",
                              (int)pids[i], eff, prm, status_hex(pids[i], "NoNewPrivs"));
                if ((eff | prm) & ~allowed)
                        fail_msg("%s holds capabilities %llx beyond %llx", is_prober ? "the prober" : "the watch",
                                 (eff | prm) & ~allowed, allowed);
                assert_int_equal(status_hex(pids[i], "NoNewPrivs"), 1);
        }

        /* A pod namespace appears under the root's /run/netns. */
        char *rel = NULL, *mnt = NULL;
        assert_true(asprintf(&rel, "run/netns/%s", pod_ns) > 0);
        tu_write(root, rel, "");
        assert_true(asprintf(&mnt, "%s/%s", root, rel) > 0);
        assert_int_equal(sh("mount --bind %s %s", pod_path, mnt), 0);
        const char *seen = NULL;
        for (int k = 0; k < 30 && !seen; k++) {
                j = next_line(out, p[0], "summary", t0 + 60000);
                if (!j)
                        break;
                st = watch_status(j, "ssh.pod-reachable", &ev);
                if (strcmp(st, "fail") == 0 && strstr(ev, "10.77.0.1:22"))
                        seen = "yes";
                cJSON_Delete(j);
        }
        umount2(mnt, MNT_DETACH);
        umount2(netns_dir, MNT_DETACH);
        free(netns_dir);
        kill(pids[0], SIGTERM);
        int wst;
        waitpid(pid, &wst, 0);
        fclose(out);
        if (!seen)
                fail_msg("the watch never probed from the pod namespace that appeared");
        assert_true(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
        /* The prober ended with the watch. */
        for (int k = 0; k < 100 && kill(pids[1], 0) == 0; k++)
                usleep(20000);
        assert_int_not_equal(kill(pids[1], 0), 0);
        free(rel);
        free(mnt);
        tu_rm_rf(root);
        free(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_v1_optional_hop1),
                cmocka_unit_test(test_asff_identity_from_the_identity_document),
                cmocka_unit_test(test_v2_required_hop1),
                cmocka_unit_test(test_v2_required_hop2),
                cmocka_unit_test(test_pod_egress_to_metadata_dropped),
                cmocka_unit_test(test_off_ec2_silence_skips),
                cmocka_unit_test(test_metadata_accepts_and_never_answers),
                cmocka_unit_test(test_metadata_answers_forever),
                cmocka_unit_test(test_metadata_sends_10mb_header),
                cmocka_unit_test(test_pod_reaches_node_ssh_unless_dropped),
                cmocka_unit_test(test_ipv6_endpoint_probed_when_node_has_ipv6),
                cmocka_unit_test(test_running_in_a_pod_probes_host_through_pid1),
                cmocka_unit_test(test_probe_children_drop_before_the_network),
                cmocka_unit_test(test_watch_probes_a_pod_namespace_that_appears_later),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
