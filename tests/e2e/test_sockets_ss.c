/* test_sockets_ss: `nodeward sockets --netns` lists exactly what `ss -ltnup` lists, owners included. */
#include "testutil.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/socket.h>

static char ns_name[64], ns_path[128];
static pid_t kids[8];
static int n_kids, ready_pipe[2];

static int teardown(void **state);

/* A failing scene command tears the scene down first: group setup failures skip teardown. */
static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
        char cmd[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        if (system(cmd) != 0) {
                teardown(NULL);
                fail_msg("command failed: %s", cmd);
        }
}

/* Bind (and listen, for TCP) one socket; the child keeps it open until killed. */
static void bind_one(int family, int type, const char *addr, int port, int v6only, const char *dev)
{
        int fd = socket(family, type, 0);
        if (fd < 0)
                _exit(10);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0)
                _exit(11);
        if (dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev)) < 0)
                _exit(12);
        struct sockaddr_storage ss = {0};
        socklen_t len;
        if (family == AF_INET) {
                struct sockaddr_in *a = (struct sockaddr_in *)&ss;
                a->sin_family = AF_INET;
                a->sin_port = htons((uint16_t)port);
                inet_pton(AF_INET, addr, &a->sin_addr);
                len = sizeof(*a);
        } else {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
                a->sin6_family = AF_INET6;
                a->sin6_port = htons((uint16_t)port);
                inet_pton(AF_INET6, addr, &a->sin6_addr);
                len = sizeof(*a);
        }
        if (bind(fd, (struct sockaddr *)&ss, len) < 0)
                _exit(13);
        if (type == SOCK_STREAM && listen(fd, 16) < 0)
                _exit(14);
}

