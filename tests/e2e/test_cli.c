/* test_cli: the command line refuses what it cannot honour: usage errors exit 2 with a hint on stderr. */
#include "testutil.h"

#include "base/util.h"

/* Runs the real binary; a usage error must print nothing on stdout and say why on stderr. */
static void assert_usage_error(char *const *argv, const char *needle)
{
        char *out, *err;
        int rc = tu_run(argv, &out, &err);
        if (rc != 2 || !strstr(err, needle))
                fprintf(stderr, "%s %s: exit %d, stderr: %s\n", argv[1], argv[2] ? argv[2] : "", rc, err);
        assert_int_equal(rc, 2);
        assert_string_equal(out, "");
        assert_non_null(strstr(err, needle));
        free(out);
        free(err);
}

static void test_selection_of_nothing_is_usage_error(void **state)
{
        (void)state;
        char root[4096];
        snprintf(root, sizeof(root), "%s/no-kubelet", tu_fixtures());
        char *a1[] = {(char *)tu_nodeward(), "check", "--root", root, "--only", "kubelet", "--skip", "kubelet", NULL};
        assert_usage_error(a1, "no check selected: --only kubelet --skip kubelet");
        assert_usage_error(a1, "hint: take some out of --skip");
        /* An empty list is no selection either (it used to run 0 checks and exit 0). */
        char *a2[] = {(char *)tu_nodeward(), "check", "--root", root, "--only", ",", NULL};
        assert_usage_error(a2, "hint: give --only ids or areas from 'nodeward list'");
        /* watch would loop forever over nothing. */
        char *a3[] = {(char *)tu_nodeward(), "watch", "--root", root, "--only", "ssh", "--skip", "ssh", NULL};
        assert_usage_error(a3, "no check selected");
        /* One id left is a selection: it runs. */
        char *a4[] = {(char *)tu_nodeward(),
                      "check",
                      "--root",
                      root,
                      "--only",
                      "ssh",
                      "--skip",
                      "ssh.exposed,ssh.pod-reachable,ssh.pod-attempts",
                      "--format",
                      "json",
                      NULL};
        char *out;
        int rc = tu_run(a4, &out, NULL);
        assert_true(rc == 0 || rc == 1);
        assert_non_null(strstr(out, "\"ssh.permit-root-login\""));
        assert_null(strstr(out, "\"ssh.exposed\""));
        free(out);
}

static void test_help_unknown_topic_lists_topics(void **state)
{
        (void)state;
        char *a1[] = {(char *)tu_nodeward(), "help", "nosuch", NULL};
        assert_usage_error(a1, "no topic \"nosuch\"; the topics are: check watch explain sockets list");
        char *a2[] = {(char *)tu_nodeward(), "help", "check", "extra", NULL};
        assert_usage_error(a2, "help takes one topic");
        /* Known topics still print their help on stdout and exit 0. */
        const char *topics[][2] = {
                {"check", "--fail-on"}, {"watch", "--interval"}, {"help", "Commands:"}, {"sockets", "--netns"}};
        for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
                char *a[] = {(char *)tu_nodeward(), "help", (char *)topics[i][0], NULL};
                char *out;
                assert_int_equal(tu_run(a, &out, NULL), 0);
                assert_non_null(strstr(out, topics[i][1]));
                free(out);
        }
}

static void test_repeated_option_is_usage_error(void **state)
{
        (void)state;
        /* Before, the second --only silently replaced the first: only ssh ran. */
        char *a1[] = {(char *)tu_nodeward(), "check", "--only", "kubelet", "--only", "ssh", NULL};
        assert_usage_error(a1, "--only given twice; give it once, with a comma-separated list");
        char *a2[] = {(char *)tu_nodeward(), "check", "--format", "json", "--format=text", NULL};
        assert_usage_error(a2, "--format given twice");
        char *a3[] = {(char *)tu_nodeward(), "watch", "--root", "/", "--root", "/tmp", NULL};
        assert_usage_error(a3, "--root given twice");
}

