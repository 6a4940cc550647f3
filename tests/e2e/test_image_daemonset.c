/* test_image_daemonset: what the DaemonSet relies on in the binary: NODE_NAME in every report format, and a readiness state that follows the eBPF probe. */
#include "fleet.h"

#include <linux/capability.h>
#include <sys/prctl.h>

#define NODE "ip-10-0-1-23.us-west-2.compute.internal"

static bool slow(void)
{
        return getenv("NODEWARD_UNDER_VALGRIND") != NULL;
}

static char *slurp_file(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                fail_msg("%s: %s", path, strerror(errno));
        char *s = tu_read_fd(fd);
        close(fd);
        return s;
}

static char *demo_root(void)
{
        char *p = NULL;
        assert_true(asprintf(&p, "%s/demo-al2023", tu_fixtures()) > 0);
        return p;
}

static char *check_format(const char *fmt)
{
        char *root = demo_root(), *out;
        fl_check(root, &out, NULL, "--format", fmt, "--only", "kubelet", NULL);
        free(root);
        return out;
}

/* The pod spec passes spec.nodeName as NODE_NAME (downward API); the fixture's
 * /etc/hostname is the EC2 private DNS name, which is not the node's name here. */
static void test_node_name_names_the_node_in_every_format(void **state)
{
        (void)state;
        setenv("NODE_NAME", NODE, 1);
        char *out = check_format("json");
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        const cJSON *node = cJSON_GetObjectItem(j, "node");
        assert_string_equal(cJSON_GetObjectItem(node, "name")->valuestring, NODE);
        assert_string_equal(cJSON_GetObjectItem(node, "hostname")->valuestring, "ip-10-0-1-23.demo-al2023.internal");
        cJSON_Delete(j);
        free(out);
        out = check_format("text");
        /* The header's fields wrap to the width (100 without a terminal): the node's
         * field is whole on its own line. */
        assert_true(str_startswith(out, "nodeward " NODEWARD_VERSION));
        assert_non_null(strstr(out, "node " NODE " (hostname ip-10-0-1-23.demo-al2023.internal)"));
        free(out);
        out = check_format("sarif");
        j = cJSON_Parse(out);
        const cJSON *props = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "runs"), 0), "properties");
        assert_string_equal(cJSON_GetObjectItem(props, "nodeName")->valuestring, NODE);
        assert_string_equal(cJSON_GetObjectItem(props, "hostname")->valuestring, "ip-10-0-1-23.demo-al2023.internal");
        cJSON_Delete(j);
        free(out);
        out = check_format("prometheus");
        assert_non_null(strstr(out, "\nnodeward_node_info{node=\"" NODE
                                    "\",hostname=\"ip-10-0-1-23.demo-al2023.internal\"} 1\n"));
        free(out);
        /* Not a DNS subdomain: ignored, never echoed into a report. */
        setenv("NODE_NAME", "Evil\"}\nnode", 1);
        out = check_format("json");
        j = cJSON_Parse(out);
        assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "node"), "name"));
        cJSON_Delete(j);
        free(out);
        unsetenv("NODE_NAME");
        out = check_format("json");
        j = cJSON_Parse(out);
        assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "node"), "name"));
        cJSON_Delete(j);
        free(out);
}

static pid_t watch_pid;

static int kill_watch(void **state)
{
        (void)state;
        if (watch_pid > 0) {
                kill(watch_pid, SIGKILL);
                waitpid(watch_pid, NULL, 0);
        }
        watch_pid = 0;
        return 0;
}

/* `nodeward watch --state FILE` on this machine; @no_bpf takes the capabilities a
 * BPF attach needs out of its bounding set, as a manifest without them would. */
