/* test_report_formats: text, SARIF, Prometheus, NPD and the atomic textfile, rendered from hand-made runs. */
#include "testutil.h"

#include <dirent.h>

#include "render/report.h"
#include "collect/facts.h"
#include "base/textfile.h"
#include "base/util.h"

static const struct check_def *def(const char *id)
{
        for (size_t i = 0; i < check_catalog_len; i++)
                if (strcmp(check_catalog[i].id, id) == 0)
                        return &check_catalog[i];
        fail_msg("no check %s in the catalog", id);
        return NULL;
}

/* A run of @n results given as (id, status, evidence) triples. */
static void make_run(struct run *run, size_t n, const char *const *spec)
{
        memset(run, 0, sizeof(*run));
        run->benchmark = benchmark_default();
        run->benchmark_why = "test";
        run->results = calloc(n, sizeof(struct result));
        for (size_t i = 0; i < n; i++) {
                struct result *r = &run->results[run->n++];
                r->check = def(spec[3 * i]);
                r->item = benchmark_item(run->benchmark, r->check->id);
                for (int s = 0; s < ST__COUNT; s++)
                        if (strcmp(status_name((enum status)s), spec[3 * i + 1]) == 0)
                                r->status = (enum status)s;
                r->evidence = strdup(spec[3 * i + 2]);
                run->summary[r->status]++;
        }
        /* As the engine does: where each result lives, here from no facts at all. */
        static const struct facts no_facts;
        run_describe(run, &no_facts);
}

static struct report_meta meta = {
        .started = "2026-01-02T03:04:05Z", .duration_ms = 12, .started_epoch = 1767323045.5, .duration_s = 0.012};

static const cJSON *sarif_results(const cJSON *log)
{
        const cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(log, "runs"), 0);
        return cJSON_GetObjectItem(run, "results");
}

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
        const cJSON *x = cJSON_GetObjectItem(o, a);
        if (b)
                x = cJSON_GetObjectItem(x, b);
        return cJSON_IsString(x) ? x->valuestring : NULL;
}

static void test_sarif_kind_and_level_follow_status(void **state)
{
        (void)state;
        static const char *const spec[] = {
                "kubelet.anonymous-auth",    "pass",  "disabled",
                "kubelet.read-only-port",    "fail",  "readOnlyPort=10255",
                "kubelet.tls-cipher-suites", "warn",  "unset",
                "kubelet.event-qps",         "fail",  "eventRecordQPS=1",
                "kubelet.hostname-override", "skip",  "no kubelet",
                "kubelet.client-ca-file",    "error", "cannot read",
        };
        static const char *const want[][2] = {{"pass", "none"}, {"fail", "error"},         {"fail", "warning"},
                                              {"fail", "note"}, {"notApplicable", "none"}, {"open", "none"}};
        struct run run;
        make_run(&run, 6, spec);
        cJSON *log = report_sarif(&run, &meta, 1);
        assert_string_equal(str_at(log, "version", NULL), "2.1.0");
        const cJSON *results = sarif_results(log);
        assert_int_equal(cJSON_GetArraySize(results), 6);
        for (int i = 0; i < 6; i++) {
                const cJSON *r = cJSON_GetArrayItem(results, i);
                assert_string_equal(str_at(r, "kind", NULL), want[i][0]);
                assert_string_equal(str_at(r, "level", NULL), want[i][1]);
                assert_string_equal(str_at(r, "ruleId", NULL), spec[3 * i]);
                assert_int_equal(cJSON_GetObjectItem(r, "ruleIndex")->valueint, i);
        }
        const cJSON *run0 = cJSON_GetArrayItem(cJSON_GetObjectItem(log, "runs"), 0);
        const cJSON *rules = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(run0, "tool"), "driver"),
                                                 "rules");
        assert_string_equal(str_at(cJSON_GetArrayItem(rules, 5), "id", NULL), "kubelet.client-ca-file");
        const cJSON *inv = cJSON_GetArrayItem(cJSON_GetObjectItem(run0, "invocations"), 0);
        assert_int_equal(cJSON_GetObjectItem(inv, "exitCode")->valueint, 1);
        const cJSON *notes = cJSON_GetObjectItem(inv, "toolExecutionNotifications");
        assert_int_equal(cJSON_GetArraySize(notes), 1);
        assert_string_equal(str_at(cJSON_GetArrayItem(notes, 0), "associatedRule", "id"), "kubelet.client-ca-file");
        cJSON_Delete(log);
        run_free(&run);
}