static void test_option_of_the_other_command_is_usage_error(void **state)
{
        (void)state;
        char *a1[] = {(char *)tu_nodeward(), "check", "--interval", "5", NULL};
        assert_usage_error(a1, "--interval applies to watch only");
        char *a2[] = {(char *)tu_nodeward(), "watch", "--fail-on", "high", NULL};
        assert_usage_error(a2, "--fail-on applies to check only");
        char *a3[] = {(char *)tu_nodeward(), "check", "--state", "/tmp/nw-cli-state", NULL};
        assert_usage_error(a3, "--state applies to watch only");
}

static void test_stray_arguments_are_usage_errors(void **state)
{
        (void)state;
        char *a1[] = {(char *)tu_nodeward(), "version", "extra", NULL};
        assert_usage_error(a1, "unexpected argument \"extra\"");
        char *a2[] = {(char *)tu_nodeward(), "--version", "extra", NULL};
        assert_usage_error(a2, "unexpected argument \"extra\"");
        char *a3[] = {(char *)tu_nodeward(), "check", "extra", NULL};
        assert_usage_error(a3, "unexpected argument \"extra\"");
        char *a4[] = {(char *)tu_nodeward(), "check", "--root", NULL};
        assert_usage_error(a4, "--root needs an argument");
        char *a5[] = {(char *)tu_nodeward(), "check", "--observe", "0", NULL};
        assert_usage_error(a5, "not a number of seconds");
        char *a6[] = {(char *)tu_nodeward(), "nosuch", NULL};
        assert_usage_error(a6, "unknown command \"nosuch\"");
        char *v[] = {(char *)tu_nodeward(), "--version", NULL};
        char *out;
        assert_int_equal(tu_run(v, &out, NULL), 0);
        assert_non_null(strstr(out, "nodeward "));
        free(out);
}

/* Lines of @s, and the widest of them in bytes (the fixture's evidence is ASCII). */
static size_t longest_line(const char *s, size_t *ret_lines)
{
        size_t best = 0, lines = 0;
        while (*s) {
                size_t n = strcspn(s, "\n");
                best = n > best ? n : best;
                lines++;
                s += n + (s[n] == '\n');
        }
        *ret_lines = lines;
        return best;
}

static void test_text_report_width_quiet_and_wide(void **state)
{
        (void)state;
        char root[4096];
        snprintf(root, sizeof(root), "%s/demo-al2023", tu_fixtures());
        char *argv[] = {(char *)tu_nodeward(), "check", "--root", root, "--only", "kubelet,kube-proxy", NULL, NULL};
        char *out;
        size_t lines;
        /* Not a terminal and no COLUMNS: 100 columns, the header's lines too (it wraps). */
        unsetenv("COLUMNS");
        assert_int_equal(tu_run(argv, &out, NULL), 1);
        assert_non_null(strstr(out, "\nkubelet\n"));
        if (longest_line(out, &lines) > 100)
                fail_msg("a line wider than 100 columns:\n%s", out);
        assert_non_null(strstr(out, "(evidence shortened to 100 columns; --wide or --format json shows all of it)\n"));
        /* The read-only port, first in "To fix", with the remediation naming the drop-in that set it. */
        const char *fix = strstr(out, "\nTo fix (failed at or above low, most severe first):\n"
                                      "  high     kubelet.read-only-port  (cis-eks-1.8.0 item 3.2.4)\n"
                                      "           readOnlyPort comes from drop-in "
                                      "/etc/kubernetes/kubelet/config.json.d/30-monitoring.conf:\n"
                                      "           change it to 0 in that drop-in");
        assert_non_null(fix);
        free(out);
        setenv("COLUMNS", "80", 1);
        assert_int_equal(tu_run(argv, &out, NULL), 1);
        if (longest_line(out, &lines) > 80)
                fail_msg("a line wider than 80 columns:\n%s", out);
        /* The header breaks between its fields, continuation lines indented. */
        assert_non_null(strstr(out, "\n  root "));
        free(out);
        unsetenv("COLUMNS");
        argv[6] = "--wide";
        assert_int_equal(tu_run(argv, &out, NULL), 1);
        /* The drop-in path and what it overrides, in full. */
        assert_non_null(strstr(out, "readOnlyPort=10255 from drop-in /etc/kubernetes/kubelet/config.json.d/"
                                    "30-monitoring.conf (config file /etc/kubernetes/kubelet/config.json says 0)"));
        assert_null(strstr(out, "shortened"));
        free(out);
        argv[6] = "--quiet";
        assert_int_equal(tu_run(argv, &out, NULL), 1);
        /* Six failed kubelet settings, then the summary: no header, passes, skips or "To fix". */
        longest_line(out, &lines);
        assert_true(lines == 7 || lines == 8); /* 8: the shortened-evidence note */
        assert_null(strstr(out, "PASS"));
        assert_null(strstr(out, "SKIP"));
        assert_null(strstr(out, "To fix"));
        assert_true(str_startswith(out, "  FAIL  high     kubelet.read-only-port"));
        assert_non_null(strstr(out, " checks: "));
        assert_non_null(strstr(out, " pass, 6 fail, "));
        free(out);
        char *a2[] = {(char *)tu_nodeward(), "check", "--quiet", "--format", "json", NULL};
        assert_usage_error(a2, "--quiet shapes the text report only");
        char *a3[] = {(char *)tu_nodeward(), "watch", "--wide", NULL};
        assert_usage_error(a3, "--wide and --deadline do not apply");
}