/* A connected TCP pair and a connected UDP socket: neither may be listed. */
static void connect_one(int type, int port)
{
        int fd = socket(AF_INET, type, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
                _exit(15);
}

static void enter(const char *name)
{
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int nsfd = open(ns_path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
                _exit(16);
        close(nsfd);
        prctl(PR_SET_NAME, name);
}

static void ready_and_wait(void)
{
        if (write(ready_pipe[1], "x", 1) != 1)
                _exit(17);
        for (;;)
                pause();
}

static void proc_a(void)
{
        enter("nw-sock-a");
        bind_one(AF_INET, SOCK_STREAM, "0.0.0.0", 7001, 0, NULL);
        bind_one(AF_INET, SOCK_STREAM, "127.0.0.1", 7002, 0, NULL);
        bind_one(AF_INET, SOCK_DGRAM, "0.0.0.0", 7003, 0, NULL);
        bind_one(AF_INET6, SOCK_STREAM, "::", 7004, 1, NULL);
        bind_one(AF_INET6, SOCK_STREAM, "::", 7005, 0, NULL);
        bind_one(AF_INET6, SOCK_DGRAM, "::1", 7006, 1, NULL);
        ready_and_wait();
}

static void proc_b(void)
{
        enter("nw-sock-b");
        bind_one(AF_INET, SOCK_STREAM, "10.77.0.1", 7010, 0, NULL);
        bind_one(AF_INET6, SOCK_STREAM, "fd77::1", 7011, 1, NULL);
        bind_one(AF_INET, SOCK_DGRAM, "10.77.0.1", 7012, 0, NULL);
        bind_one(AF_INET, SOCK_STREAM, "0.0.0.0", 7013, 0, "lo");
        connect_one(SOCK_STREAM, 7001);
        connect_one(SOCK_DGRAM, 7003);
        ready_and_wait();
}

/* One socket, two processes: bound, then inherited across fork. */
static void proc_c(void)
{
        enter("nw-sock-c");
        bind_one(AF_INET, SOCK_STREAM, "0.0.0.0", 7020, 0, NULL);
        bind_one(AF_INET6, SOCK_DGRAM, "::", 7021, 0, NULL);
        pid_t d = fork();
        if (d == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                prctl(PR_SET_NAME, "nw-sock-d");
                ready_and_wait();
        }
        ready_and_wait();
}

/* Names the checks look for: an sshd beyond loopback, a kubelet serving 10250 and 10255. */
static void proc_sshd(void)
{
        enter("sshd");
        bind_one(AF_INET, SOCK_STREAM, "0.0.0.0", 2222, 0, NULL);
        ready_and_wait();
}

static void proc_kubelet(void)
{
        enter("kubelet");
        bind_one(AF_INET6, SOCK_STREAM, "::", 10250, 0, NULL);
        bind_one(AF_INET, SOCK_STREAM, "0.0.0.0", 10255, 0, NULL);
        ready_and_wait();
}

static pid_t spawn(void (*fn)(void))
{
        pid_t p = fork();
        assert_true(p >= 0);
        if (p == 0) {
                fn();
                _exit(0);
        }
        kids[n_kids++] = p;
        return p;
}

static void wait_ready(int n)
{
        for (int i = 0; i < n; i++) {
                struct pollfd p = {.fd = ready_pipe[0], .events = POLLIN};
                char c;
                if (poll(&p, 1, 10000) != 1 || read(ready_pipe[0], &c, 1) != 1) {
                        teardown(NULL);
                        fail_msg("a listener process died or hung before it was ready");
                }
        }
}

static int setup(void **state)
{
        (void)state;
        snprintf(ns_name, sizeof(ns_name), "nw-sock-t%d", (int)getpid());
        snprintf(ns_path, sizeof(ns_path), "/run/netns/%s", ns_name);
        sh("ip netns add %s", ns_name);
        sh("ip -n %s link set lo up && ip -n %s link add nw-sock-d0 type veth peer name nw-sock-d1 && "
           "ip -n %s link set nw-sock-d0 up && ip -n %s addr add 10.77.0.1/24 dev nw-sock-d0 && "
           "ip -n %s -6 addr add fd77::1/64 dev nw-sock-d0 nodad",
           ns_name, ns_name, ns_name, ns_name, ns_name);
        assert_int_equal(pipe(ready_pipe), 0);
        /* a first: b connects to it. */
        spawn(proc_a);
        wait_ready(1);
        spawn(proc_b);
        spawn(proc_c);
        spawn(proc_sshd);
        spawn(proc_kubelet);
        wait_ready(5); /* b, c, c's child d, sshd, kubelet */
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        for (int i = 0; i < n_kids; i++) {
                kill(kids[i], SIGKILL);
                waitpid(kids[i], NULL, 0);
        }
        n_kids = 0;
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null", ns_name);
        if (system(cmd) != 0)
                fprintf(stderr, "could not delete netns %s\n", ns_name);
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* users:(("a",pid=1,fd=3),("b",pid=2,fd=3)) -> the tuples sorted, so order does not matter. */
static void norm_users(const char *u, char *out, size_t size)
{
        char buf[4096];
        char *parts[64];
        size_t n = 0;
        snprintf(buf, sizeof(buf), "%s", u);
        char *p = buf;
        if (strncmp(p, "users:((", 8) == 0)
                p += 8;
        size_t l = strlen(p);
        if (l >= 2 && strcmp(p + l - 2, "))") == 0)
                p[l - 2] = '\0';
        for (char *s = strtok(p, "()"); s && n < 64; s = strtok(NULL, "()"))
                if (strcmp(s, ",") != 0)
                        parts[n++] = s;
        qsort(parts, n, sizeof(*parts), cmp_str);
        out[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                strncat(out, parts[i], size - strlen(out) - 2);
                strncat(out, ";", size - strlen(out) - 1);
        }
}

/* One "netid state local users" line per socket, sorted, from either tool. */
static char *normalize(char *text, int local_field, int users_field, bool skip_header)
{
        char *lines[512];
        size_t n = 0;
        char *save = NULL;
        for (char *l = strtok_r(text, "\n", &save); l && n < 512; l = strtok_r(NULL, "\n", &save)) {
                if (skip_header) {
                        skip_header = false;
                        continue;
                }
                char *tok[16];
                int nt = 0;
                char *s2 = NULL;
                for (char *t = strtok_r(l, " \t", &s2); t && nt < 16; t = strtok_r(NULL, " \t", &s2))
                        tok[nt++] = t;
                if (nt <= local_field)
                        continue;
                char users[4096] = "";
                if (nt > users_field)
                        norm_users(tok[users_field], users, sizeof(users));
                if (asprintf(&lines[n++], "%s %s %s %s", tok[0], tok[1], tok[local_field], users) < 0)
                        abort();
        }
        qsort(lines, n, sizeof(*lines), cmp_str);
        struct {
                char *b;
                size_t l, c;
        } sb = {0};
        FILE *f = open_memstream(&sb.b, &sb.l);
        for (size_t i = 0; i < n; i++) {
                fprintf(f, "%s\n", lines[i]);
                free(lines[i]);
        }
        fclose(f);
        return sb.b;
}

static void test_sockets_match_ss_with_owners(void **state)
{
        (void)state;
        char *nw_out, *nw_err, *ss_out, *ss_err;
        char *nw[] = {(char *)tu_nodeward(), "sockets", "--netns", ns_path, NULL};
        char *ss[] = {"/usr/bin/ip", "netns", "exec", ns_name, "ss", "-ltnupH", NULL};
        int rc = tu_run(nw, &nw_out, &nw_err);
        if (rc != 0)
                fail_msg("nodeward sockets exited %d: %s", rc, nw_err);
        assert_int_equal(tu_run(ss, &ss_out, &ss_err), 0);
        char *a = normalize(nw_out, 2, 3, true), *b = normalize(ss_out, 4, 6, false);
        if (getenv("NW_VERBOSE"))
                fprintf(stderr, "%s---\n%s", a, b);
        if (strcmp(a, b) != 0)
                fail_msg("nodeward:\n%s\nss -ltnup:\n%s", a, b);
        /* The scene is what we built, so a mismatch cannot hide behind an empty list. */
        assert_non_null(strstr(a, "tcp LISTEN 0.0.0.0:7020 \"nw-sock-c\",pid="));
        assert_non_null(strstr(a, "\"nw-sock-d\""));
        assert_non_null(strstr(a, "tcp LISTEN 0.0.0.0%lo:7013"));
        assert_non_null(strstr(a, "tcp LISTEN *:7005"));
        assert_non_null(strstr(a, "tcp LISTEN [::]:7004"));
        assert_non_null(strstr(a, "udp UNCONN [::1]:7006"));
        assert_non_null(strstr(a, "tcp LISTEN [fd77::1]:7011"));
        assert_null(strstr(a, "ESTAB"));
        size_t lines = 0;
        for (const char *p = a; *p; p++)
                lines += *p == '\n';
        assert_int_equal(lines, 15);
        free(a);
        free(b);
        free(nw_out);
        free(nw_err);
        free(ss_out);
        free(ss_err);
}

static void test_sockets_json_names_shared_owners(void **state)
{
        (void)state;
        char *out, *err;
        char *nw[] = {(char *)tu_nodeward(), "sockets", "--netns", ns_path, "--format", "json", NULL};
        assert_int_equal(tu_run(nw, &out, &err), 0);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        const cJSON *s, *shared = NULL, *v6only = NULL;
        cJSON_ArrayForEach(s, cJSON_GetObjectItem(j, "sockets"))
        {
                int port = cJSON_GetObjectItem(s, "port")->valueint;
                if (port == 7020)
                        shared = s;
                if (port == 7004)
                        v6only = s;
        }
        assert_non_null(shared);
        assert_non_null(v6only);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v6only, "v6only")));
        const cJSON *owners = cJSON_GetObjectItem(shared, "owners");
        assert_int_equal(cJSON_GetArraySize(owners), 2);
        assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(owners, 0), "pid")->valueint, kids[2]);
        assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(owners, 0), "name")->valuestring, "nw-sock-c");
        assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(owners, 1), "name")->valuestring, "nw-sock-d");
        cJSON_Delete(j);
        free(out);
        free(err);
}