static const cJSON *first_location(const cJSON *result)
{
        return cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(result, "locations"), 0), "physicalLocation");
}

static void test_sarif_location_from_file_line_in_evidence(void **state)
{
        (void)state;
        static const char *const spec[] = {
                "kubelet.anonymous-auth", "error", "/etc/kubernetes/kubelet#1/config.json:3:14: expected value",
                "kubelet.read-only-port", "pass",  "readOnlyPort=0 from default",
        };
        struct run run;
        make_run(&run, 2, spec);
        cJSON *log = report_sarif(&run, &meta, 2);
        const cJSON *loc = first_location(cJSON_GetArrayItem(sarif_results(log), 0));
        assert_non_null(loc);
        assert_string_equal(str_at(loc, "artifactLocation", "uri"), "file:///etc/kubernetes/kubelet%231/config.json");
        const cJSON *region = cJSON_GetObjectItem(loc, "region");
        assert_int_equal(cJSON_GetObjectItem(region, "startLine")->valueint, 3);
        assert_int_equal(cJSON_GetObjectItem(region, "startColumn")->valueint, 14);
        /* Without a kubelet in the facts, nothing says where the second one lives. */
        assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(sarif_results(log), 1), "locations"));
        cJSON_Delete(log);
        run_free(&run);
}

static void test_sarif_kubelet_results_point_at_the_file_to_edit(void **state)
{
        (void)state;
        static const char *const spec[] = {
                "kubelet.anonymous-auth",
                "fail",
                "enabled=true from drop-in /etc/kubernetes/kubelet.conf.d/10-x.conf",
                "kubelet.read-only-port",
                "fail",
                "readOnlyPort=10255 from flag --read-only-port",
                "kubelet.protect-kernel-defaults",
                "fail",
                "protectKernelDefaults=false from default",
                "kubelet.kubeconfig-permissions",
                "fail",
                "mode 0666",
        };
        struct run run;
        make_run(&run, 4, spec);
        struct facts f = {.collected = FACT_KUBELET};
        struct kfile dropin = {.path = (char *)"/etc/kubernetes/kubelet.conf.d/10-x.conf"};
        f.kubelet.found = true;
        f.kubelet.has_config = true;
        f.kubelet.config.path = (char *)"/etc/kubernetes/kubelet/config.json";
        f.kubelet.has_kubeconfig = true;
        f.kubelet.kubeconfig.path = (char *)"/var/lib/kubelet/kubeconfig";
        f.kubelet.dropins = &dropin;
        f.kubelet.n_dropins = 1;
        run_describe(&run, &f);
        cJSON *log = report_sarif(&run, &meta, 1);
        const cJSON *res = sarif_results(log);
        static const char *const want[] = {"file:///etc/kubernetes/kubelet.conf.d/10-x.conf", NULL,
                                           "file:///etc/kubernetes/kubelet/config.json",
                                           "file:///var/lib/kubelet/kubeconfig"};
        for (int i = 0; i < 4; i++) {
                const cJSON *loc = first_location(cJSON_GetArrayItem(res, i));
                if (!want[i])
                        assert_null(loc);
                else
                        assert_string_equal(str_at(loc, "artifactLocation", "uri"), want[i]);
        }
        cJSON_Delete(log);
        run_free(&run);
}