/* A root with no kubelet says so once at the top, and net.policy-engine does not
 * fail there: no kubelet, no pods for an enforcer to police. */
static void test_not_a_node_verdict_and_policy_engine_skip(void **state)
{
        (void)state;
        char root[4096], verdict[4400];
        snprintf(root, sizeof(root), "%s/no-kubelet", tu_fixtures());
        snprintf(verdict, sizeof(verdict),
                 "\nnot a Kubernetes node: no kubelet (process, kubelet.service or config) under %s; "
                 "host checks only\n"
                 "kubelet: 30 checks skipped (no kubelet found); --format json lists each\n"
                 "net: 1 check skipped (no kubelet found); --format json lists each\n\n",
                 root);
        char *argv[] = {(char *)tu_nodeward(),       "check", "--root", root, "--only",
                        "kubelet,net.policy-engine", NULL,    NULL,     NULL};
        char *out;
        /* Wide enough for the fixture's path: each of these lines whole. */
        setenv("COLUMNS", "1000", 1);
        /* Before, net.policy-engine failed here and the run exited 1. */
        assert_int_equal(tu_run(argv, &out, NULL), 0);
        const char *v = strstr(out, verdict);
        if (!v)
                fail_msg("no verdict and per-area skip counts:\n%s", out);
        /* The third line: right after the header and benchmark lines, before any area. */
        assert_ptr_equal(strchr(strchr(out, '\n') + 1, '\n'), v);
        /* The skips the verdict explains are counted, not listed one by one: a short
         * report (header, benchmark, verdict, two counts, the summary and a note). */
        assert_null(strstr(out, "SKIP "));
        assert_null(strstr(out, "\nkubelet\n"));
        assert_null(strstr(out, "To fix"));
        size_t lines = 0;
        for (const char *p = out; *p; p++)
                lines += *p == '\n';
        if (lines > 10)
                fail_msg("%zu lines where the verdict says it all:\n%s", lines, out);
        free(out);
        /* The whole catalog on this root (its host checks fail): no kubelet or kube-proxy
         * check listed either. */
        argv[4] = NULL;
        assert_int_equal(tu_run(argv, &out, NULL), 1);
        tu_assert_contains_("kube-proxy count", out,
                            "\nkube-proxy: 3 checks skipped (no kube-proxy found); --format json lists each\n");
        assert_null(strstr(out, "  SKIP  high     kubelet."));
        assert_null(strstr(out, " kube-proxy.kubeconfig"));
        assert_null(strstr(out, "no kubelet found: no process"));
        free(out);
        unsetenv("COLUMNS");
        argv[4] = "--only";
        argv[6] = "--format";
        argv[7] = "json";
        cJSON *j = NULL;
        assert_int_equal(tu_run(argv, &out, NULL), 0);
        j = cJSON_Parse(out);
        assert_non_null(j);
        /* JSON lists every check the text counts. */
        tu_assert_result(j, "net.policy-engine", "skip", "not a Kubernetes node: no kubelet found");
        tu_assert_result(j, "kubelet.seccomp-default", "skip", "no kubelet found");
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "results")), 31);
        cJSON_Delete(j);
        free(out);
        /* --expect kubelet: the missing kubelet is the error, not a verdict about the machine. */
        argv[6] = "--expect";
        argv[7] = "kubelet";
        assert_int_equal(tu_run(argv, &out, NULL), 2);
        assert_null(strstr(out, "not a Kubernetes node"));
        assert_non_null(strstr(out, "  ERROR medium   net.policy-engine                 --expect kubelet, but under "));
        free(out);
        /* A node with a kubelet gets no verdict line. */
        snprintf(root, sizeof(root), "%s/demo-al2023", tu_fixtures());
        argv[6] = NULL;
        tu_run(argv, &out, NULL);
        assert_null(strstr(out, "not a Kubernetes node"));
        assert_non_null(strstr(out, "net.policy-engine                 no network policy enforcer"));
        free(out);
}