static void test_checks_judge_the_namespace_listeners(void **state)
{
        (void)state;
        char *out, *err;
        char *argv[] = {(char *)tu_nodeward(),
                        "check",
                        "--netns",
                        ns_path,
                        "--format",
                        "json",
                        "--only",
                        "ssh.exposed,kubelet.read-only-port,net.kubelet-api-exposed,net.wildcard-listeners",
                        NULL};
        int rc = tu_run(argv, &out, &err);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("no JSON (exit %d): %s", rc, err);
        assert_int_equal(rc, 1);
        char want[256];
        const char *w = want; /* a pointer: the assert macro tests it for NULL */
        snprintf(want, sizeof(want), "tcp 0.0.0.0:2222 (pid %d sshd)", (int)kids[3]);
        tu_assert_result(j, "ssh.exposed", "fail", w);
        snprintf(want, sizeof(want), "tcp 0.0.0.0:10255 listening (pid %d kubelet)", (int)kids[4]);
        tu_assert_result(j, "kubelet.read-only-port", "fail", w);
        tu_assert_result(j, "net.kubelet-api-exposed", "fail", "tcp *:10250");
        tu_assert_result(j, "net.kubelet-api-exposed", "fail", "answers on 10.77.0.1/24 (nw-sock-d0)");
        tu_assert_result(j, "net.kubelet-api-exposed", "fail", "fd77::1/64 (nw-sock-d0)");
        snprintf(want, sizeof(want), "tcp 0.0.0.0:7001 (pid %d nw-sock-a)", (int)kids[0]);
        tu_assert_result(j, "net.wildcard-listeners", "fail", w);
        cJSON_Delete(j);
        free(out);
        free(err);
        /* Everything that listens everywhere, allowed: the check passes. */
        char *allow[] = {(char *)tu_nodeward(),
                         "check",
                         "--netns",
                         ns_path,
                         "--format",
                         "json",
                         "--only",
                         "net.wildcard-listeners",
                         "--allow-listener",
                         "nw-sock-a:*",
                         "--allow-listener",
                         "nw-sock-c:*",
                         "--allow-listener",
                         "*:2222",
                         "--allow-listener",
                         "kubelet:10255",
                         NULL};
        assert_int_equal(tu_run(allow, &out, &err), 0);
        j = cJSON_Parse(out);
        assert_non_null(j);
        tu_assert_result(j, "net.wildcard-listeners", "pass", "all in the allowlist");
        cJSON_Delete(j);
        free(out);
        free(err);
}