/* File-mode checks point at the file they judged; kube-proxy's metrics at its config file. */
static void test_sarif_worker_node_results_point_at_their_file(void **state)
{
        (void)state;
        static const char *const spec[] = {
                "kubelet.service-file-permissions",
                "fail",
                "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf mode 0644, /x mode 0600 (want 0600 or stricter)",
                "kube-proxy.kubeconfig-ownership",
                "error",
                "/var/lib/kube proxy/kubeconfig.conf: Permission denied",
                "kube-proxy.metrics-bind-address",
                "fail",
                "metricsBindAddress=0.0.0.0:10249 from config file /c",
                "kubelet.client-ca-ownership",
                "skip",
                "authentication.x509.clientCAFile is not set",
        };
        struct run run;
        make_run(&run, 4, spec);
        struct facts f = {.collected = FACT_KUBE_PROXY};
        f.kube_proxy.config_host_path =
                (char *)"/var/lib/kubelet/pods/u/volumes/kubernetes.io~configmap/kube-proxy/config.conf";
        run_describe(&run, &f);
        cJSON *log = report_sarif(&run, &meta, 1);
        const cJSON *res = sarif_results(log);
        static const char *const want[] = {
                "file:///usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
                "file:///var/lib/kube%20proxy/kubeconfig.conf",
                "file:///var/lib/kubelet/pods/u/volumes/kubernetes.io~configmap/kube-proxy/config.conf", NULL};
        for (int i = 0; i < 4; i++) {
                const cJSON *loc = first_location(cJSON_GetArrayItem(res, i));
                if (!want[i])
                        assert_null(loc);
                else
                        assert_string_equal(str_at(loc, "artifactLocation", "uri"), want[i]);
        }
        cJSON_Delete(log);
        run_free(&run);
}

static void test_npd_line_fits_80_bytes_most_severe_first(void **state)
{
        (void)state;
        static const char *const spec[] = {
                "kubelet.event-qps",         "fail", "x", "kubelet.iptables-util-chains", "fail", "x",
                "kubelet.hostname-override", "fail", "x", "kubelet.config-permissions",   "fail", "x",
                "kubelet.config-ownership",  "fail", "x", "kubelet.read-only-port",       "fail", "x",
                "kubelet.anonymous-auth",    "pass", "x",
        };
        struct run run;
        make_run(&run, 7, spec);
        char *line = report_npd_line(&run, SEV_LOW, 1);
        assert_true(strlen(line) <= NPD_LINE_MAX);
        assert_null(strchr(line, '\n'));
        assert_true(str_startswith(line, "NonOK: 6 failed: kubelet.read-only-port "));
        assert_non_null(strstr(line, " +"));
        free(line);
        /* Failures below --fail-on are not the reason for NonOK and are not named. */
        line = report_npd_line(&run, SEV_HIGH, 1);
        assert_string_equal(line, "NonOK: 1 failed: kubelet.read-only-port");
        free(line);
        run_free(&run);
}

static void test_npd_ok_and_unknown_lines(void **state)
{
        (void)state;
        static const char *const spec[] = {
                "kubelet.anonymous-auth", "pass",  "x", "kubelet.event-qps", "fail", "x",
                "kubelet.client-ca-file", "error", "x",
        };
        struct run run;
        make_run(&run, 3, spec);
        char *line = report_npd_line(&run, SEV_HIGH, 2);
        assert_string_equal(line, "Unknown: 1 not evaluated: kubelet.client-ca-file");
        free(line);
        line = report_npd_line(&run, SEV_HIGH, 0);
        assert_string_equal(line, "OK: 3 checks, 1 pass, 1 fail, 0 warn, 0 skip");
        free(line);
        run_free(&run);
}

/* A check the benchmark has no item for keeps its series, with empty item labels. */
static void test_prometheus_check_outside_benchmark_has_empty_item(void **state)
{
        (void)state;
        static const char *const spec[] = {"ssh.permit-root-login", "fail", "x"};
        struct run run;
        make_run(&run, 1, spec);
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        report_prometheus(m, &run, &meta);
        fclose(m);
        assert_non_null(strstr(buf, "{id=\"ssh.permit-root-login\",severity=\"high\",status=\"fail\","
                                    "benchmark=\"cis-eks-1.8.0\",item=\"\",level=\"\",assessment=\"\"} 1\n"));
        free(buf);
        run_free(&run);
}

/* JSON keeps "references" as strings (v1 readers) with the item first, and adds
 * the structured form; a check outside the benchmark gets an empty list. */
