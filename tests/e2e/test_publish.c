/* test_publish: `nodeward watch --publish` against a stand-in API server over TLS in its own network namespace. */
#include "testutil.h"

#include <stdbool.h>

#define API_IP "10.96.0.1" /* the kubernetes Service's usual first address */
#define NODE "ip-10-0-1-7.ec2.internal"
#define NODE_UID "0b6a8c1e-3f4d-4e0a-9d8b-2c7e5f1a9b3c"
#define TOKEN_1 "eyJhbGciOiJSUzI1NiJ9.nwpb-first-token.c2ln"
#define TOKEN_2 "eyJhbGciOiJSUzI1NiJ9.nwpb-rotated-token.c2ln"
#define CHECK "kubelet.anonymous-auth"

static char ns[64], dir[64], root[128], api_log[128], token[128], out_path[128];
static pid_t server_pid = -1, watch_pid = -1;
static const char *binary; /* NULL: tu_nodeward() */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
        char cmd[4096];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        int rc = system(cmd);
        return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* A test CA ("kubernetes", as kubeadm and EKS name the cluster CA), the API server's
 * certificate for the Service IP, one for another IP from the same CA, and an
 * unrelated CA. */
static const char *const setup_cmds[] = {
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj /CN=kubernetes",
        "printf 'subjectAltName=IP:" API_IP ",DNS:kubernetes.default.svc\\nextendedKeyUsage=serverAuth\\n' > ext.cnf",
        "openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=kube-apiserver",
        "openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 365 -extfile ext.cnf",
        "printf 'subjectAltName=IP:10.96.0.2\\nextendedKeyUsage=serverAuth\\n' > other.cnf",
        "openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out otherip.crt -days 365 "
        "-extfile other.cnf",
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout wrong.key -out wrongca.crt -days 3650 -subj /CN=kubernetes",
};

/* The node's kubelet: anonymous authentication on, which kubelet.anonymous-auth fails
 * (CIS EKS 3.2.1); the fix sets it off. Modelled on the EKS AMI's AL2023 kubelet config
 * (awslabs/amazon-eks-ami templates/al2023/runtime/kubelet-config.json). */
static void write_kubelet(bool anonymous)
{
        char cfg[512];
        snprintf(cfg, sizeof(cfg),
                 "{\"kind\":\"KubeletConfiguration\",\"apiVersion\":\"kubelet.config.k8s.io/v1beta1\",\n"
                 " \"authentication\":{\"anonymous\":{\"enabled\":%s},\"webhook\":{\"enabled\":true}},"
                 "\"authorization\":{\"mode\":\"Webhook\"},\"readOnlyPort\":0}\n",
                 anonymous ? "true" : "false");
        char tmp[256], path[256];
        snprintf(tmp, sizeof(tmp), "%s/etc/kubernetes/kubelet/config.json.tmp", root);
        snprintf(path, sizeof(path), "%s/etc/kubernetes/kubelet/config.json", root);
        tu_write(root, "etc/kubernetes/kubelet/config.json.tmp", cfg);
        assert_int_equal(rename(tmp, path), 0);
}

static void write_token(const char *t)
{
        char tmp[256];
        snprintf(tmp, sizeof(tmp), "%s.tmp", token);
        FILE *f = fopen(tmp, "w");
        assert_non_null(f);
        fprintf(f, "%s\n", t);
        fclose(f);
        assert_int_equal(rename(tmp, token), 0);
}

static void stop(pid_t *pid, int sig)
{
        if (*pid > 0) {
                kill(*pid, sig);
                waitpid(*pid, NULL, 0);
        }
        *pid = -1;
}

static int group_teardown(void **state)
{
        (void)state;
        stop(&watch_pid, SIGKILL);
        stop(&server_pid, SIGKILL);
        if (*ns)
                sh("ip netns del %s 2>/dev/null", ns);
        if (*dir)
                tu_rm_rf(dir);
        return 0;
}

/* Also after a failed assertion: nothing of one test outlives it. */
static int test_teardown(void **state)
{
        (void)state;
        binary = NULL;
        stop(&watch_pid, SIGKILL);
        stop(&server_pid, SIGKILL);
        return 0;
}