/* nodeward in a pod's namespace with the host's PID 1 visible: by default it
 * reads PID 1's namespace. Here PID 1 of a fresh PID namespace sits in the
 * scene's namespace and nodeward itself in an empty one. */
static void test_default_namespace_is_pid1s(void **state)
{
        (void)state;
        char pod[64], cmd[1024];
        snprintf(pod, sizeof(pod), "nw-sock-p%d", (int)getpid());
        snprintf(cmd, sizeof(cmd), "ip netns add %s", pod);
        assert_int_equal(system(cmd), 0);
        snprintf(cmd, sizeof(cmd), "nsenter --net=/run/netns/%s %s sockets --format json", pod, tu_nodeward());
        char nsarg[160];
        snprintf(nsarg, sizeof(nsarg), "--net=%s", ns_path);
        char *argv[] = {
                "/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "nsenter", nsarg, "/bin/sh", "-c", cmd, NULL};
        char *out, *err;
        int rc = tu_run(argv, &out, &err);
        /* The pod's namespace itself is empty: a header and nothing else. */
        char pod_path[128], *eout, *eerr;
        snprintf(pod_path, sizeof(pod_path), "/run/netns/%s", pod);
        char *empty[] = {(char *)tu_nodeward(), "sockets", "--netns", pod_path, NULL};
        int erc = tu_run(empty, &eout, &eerr);
        bool empty_ok = erc == 0 && strncmp(eout, "Netid", 5) == 0 && strchr(eout, '\n') &&
                        strchr(eout, '\n')[1] == '\0';
        if (!empty_ok)
                fprintf(stderr, "empty namespace: exit %d\n%s%s", erc, eout, eerr);
        free(eout);
        free(eerr);
        snprintf(cmd, sizeof(cmd), "ip netns del %s", pod);
        if (system(cmd) != 0)
                fprintf(stderr, "could not delete %s\n", pod);
        if (rc != 0)
                fail_msg("exit %d: %s", rc, err);
        assert_true(empty_ok);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        assert_string_equal(cJSON_GetObjectItem(j, "netns")->valuestring, "/proc/1/ns/net");
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "sockets")), 15);
        cJSON_Delete(j);
        free(out);
        free(err);
}