static void test_json_references_structured_and_backward_compatible(void **state)
{
        (void)state;
        static const char *const spec[] = {"kubelet.iptables-util-chains", "pass", "x",
                                           "ssh.permit-root-login",        "fail", "y"};
        struct run run;
        make_run(&run, 2, spec);
        cJSON *j = report_json(&run, &meta);
        assert_string_equal(str_at(j, "schema", NULL), "nodeward.report/v1");
        assert_string_equal(str_at(j, "benchmark", "id"), "cis-eks-1.8.0");
        assert_string_equal(str_at(j, "benchmark", "version"), "1.8.0");
        assert_string_equal(str_at(j, "benchmark", "selected_by"), "test");
        const cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "results"), 0);
        /* EKS 1.5.0 renumbered: make-iptables-util-chains is 3.2.6 since (it was 3.2.7 in 1.0.1). */
        assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(r0, "references"), 0)->valuestring,
                            "CIS Amazon EKS Benchmark 1.8.0 3.2.6");
        const cJSON *b = cJSON_GetArrayItem(cJSON_GetObjectItem(r0, "benchmark_references"), 0);
        assert_string_equal(str_at(b, "benchmark", NULL), "CIS Amazon EKS Benchmark");
        assert_string_equal(str_at(b, "version", NULL), "1.8.0");
        assert_string_equal(str_at(b, "item", NULL), "3.2.6");
        assert_int_equal(cJSON_GetObjectItem(b, "level")->valueint, 1);
        assert_string_equal(str_at(b, "assessment", NULL), "automated");
        const cJSON *r1 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "results"), 1);
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r1, "benchmark_references")), 0);
        assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(r1, "references")) > 0);
        cJSON_Delete(j);
        run_free(&run);
}

static void test_sarif_rule_tags_name_item_level_assessment(void **state)
{
        (void)state;
        static const char *const spec[] = {"kubelet.event-qps", "fail", "x"};
        struct run run;
        make_run(&run, 1, spec);
        cJSON *log = report_sarif(&run, &meta, 1);
        const cJSON *rule = cJSON_GetArrayItem(
                cJSON_GetObjectItem(
                        cJSON_GetObjectItem(
                                cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(log, "runs"), 0), "tool"),
                                "driver"),
                        "rules"),
                0);
        const cJSON *tags = cJSON_GetObjectItem(cJSON_GetObjectItem(rule, "properties"), "tags");
        bool item = false, level = false, auto_ = false;
        const cJSON *t;
        cJSON_ArrayForEach(t, tags)
        {
                item |= strcmp(t->valuestring, "CIS Amazon EKS Benchmark 1.8.0 3.2.7") == 0;
                level |= strcmp(t->valuestring, "level-2") == 0; /* eventRecordQPS is Level 2 */
                auto_ |= strcmp(t->valuestring, "automated") == 0;
        }
        assert_true(item && level && auto_);
        const cJSON *b = cJSON_GetArrayItem(
                cJSON_GetObjectItem(cJSON_GetObjectItem(rule, "properties"), "benchmark_references"), 0);
        assert_string_equal(str_at(b, "item", NULL), "3.2.7");
        cJSON_Delete(log);
        run_free(&run);
}

static char *render_prom(const struct run *run)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        report_prometheus(m, run, &meta);
        fclose(m);
        return buf;
}

static void test_prometheus_one_series_per_status_and_escaped_labels(void **state)
{
        (void)state;
        static const char *const spec[] = {"kubelet.read-only-port", "fail", "x",
                                           "kubelet.anonymous-auth", "pass", "x"};
        struct run run;
        make_run(&run, 2, spec);
        char *out = render_prom(&run);
        assert_non_null(strstr(out, "# TYPE nodeward_check_status gauge\n"));
        /* The item is CIS EKS 1.8.0's (kube-bench cfg/eks-1.8.0/node.yaml: 3.2.4, Automated). */
        assert_non_null(strstr(out,
                               "nodeward_check_status{id=\"kubelet.read-only-port\",severity=\"high\",status=\"fail\","
                               "benchmark=\"cis-eks-1.8.0\",item=\"3.2.4\",level=\"1\",assessment=\"automated\"} 1\n"));
        assert_non_null(strstr(out,
                               "nodeward_check_status{id=\"kubelet.read-only-port\",severity=\"high\",status=\"pass\","
                               "benchmark=\"cis-eks-1.8.0\",item=\"3.2.4\",level=\"1\",assessment=\"automated\"} 0\n"));
        assert_non_null(strstr(out, "nodeward_checks{status=\"fail\"} 1\n"));
        assert_non_null(strstr(out, "nodeward_last_run_timestamp_seconds 1767323045.500\n"));
        assert_non_null(strstr(out, "nodeward_run_duration_seconds 0.012000\n"));
        int series = 0;
        for (const char *p = out; (p = strstr(p, "\nnodeward_check_status{")); p++)
                series++;
        assert_int_equal(series, 2 * ST__COUNT);
        free(out);
        /* A hostile id cannot break out of its label. */
        struct check_def odd = *def("kubelet.event-qps");
        odd.id = "a\"b\\c\nd";
        run.results[0].check = &odd;
        out = render_prom(&run);
        assert_non_null(strstr(out, "{id=\"a\\\"b\\\\c\\nd\",severity="));
        free(out);
        run_free(&run);
}