static int group_setup(void **state)
{
        (void)state;
        if (geteuid() != 0)
                fail_msg("test_publish needs root (network namespaces)");
        if (sh("command -v ip openssl node >/dev/null && test -x /usr/bin/python3") != 0)
                fail_msg(
                        "ip, openssl, node or /usr/bin/python3 missing: `make test` installs them (TEST_DEB_PACKAGES)");
        if (access("tests/node_modules/ajv/package.json", F_OK) != 0 &&
            sh("cd tests && npm ci --no-audit --no-fund --loglevel=error") != 0)
                fail_msg("npm ci in tests/ failed");
        snprintf(ns, sizeof(ns), "nwpb-api-%d", getpid());
        snprintf(dir, sizeof(dir), "/tmp/nwpb-XXXXXX");
        if (!mkdtemp(dir)) {
                *dir = '\0';
                return -1;
        }
        if (sh("ip netns add %s && ip -n %s link set lo up && ip -n %s addr add " API_IP "/32 dev lo", ns, ns, ns) !=
            0) {
                *ns = '\0';
                group_teardown(NULL);
                return -1;
        }
        for (size_t i = 0; i < sizeof(setup_cmds) / sizeof(*setup_cmds); i++)
                if (sh("cd %s && ( %s ) >/dev/null 2>&1", dir, setup_cmds[i]) != 0) {
                        printf("# setup failed: %s\n", setup_cmds[i]);
                        group_teardown(NULL);
                        return -1;
                }
        snprintf(root, sizeof(root), "%s/root", dir);
        snprintf(api_log, sizeof(api_log), "%s/api.log", dir);
        snprintf(token, sizeof(token), "%s/token", dir);
        snprintf(out_path, sizeof(out_path), "%s/watch.out", dir);
        static const char *const kubelet[] = {"/usr/bin/kubelet", "--config=/etc/kubernetes/kubelet/config.json", NULL};
        tu_write_proc(root, 811, "kubelet", kubelet);
        tu_write(root, "etc/os-release", "PRETTY_NAME=\"Amazon Linux 2023\"\n");
        return 0;
}

/* Each test: a fresh stand-in, log and fixture. */
static void start_server(const char *extra)
{
        unlink(api_log);
        sh("rm -f %s/body-*.json", dir);
        char cert[128], key[128];
        snprintf(cert, sizeof(cert), "%s/srv.crt", dir);
        snprintf(key, sizeof(key), "%s/srv.key", dir);
        char *argv[] = {(char *)"/usr/bin/python3",
                        (char *)"tests/e2e/apiserver_standin.py",
                        (char *)"--addr",
                        (char *)API_IP,
                        (char *)"--cert",
                        cert,
                        (char *)"--key",
                        key,
                        (char *)"--log",
                        api_log,
                        (char *)"--node",
                        (char *)NODE,
                        (char *)"--node-uid",
                        (char *)NODE_UID,
                        (char *)(extra ? extra : "--fail=0"),
                        NULL};
        server_pid = tu_start_in_netns(ns, argv);
}

/* `nodeward watch --publish` in the API server's namespace (the pod network), every
 * @interval seconds, its output in out_path. @ca: a file of the scratch directory. */
static void start_watch(const char *ca, const char *interval)
{
        char ca_path[128];
        snprintf(ca_path, sizeof(ca_path), "%s/%s", dir, ca);
        unlink(out_path);
        watch_pid = fork();
        assert_true(watch_pid >= 0);
        if (watch_pid == 0) {
                char path[128];
                snprintf(path, sizeof(path), "/run/netns/%s", ns);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                if (fd < 0 || o < 0 || setns(fd, CLONE_NEWNET) < 0)
                        _exit(126);
                dup2(o, 1);
                dup2(o, 2);
                setenv("NODE_NAME", NODE, 1);
                unsetenv("KUBERNETES_SERVICE_HOST");
                char *argv[] = {(char *)(binary ? binary : tu_nodeward()),
                                (char *)"watch",
                                (char *)"--root",
                                root,
                                (char *)"--only",
                                (char *)CHECK,
                                (char *)"--interval",
                                (char *)interval,
                                (char *)"--publish",
                                (char *)"--publish-api",
                                (char *)"https://" API_IP ":6443",
                                (char *)"--publish-token-file",
                                token,
                                (char *)"--publish-ca",
                                ca_path,
                                NULL};
                execv(argv[0], argv);
                _exit(127);
        }
}