static void test_sockets_rejects_what_is_not_a_netns(void **state)
{
        (void)state;
        char *out, *err;
        char *nw[] = {(char *)tu_nodeward(), "sockets", "--netns", "/etc/hostname", NULL};
        assert_int_equal(tu_run(nw, &out, &err), 2);
        assert_non_null(strstr(err, "not a network namespace"));
        free(out);
        free(err);
        char *nw2[] = {(char *)tu_nodeward(), "sockets", "--netns", "/run/netns/nw-sock-absent", NULL};
        assert_int_equal(tu_run(nw2, &out, &err), 2);
        assert_non_null(strstr(err, "No such file"));
        free(out);
        free(err);
}

/* The eBPF task_file iterator (one kernel pass) and the PROC/<pid>/fd walk find
 * the same owners; on this kernel (BTF, 5.18+, root) the iterator loads. */
static void test_iterator_and_walk_agree(void **state)
{
        (void)state;
        char *it_out, *it_err, *wk_out, *wk_err;
        char *nw[] = {(char *)tu_nodeward(), "sockets", "--netns", ns_path, "--format", "json", "--verbose", NULL};
        setenv("NODEWARD_OWNERS", "bpf", 1); /* this machine may have too few processes to choose it */
        int r0 = tu_run(nw, &it_out, &it_err);
        unsetenv("NODEWARD_OWNERS");
        assert_int_equal(r0, 0);
        if (!strstr(it_err, "owners found by eBPF task_file iterator"))
                fail_msg("the iterator was not used: %s", it_err);
        setenv("NODEWARD_OWNERS", "walk", 1);
        int rc = tu_run(nw, &wk_out, &wk_err);
        unsetenv("NODEWARD_OWNERS");
        assert_int_equal(rc, 0);
        assert_non_null(strstr(wk_err, "owners found by PROC walk"));
        if (strcmp(it_out, wk_out) != 0)
                fail_msg("iterator:\n%s\nwalk:\n%s", it_out, wk_out);
        /* Shared sockets name both holders in either way. */
        assert_non_null(strstr(it_out, "\"name\":\"nw-sock-d\""));
        free(it_out), free(it_err), free(wk_out), free(wk_err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sockets_match_ss_with_owners),
                cmocka_unit_test(test_iterator_and_walk_agree),
                cmocka_unit_test(test_sockets_json_names_shared_owners),
                cmocka_unit_test(test_checks_judge_the_namespace_listeners),
                cmocka_unit_test(test_default_namespace_is_pid1s),
                cmocka_unit_test(test_sockets_rejects_what_is_not_a_netns),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