static int count_entries(const char *dir)
{
        DIR *d = opendir(dir);
        int n = 0;
        for (struct dirent *e; (e = readdir(d));)
                n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
        closedir(d);
        return n;
}

static char *slurp(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        char *s = tu_read_fd(fd);
        close(fd);
        return s;
}

static void test_textfile_replaces_atomically(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp();
        tu_write(dir, "nodeward.prom", "old 1\n");
        char path[4096];
        snprintf(path, sizeof(path), "%s/nodeward.prom", dir);
        mode_t old_mask = umask(077);
        struct textfile tf;
        assert_int_equal(textfile_begin(path, &tf), 0);
        assert_true(str_startswith(path_basename(tf.tmp_path), ".nodeward.prom."));
        fputs("new 2\n", tf.f);
        fflush(tf.f);
        /* Until the commit a reader sees the whole old file, never a partial new one. */
        char *s = slurp(path);
        assert_string_equal(s, "old 1\n");
        free(s);
        assert_int_equal(count_entries(dir), 2);
        assert_int_equal(textfile_commit(&tf), 0);
        umask(old_mask);
        s = slurp(path);
        assert_string_equal(s, "new 2\n");
        free(s);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        assert_int_equal(count_entries(dir), 1);
        assert_null(tf.tmp_path);
        tu_rm_rf(dir);
        free(dir);
}

static void test_textfile_abort_and_missing_directory(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp();
        char path[4096];
        snprintf(path, sizeof(path), "%s/x.prom", dir);
        struct textfile tf;
        assert_int_equal(textfile_begin(path, &tf), 0);
        textfile_abort(&tf);
        assert_int_equal(count_entries(dir), 0);
        snprintf(path, sizeof(path), "%s/missing/x.prom", dir);
        assert_int_equal(textfile_begin(path, &tf), -ENOENT);
        tu_rm_rf(dir);
        free(dir);
}

/* The text report of @run with @o, as one string. */
static char *render_text(struct run *run, const struct text_opts *o)
{
        struct facts f = {0};
        f.node.hostname = (char *)"ip-10-0-1-23";
        f.node.os = (char *)"Amazon Linux 2023";
        f.node.kernel = (char *)"6.1.0";
        f.root_path = (char *)"/host";
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        assert_non_null(out);
        run_describe(run, &f);
        report_text(out, run, &meta, o);
        assert_int_equal(fclose(out), 0);
        return buf;
}

/* Columns of the longest line, a column per code point. */
static size_t widest_line(const char *s)
{
        size_t best = 0, cur = 0;
        for (; *s; s++) {
                if (*s == '\n') {
                        cur = 0;
                        continue;
                }
                if (((unsigned char)*s & 0xc0) != 0x80 && ++cur > best)
                        best = cur;
        }
        return best;
}