static char *read_file(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return strdup("");
        char *s = tu_read_fd(fd);
        close(fd);
        return s;
}

static int count(const char *hay, const char *needle)
{
        int n = 0;
        for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

/* Wait until the watch printed @n publish events (or @secs passed); returns how many. */
static int wait_publish_events(int n, int secs)
{
        int got = 0;
        for (int i = 0; i < secs * 20; i++) {
                char *o = read_file(out_path);
                got = count(o, "\"event\":\"publish\"");
                free(o);
                if (got >= n)
                        break;
                usleep(50000);
        }
        return got;
}

/* The stand-in's records, as an array. */
static cJSON *requests(void)
{
        char *s = read_file(api_log);
        cJSON *arr = cJSON_CreateArray();
        for (char *save = NULL, *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                cJSON *j = cJSON_Parse(l);
                assert_non_null(j);
                cJSON_AddItemToArray(arr, j);
        }
        free(s);
        return arr;
}

static const char *str(const cJSON *j, const char *a, const char *b)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, a);
        if (b)
                v = cJSON_GetObjectItemCaseSensitive(v, b);
        return cJSON_IsString(v) ? v->valuestring : "";
}

/* Every request: the verb and path, the bearer token, JSON accepted. */
static void assert_get_node(const cJSON *r, const char *tok)
{
        assert_string_equal(str(r, "method", NULL), "GET");
        assert_string_equal(str(r, "path", NULL), "/api/v1/nodes/" NODE);
        char want[256];
        snprintf(want, sizeof(want), "Bearer %s", tok);
        assert_string_equal(str(r, "headers", "authorization"), want);
}

/* A server-side apply (k8s.io/apiserver pkg/endpoints/handlers/patch.go: PATCH with
 * application/apply-patch+yaml; fieldManager is required for apply, force takes
 * ownership of fields another manager set), its body valid against the CRD. Returns
 * the body. */
static cJSON *assert_apply(const cJSON *r, const char *tok)
{
        assert_string_equal(str(r, "method", NULL), "PATCH");
        assert_string_equal(str(r, "path", NULL), "/apis/openreports.io/v1alpha1/clusterreports/nodeward-" NODE);
        const cJSON *q = cJSON_GetObjectItemCaseSensitive(r, "query");
        assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(q, "fieldManager"), 0)->valuestring,
                            "nodeward");
        assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(q, "force"), 0)->valuestring, "true");
        assert_string_equal(str(r, "headers", "content-type"), "application/apply-patch+yaml");
        char want[256];
        snprintf(want, sizeof(want), "Bearer %s", tok);
        assert_string_equal(str(r, "headers", "authorization"), want);
        const char *bf = str(r, "body_file", NULL);
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "node tests/validate/openreports.js '%s'", bf);
        if (sh("%s >/dev/null", cmd) != 0) {
                sh("%s", cmd);
                fail_msg("the applied body is not a valid ClusterReport: %s", bf);
        }
        char *text = read_file(bf);
        cJSON *body = cJSON_Parse(text);
        free(text);
        assert_non_null(body);
        return body;
}

/* The result of check @rule (a result's policy is the benchmark or the area). */
static const cJSON *result_of(const cJSON *body, const char *rule)
{
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(body, "results"))
        {
                if (strcmp(str(r, "rule", NULL), rule) == 0)
                        return r;
        }
        fail_msg("no result for %s", rule);
        return NULL;
}