/* An unprivileged nodeward cannot open /proc/1/ns/net (no ptrace access to pid 1):
 * it reads its own namespace instead, and every verdict built on the listeners
 * says so rather than passing as the host's. */
static void test_own_namespace_fallback_is_stated(void **state)
{
        (void)state;
        if (geteuid() != 0)
                fail_msg("needs root to switch to an unprivileged user: run `make test` as root");
        char *argv[] = {"/usr/bin/setpriv",
                        "--reuid",
                        "65534",
                        "--regid",
                        "65534",
                        "--clear-groups",
                        (char *)tu_nodeward(),
                        "check",
                        "--proc",
                        "/proc",
                        "--only",
                        "net.wildcard-listeners,ssh.permit-root-login",
                        "--format",
                        "json",
                        NULL};
        char *out, *err;
        int rc = tu_run(argv, &out, &err);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("exit %d, no JSON: %s", rc, err);
        const char *ev = cJSON_GetObjectItem(tu_result(j, "net.wildcard-listeners"), "evidence")->valuestring;
        tu_assert_contains_("net.wildcard-listeners", ev,
                            "listeners read in nodeward's own network namespace: /proc/1/ns/net: Permission denied");
        /* Checks that do not read listeners carry no such note. */
        ev = cJSON_GetObjectItem(tu_result(j, "ssh.permit-root-login"), "evidence")->valuestring;
        assert_null(strstr(ev, "network namespace"));
        cJSON_Delete(j);
        free(out);
        free(err);
}

/* Every reference names a public document: nothing points into the project's own
 * working papers, which users do not have. */
static void test_references_are_public_documents(void **state)
{
        (void)state;
        char root[4096];
        snprintf(root, sizeof(root), "%s/demo-al2023", tu_fixtures());
        char *list[] = {(char *)tu_nodeward(), "list", NULL};
        char *json[] = {(char *)tu_nodeward(), "check",    "--root", root, "--proc", root, "--only",
                        "ssh,kubelet",         "--format", "json",   NULL};
        char *sarif[] = {(char *)tu_nodeward(), "check",    "--root", root, "--proc", root, "--only",
                         "ssh,kubelet",         "--format", "sarif",  NULL};
        char *const *runs[] = {list, json, sarif};
        for (size_t i = 0; i < 3; i++) {
                char *out;
                int rc = tu_run(runs[i], &out, NULL);
                assert_true(rc == 0 || rc == 1);
                assert_non_null(strstr(out, "ssh.authorized-keys"));
                if (strstr(out, "seeds/") || strstr(out, "seeds\\/"))
                        fail_msg("%s output cites seeds/", runs[i][1]);
                assert_non_null(strstr(out, "Minimize access to worker nodes"));
                free(out);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_selection_of_nothing_is_usage_error),
                cmocka_unit_test(test_help_unknown_topic_lists_topics),
                cmocka_unit_test(test_repeated_option_is_usage_error),
                cmocka_unit_test(test_option_of_the_other_command_is_usage_error),
                cmocka_unit_test(test_stray_arguments_are_usage_errors),
                cmocka_unit_test(test_text_report_width_quiet_and_wide),
                cmocka_unit_test(test_not_a_node_verdict_and_policy_engine_skip),
                cmocka_unit_test(test_own_namespace_fallback_is_stated),
                cmocka_unit_test(test_references_are_public_documents),
        };
        return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