static void start_watch(const char *state_file, const char *out_file, bool no_bpf)
{
        watch_pid = fork();
        assert_true(watch_pid >= 0);
        if (watch_pid == 0) {
                int fd = open(out_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                dup2(fd, 1);
                if (no_bpf) {
                        static const int drop[] = {CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN};
                        for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
                                if (prctl(PR_CAPBSET_DROP, drop[i], 0, 0, 0) < 0)
                                        _exit(126);
                }
                setenv("NODE_NAME", NODE, 1);
                char *argv[] = {(char *)tu_nodeward(),
                                "watch",
                                "--root",
                                "/",
                                "--only",
                                "ssh.pod-attempts",
                                "--interval",
                                "2",
                                "--state",
                                (char *)state_file,
                                NULL};
                execv(argv[0], argv);
                _exit(127);
        }
}

/* Run `nodeward ready --state FILE` until it exits @want or the deadline passes. */
static char *ready_until(const char *state_file, int want)
{
        char *argv[] = {(char *)tu_nodeward(), "ready", "--state", (char *)state_file, NULL};
        time_t end = time(NULL) + (slow() ? 120 : 20);
        for (;;) {
                char *out;
                int rc = tu_run(argv, &out, NULL);
                if (rc == want)
                        return out;
                if (time(NULL) > end)
                        fail_msg("nodeward ready never exited %d; last %d: %s", want, rc, out);
                free(out);
                usleep(200 * 1000);
        }
}

static void test_ready_while_the_probe_is_attached_not_after_exit(void **state)
{
        (void)state;
        char sf[4200], of[4200];
        snprintf(sf, sizeof(sf), "%s/run-state.json", scratch);
        snprintf(of, sizeof(of), "%s/watch.out", scratch);
        char *out = ready_until(sf, 1);
        assert_non_null(strstr(out, "not ready: "));
        assert_non_null(strstr(out, "No such file"));
        free(out);
        start_watch(sf, of, false);
        out = ready_until(sf, 0);
        assert_true(str_startswith(out, "ready: eBPF probe attached"));
        free(out);
        /* Ready comes with the attach; the first interval's summary follows once the checks ran. */
        time_t end = time(NULL) + (slow() ? 180 : 60);
        for (;;) {
                char *so = slurp_file(of);
                bool done = strstr(so, "\"event\":\"summary\"") != NULL;
                free(so);
                if (done || time(NULL) > end)
                        break;
                usleep(100 * 1000);
        }
        assert_int_equal(kill(watch_pid, SIGTERM), 0);
        int st;
        assert_int_equal(waitpid(watch_pid, &st, 0), watch_pid);
        watch_pid = 0;
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        out = ready_until(sf, 1);
        assert_string_equal(out, "not ready: eBPF probe exited\n");
        free(out);
        /* The summary lines name the node too. */
        char *lines = slurp_file(of);
        assert_non_null(strstr(lines, "\"node\":{\"name\":\"" NODE "\",\"hostname\":"));
        free(lines);
}

static void test_not_ready_when_the_probe_cannot_attach(void **state)
{
        (void)state;
        char sf[4200], of[4200];
        snprintf(sf, sizeof(sf), "%s/noattach-state.json", scratch);
        snprintf(of, sizeof(of), "%s/noattach.out", scratch);
        start_watch(sf, of, true);
        char *out = ready_until(sf, 1);
        /* Not merely absent: the watch said its probe failed. */
        time_t end = time(NULL) + (slow() ? 120 : 20);
        while (!strstr(out, "eBPF probe error") && time(NULL) < end) {
                free(out);
                usleep(200 * 1000);
                out = ready_until(sf, 1);
        }
        if (!strstr(out, "not ready: eBPF probe error: "))
                fail_msg("want a probe error, got: %s", out);
        free(out);
        kill_watch(NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_node_name_names_the_node_in_every_format),
                cmocka_unit_test_teardown(test_ready_while_the_probe_is_attached_not_after_exit, kill_watch),
                cmocka_unit_test_teardown(test_not_ready_when_the_probe_cannot_attach, kill_watch),
        };
        return cmocka_run_group_tests(tests, fl_setup, fl_teardown);
}