static void test_publish_applies_then_flips_after_fix(void **state)
{
        (void)state;
        write_kubelet(true);
        write_token(TOKEN_1);
        start_server(NULL);
        start_watch("ca.crt", "1");
        assert_true(wait_publish_events(1, 20) >= 1);
        /* Two more intervals with nothing changed: no apply. */
        assert_true(wait_publish_events(3, 20) >= 3);
        cJSON *reqs = requests();
        if (cJSON_GetArraySize(reqs) != 2) {
                char *o = read_file(out_path), *l = read_file(api_log);
                fail_msg("want GET and one apply, got %d requests:\n%s\nwatch:\n%s", cJSON_GetArraySize(reqs), l, o);
        }
        assert_get_node(cJSON_GetArrayItem(reqs, 0), TOKEN_1);
        cJSON *b1 = assert_apply(cJSON_GetArrayItem(reqs, 1), TOKEN_1);
        assert_string_equal(str(b1, "kind", NULL), "ClusterReport");
        assert_string_equal(str(b1, "scope", "kind"), "Node");
        assert_string_equal(str(b1, "scope", "name"), NODE);
        assert_string_equal(str(b1, "scope", "uid"), NODE_UID);
        const cJSON *own = cJSON_GetArrayItem(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b1, "metadata"), "ownerReferences"),
                0);
        assert_string_equal(str(own, "kind", NULL), "Node");
        assert_string_equal(str(own, "uid", NULL), NODE_UID);
        const cJSON *r1 = result_of(b1, CHECK);
        assert_string_equal(str(r1, "result", NULL), "fail");
        assert_string_equal(str(r1, "severity", NULL), "high"); /* checks/catalog.c */
        assert_string_equal(str(r1, "source", NULL), "nodeward");
        /* What --format openreports says of it (README "Fleet"): the remediation and where
         * the setting lives, the config file the kubelet was started with. */
        assert_true(*str(r1, "properties", "remediation"));
        assert_string_equal(str(r1, "properties", "source.file"), "/etc/kubernetes/kubelet/config.json");
        assert_string_equal(str(r1, "properties", "source.layer"), "config");
        assert_true(*str(r1, "properties", "references"));
        /* The policy is the benchmark the watch judged against, which the annotations name. */
        const cJSON *ann = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b1, "metadata"),
                                                            "annotations");
        assert_true(*str(ann, "nodeward.io/benchmark", NULL));
        assert_string_equal(str(r1, "policy", NULL), str(ann, "nodeward.io/benchmark", NULL));
        assert_int_equal(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b1, "summary"), "fail")->valueint, 1);
        cJSON_Delete(b1);
        cJSON_Delete(reqs);

        /* The fix, and a rotated token: the next interval applies a pass with the new token. */
        write_token(TOKEN_2);
        write_kubelet(false);
        int base = wait_publish_events(0, 0);
        for (int i = 0; i < 100; i++) {
                reqs = requests();
                int n = cJSON_GetArraySize(reqs);
                cJSON_Delete(reqs);
                if (n >= 3)
                        break;
                usleep(100000);
        }
        assert_true(wait_publish_events(base + 1, 10) > base);
        reqs = requests();
        assert_int_equal(cJSON_GetArraySize(reqs), 3); /* the Node's uid is asked once */
        cJSON *b2 = assert_apply(cJSON_GetArrayItem(reqs, 2), TOKEN_2);
        assert_string_equal(str(result_of(b2, CHECK), "result", NULL), "pass");
        assert_int_equal(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b2, "summary"), "pass")->valueint, 1);
        assert_int_equal(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b2, "summary"), "fail")->valueint, 0);
        cJSON_Delete(b2);
        cJSON_Delete(reqs);

        stop(&watch_pid, SIGTERM);
        char *o = read_file(out_path);
        assert_non_null(strstr(o, "\"result\":\"applied\""));
        assert_non_null(strstr(o, "\"result\":\"unchanged\""));
        assert_non_null(strstr(o, "\"event\":\"exit\""));
        /* The token is a credential: never printed. */
        assert_null(strstr(o, "nwpb-first-token"));
        assert_null(strstr(o, "nwpb-rotated-token"));
        free(o);
        stop(&server_pid, SIGKILL);
}

/* A server whose certificate does not chain to the CA given: refused before any
 * request, so the token never leaves; no fallback without verification. */
static void test_untrusted_server_is_refused(void **state)
{
        (void)state;
        write_kubelet(true);
        write_token(TOKEN_1);
        start_server(NULL);
        start_watch("wrongca.crt", "60");
        assert_true(wait_publish_events(1, 60) >= 1);
        stop(&watch_pid, SIGTERM);
        cJSON *reqs = requests();
        assert_int_equal(cJSON_GetArraySize(reqs), 0);
        cJSON_Delete(reqs);
        char *o = read_file(out_path);
        assert_non_null(strstr(o, "\"result\":\"failed\""));
        assert_non_null(strstr(o, "not trusted"));
        assert_null(strstr(o, "\"result\":\"applied\""));
        free(o);
        stop(&server_pid, SIGKILL);
}