static void test_text_to_fix_lists_failures_most_severe_first(void **state)
{
        (void)state;
        static const char *const spec[] = {
                "kubelet.anonymous-auth",    "pass",  "disabled",
                "kubelet.hostname-override", "fail",  "--hostname-override=x",
                "kubelet.read-only-port",    "fail",  "readOnlyPort=10255",
                "kubelet.tls-cipher-suites", "fail",  "weak suites",
                "kubelet.client-ca-file",    "error", "cannot read",
                "net.kubelet-api-exposed",   "fail",  "0.0.0.0:10250",
        };
        struct run run;
        make_run(&run, 6, spec);
        struct text_opts o = {.width = 100, .fail_on = SEV_LOW};
        char *t = render_text(&run, &o);
        const char *fix = strstr(t, "\nTo fix (failed at or above low, most severe first):\n");
        assert_non_null(fix);
        /* high, then medium, then low, whatever the catalog order; each with its remediation. */
        const char *ro = strstr(fix, "  high     kubelet.read-only-port  (cis-eks-1.8.0 item 3.2.4)\n"
                                     "           Set readOnlyPort: 0 in the kubelet config");
        const char *tls = strstr(fix, "  medium   kubelet.tls-cipher-suites");
        const char *host = strstr(fix, "  low      kubelet.hostname-override");
        assert_non_null(ro);
        assert_non_null(tls);
        assert_non_null(host);
        assert_true(ro < tls && tls < host);
        /* Not a failure, or below --fail-on: not in the list, but the latter is counted. */
        assert_null(strstr(fix, "anonymous-auth"));
        assert_null(strstr(fix, "client-ca-file"));
        assert_null(strstr(fix, "net.kubelet-api-exposed"));
        assert_non_null(strstr(fix, "1 more failed below --fail-on low; run with --fail-on info to list them\n"));
        /* The summary line closes the report. */
        assert_non_null(strstr(fix, "\n6 checks: 1 pass, 4 fail, 0 warn, 0 skip, 1 error  (12 ms)\n"));
        free(t);
        /* --fail-on high: only the high failure is listed. */
        o.fail_on = SEV_HIGH;
        t = render_text(&run, &o);
        fix = strstr(t, "To fix (failed at or above high");
        assert_non_null(fix);
        assert_non_null(strstr(fix, "kubelet.read-only-port"));
        assert_null(strstr(fix, "kubelet.tls-cipher-suites"));
        assert_non_null(strstr(fix, "3 more failed below --fail-on high"));
        free(t);
        run_free(&run);
}

static void test_text_without_failures_has_no_fix_section(void **state)
{
        (void)state;
        static const char *const spec[] = {"kubelet.anonymous-auth", "pass", "disabled",
                                           "kubelet.event-qps",      "warn", "eventRecordQPS=2"};
        struct run run;
        make_run(&run, 2, spec);
        struct text_opts o = {.width = 100, .fail_on = SEV_LOW};
        char *t = render_text(&run, &o);
        assert_null(strstr(t, "To fix"));
        assert_non_null(strstr(t, "  WARN  low      kubelet.event-qps                 eventRecordQPS=2\n"));
        free(t);
        run_free(&run);
}

static void test_text_says_once_when_no_kubelet_was_found(void **state)
{
        (void)state;
        static const char *const spec[] = {"kubelet.anonymous-auth", "skip", "no kubelet found"};
        struct run run;
        make_run(&run, 1, spec);
        struct facts f = {.collected = FACT_KUBELET, .root_path = (char *)"/host"};
        f.node.hostname = f.node.os = f.node.kernel = (char *)"x";
        struct text_opts o = {.width = 100, .fail_on = SEV_LOW};
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        run_describe(&run, &f);
        report_text(out, &run, &meta, &o);
        o.kubelet_expected = true; /* --expect kubelet: the error says it, not a verdict */
        report_text(out, &run, &meta, &o);
        o.kubelet_expected = false;
        f.kubelet.found = true;
        run_describe(&run, &f);
        report_text(out, &run, &meta, &o);
        fclose(out);
        const char *v = "not a Kubernetes node: no kubelet (process, kubelet.service or config) under /host; "
                        "host checks only\n";
        const char *first = strstr(buf, v);
        assert_non_null(first);
        assert_null(strstr(first + 1, v));
        free(buf);
        run_free(&run);
}