/* The right CA, but a certificate for another address: the name check refuses it. */
static void test_certificate_for_another_address_is_refused(void **state)
{
        (void)state;
        write_kubelet(true);
        write_token(TOKEN_1);
        unlink(api_log);
        char cert[128], key[128];
        snprintf(cert, sizeof(cert), "%s/otherip.crt", dir);
        snprintf(key, sizeof(key), "%s/srv.key", dir);
        char *argv[] = {(char *)"/usr/bin/python3",
                        (char *)"tests/e2e/apiserver_standin.py",
                        (char *)"--addr",
                        (char *)API_IP,
                        (char *)"--cert",
                        cert,
                        (char *)"--key",
                        key,
                        (char *)"--log",
                        api_log,
                        (char *)"--node",
                        (char *)NODE,
                        (char *)"--node-uid",
                        (char *)NODE_UID,
                        NULL};
        server_pid = tu_start_in_netns(ns, argv);
        start_watch("ca.crt", "60");
        assert_true(wait_publish_events(1, 60) >= 1);
        stop(&watch_pid, SIGTERM);
        cJSON *reqs = requests();
        assert_int_equal(cJSON_GetArraySize(reqs), 0);
        cJSON_Delete(reqs);
        char *o = read_file(out_path);
        assert_non_null(strstr(o, "not trusted"));
        free(o);
        stop(&server_pid, SIGKILL);
}

/* 500s are retried with backoff, a bounded number of times; the next one then succeeds. */
static void test_server_errors_are_retried_within_bounds(void **state)
{
        (void)state;
        write_kubelet(true);
        write_token(TOKEN_1);
        start_server("--fail=2");
        start_watch("ca.crt", "60");
        assert_true(wait_publish_events(1, 30) >= 1);
        stop(&watch_pid, SIGTERM);
        cJSON *reqs = requests();
        assert_int_equal(cJSON_GetArraySize(reqs), 4); /* GET, 500, 500, applied */
        cJSON_Delete(assert_apply(cJSON_GetArrayItem(reqs, 3), TOKEN_1));
        cJSON_Delete(reqs);
        char *o = read_file(out_path);
        assert_non_null(strstr(o, "\"result\":\"applied\",\"attempts\":4")); /* every request counts */
        free(o);
        stop(&server_pid, SIGKILL);

        /* Always 500: four tries of the apply, then the watch goes on and says why. */
        start_server("--fail-all");
        start_watch("ca.crt", "60");
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_true(wait_publish_events(1, 60) >= 1);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_true(t1.tv_sec - t0.tv_sec < 35); /* the 30 s budget, plus a start */
        stop(&watch_pid, SIGTERM);
        reqs = requests();
        assert_int_equal(cJSON_GetArraySize(reqs), 5); /* GET, then four applies */
        cJSON_Delete(reqs);
        o = read_file(out_path);
        assert_non_null(strstr(o, "\"result\":\"failed\",\"attempts\":5,\"status\":500"));
        assert_non_null(strstr(o, "stand-in failure 4"));
        assert_non_null(strstr(o, "\"event\":\"summary\""));
        free(o);
        stop(&server_pid, SIGKILL);
}

/* The "time" of the first @event line of a watch's output, as Unix time. */
static long event_time(const char *out, const char *event)
{
        char needle[64];
        snprintf(needle, sizeof(needle), "{\"event\":\"%s\",\"time\":\"", event);
        const char *p = strstr(out, needle);
        if (!p)
                fail_msg("no %s line in:\n%s", event, out);
        struct tm tm = {0};
        if (!strptime(p + strlen(needle), "%Y-%m-%dT%H:%M:%SZ", &tm))
                fail_msg("%s: unreadable time", event);
        return (long)timegm(&tm);
}

/* A server that takes the request and never answers: each try ends at its timeout, and
 * all of them within the publish's 30 s budget; the watch goes on. */
static void test_silent_server_is_bounded_in_time(void **state)
{
        (void)state;
        write_kubelet(true);
        write_token(TOKEN_1);
        start_server("--hang");
        start_watch("ca.crt", "60");
        assert_true(wait_publish_events(1, 60) >= 1);
        /* From the summary (the interval's start) to the publish line that follows it. */
        char *o = read_file(out_path);
        long secs = event_time(o, "publish") - event_time(o, "summary");
        if (secs > 31 || secs < 9) /* the first try waits its 10 s timeout; all within 30 s */
                fail_msg("the publish took %ld s, not within its 30 s budget:\n%s", secs, o);
        assert_non_null(strstr(o, "\"result\":\"failed\""));
        assert_non_null(strstr(o, "timed out"));
        free(o);
        kill(watch_pid, SIGTERM); /* and it still exits on SIGTERM */
        int st = 0;
        assert_int_equal(waitpid(watch_pid, &st, 0), watch_pid);
        watch_pid = -1;
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* The static binary is what the image and the DaemonSet run: it publishes too, with its
 * statically linked OpenSSL verifying the server. */
static void test_static_binary_publishes(void **state)
{
        (void)state;
        binary = getenv("NODEWARD_STATIC");
        if (!binary || access(binary, X_OK) != 0)
                fail_msg(
                        "NODEWARD_STATIC (%s) is not an executable: `make test` builds build/nodeward-static and sets it",
                        binary ? binary : "unset");
        write_kubelet(true);
        write_token(TOKEN_1);
        start_server(NULL);
        start_watch("ca.crt", "60");
        assert_true(wait_publish_events(1, 30) >= 1);
        stop(&watch_pid, SIGTERM);
        binary = NULL;
        cJSON *reqs = requests();
        assert_int_equal(cJSON_GetArraySize(reqs), 2);
        assert_get_node(cJSON_GetArrayItem(reqs, 0), TOKEN_1);
        cJSON *b = assert_apply(cJSON_GetArrayItem(reqs, 1), TOKEN_1);
        assert_string_equal(str(result_of(b, CHECK), "result", NULL), "fail");
        cJSON_Delete(b);
        cJSON_Delete(reqs);
        char *o = read_file(out_path);
        assert_non_null(strstr(o, "\"result\":\"applied\""));
        free(o);
}

/* SIGTERM in the middle of a publish (the server silent): the watch does not sit out its
 * timeouts, it exits at once. */
static void test_sigterm_ends_a_publish_at_once(void **state)
{
        (void)state;
        write_kubelet(true);
        write_token(TOKEN_1);
        start_server("--hang");
        start_watch("ca.crt", "60");
        /* The summary comes first, then the publish waits for the silent server. */
        for (int i = 0; i < 200; i++) {
                char *o = read_file(out_path);
                bool summary = strstr(o, "\"event\":\"summary\"") != NULL;
                free(o);
                if (summary)
                        break;
                usleep(50000);
        }
        for (int i = 0; i < 100; i++) { /* and the GET has reached the server */
                cJSON *reqs = requests();
                int n = cJSON_GetArraySize(reqs);
                cJSON_Delete(reqs);
                if (n >= 1)
                        break;
                usleep(50000);
        }
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        kill(watch_pid, SIGTERM);
        int st = 0;
        assert_int_equal(waitpid(watch_pid, &st, 0), watch_pid);
        watch_pid = -1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        char *o = read_file(out_path);
        if (ms > 3000)
                fail_msg("watch took %ld ms to exit after SIGTERM:\n%s", ms, o);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        assert_non_null(strstr(o, "\"event\":\"exit\""));
        free(o);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_publish_applies_then_flips_after_fix, test_teardown),
                cmocka_unit_test_teardown(test_untrusted_server_is_refused, test_teardown),
                cmocka_unit_test_teardown(test_certificate_for_another_address_is_refused, test_teardown),
                cmocka_unit_test_teardown(test_server_errors_are_retried_within_bounds, test_teardown),
                cmocka_unit_test_teardown(test_silent_server_is_bounded_in_time, test_teardown),
                cmocka_unit_test_teardown(test_sigterm_ends_a_publish_at_once, test_teardown),
                cmocka_unit_test_teardown(test_static_binary_publishes, test_teardown),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