static void test_text_quiet_keeps_failures_errors_and_summary(void **state)
{
        (void)state;
        static const char *const spec[] = {
                "kubelet.anonymous-auth",    "pass",  "disabled",
                "kubelet.read-only-port",    "fail",  "readOnlyPort=10255",
                "kubelet.event-qps",         "warn",  "eventRecordQPS=2",
                "kubelet.hostname-override", "skip",  "no flag",
                "ssh.permit-root-login",     "error", "sshd_config line 3: bad",
                "ssh.x11-forwarding",        "pass",  "no",
        };
        struct run run;
        make_run(&run, 6, spec);
        struct text_opts o = {.quiet = true, .width = 100, .fail_on = SEV_LOW};
        char *t = render_text(&run, &o);
        assert_string_equal(t, "  FAIL  high     kubelet.read-only-port            readOnlyPort=10255\n"
                               "  ERROR high     ssh.permit-root-login             sshd_config line 3: bad\n"
                               "6 checks: 2 pass, 1 fail, 1 warn, 1 skip, 1 error  (12 ms)\n");
        free(t);
        run_free(&run);
}

static void test_text_evidence_fits_the_width_and_wide_keeps_it(void **state)
{
        (void)state;
        /* 300 columns of evidence, with multi-byte characters a cut must not split. */
        char ev[1024] = "tlsCipherSuites=";
        while (strlen(ev) < 600)
                strcat(ev, "\xc3\xa9TLS_RSA, ");
        const char *spec[] = {"kubelet.tls-cipher-suites", "fail", ev, "kubelet.anonymous-auth", "pass", "short"};
        struct run run;
        make_run(&run, 2, spec);
        struct text_opts o = {.width = 100, .fail_on = SEV_LOW};
        char *t = render_text(&run, &o);
        /* The header names the root and may be wider; every check and fix line fits. */
        const char *body = strstr(t, "\nkubelet\n");
        assert_non_null(body);
        const char *note = strstr(body,
                                  "(evidence shortened to 100 columns; --wide or --format json shows all of it)\n");
        assert_non_null(note);
        char *checks = strndup(body, (size_t)(note - body));
        assert_true(widest_line(checks) <= 100);
        const char *line = strstr(checks, "  FAIL  medium   kubelet.tls-cipher-suites         tlsCipherSuites=");
        assert_non_null(line);
        assert_true(widest_line(line) == 100 || strchr(line, '\n')[-1] == '.');
        assert_non_null(strstr(line, "...\n"));
        /* A cut between the two bytes of U+00E9 would leave invalid UTF-8 before "...". */
        assert_null(strstr(line, "\xc3..."));
        assert_non_null(strstr(checks, "kubelet.anonymous-auth            short\n"));
        free(checks);
        free(t);
        /* A narrow terminal wraps the remediation instead of cutting it. */
        o.width = 40;
        t = render_text(&run, &o);
        assert_non_null(strstr(t, "           Set tlsCipherSuites to ECDHE\n"
                                  "           suites with AES-GCM or\n"));
        free(t);
        o.width = 0;
        t = render_text(&run, &o);
        assert_non_null(strstr(t, ev));
        assert_null(strstr(t, "shortened"));
        free(t);
        run_free(&run);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sarif_kind_and_level_follow_status),
                cmocka_unit_test(test_sarif_location_from_file_line_in_evidence),
                cmocka_unit_test(test_sarif_kubelet_results_point_at_the_file_to_edit),
                cmocka_unit_test(test_sarif_worker_node_results_point_at_their_file),
                cmocka_unit_test(test_npd_line_fits_80_bytes_most_severe_first),
                cmocka_unit_test(test_npd_ok_and_unknown_lines),
                cmocka_unit_test(test_prometheus_one_series_per_status_and_escaped_labels),
                cmocka_unit_test(test_prometheus_check_outside_benchmark_has_empty_item),
                cmocka_unit_test(test_json_references_structured_and_backward_compatible),
                cmocka_unit_test(test_sarif_rule_tags_name_item_level_assessment),
                cmocka_unit_test(test_textfile_replaces_atomically),
                cmocka_unit_test(test_textfile_abort_and_missing_directory),
                cmocka_unit_test(test_text_to_fix_lists_failures_most_severe_first),
                cmocka_unit_test(test_text_without_failures_has_no_fix_section),
                cmocka_unit_test(test_text_says_once_when_no_kubelet_was_found),
                cmocka_unit_test(test_text_quiet_keeps_failures_errors_and_summary),
                cmocka_unit_test(test_text_evidence_fits_the_width_and_wide_keeps_it),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
