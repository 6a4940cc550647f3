/* test_ssm_document: the SSM Command document's script, run as Run Command would: verified install, report file, exit codes. */
#include "fleet.h"

#include <sys/utsname.h>

static char *slurp(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                fail_msg("%s: %s", path, strerror(errno));
        char *s = tu_read_fd(fd);
        close(fd);
        return s;
}

/* The value given for parameter @name in @kv ("name=value" entries, NULL-ended), else its default. */
static const char *param_value(const cJSON *params, const char *const *kv, const char *name)
{
        for (; kv && *kv; kv++)
                if (str_startswith(*kv, name) && (*kv)[strlen(name)] == '=')
                        return *kv + strlen(name) + 1;
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(params, name);
        if (!p)
                fail_msg("{{ %s }} is not a parameter of the document", name);
        const char *def = cJSON_GetStringValue(cJSON_GetObjectItem(p, "default"));
        assert_non_null(def);
        return def;
}

/* The first step's script with every {{ name }} replaced, as SSM does before running it. */
static char *ssm_script(const char *const *kv)
{
        char *doc = slurp("images/ssm-document.json");
        cJSON *j = cJSON_Parse(doc);
        assert_non_null(j);
        const cJSON *params = cJSON_GetObjectItem(j, "parameters");
        const cJSON *step = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "mainSteps"), 0);
        assert_string_equal(cJSON_GetObjectItem(step, "action")->valuestring, "aws:runShellScript");
        struct strbuf sb = {0};
        const cJSON *line;
        cJSON_ArrayForEach(line, cJSON_GetObjectItem(cJSON_GetObjectItem(step, "inputs"), "runCommand"))
        {
                for (const char *p = line->valuestring; *p;) {
                        const char *end = str_startswith(p, "{{ ") ? strstr(p, " }}") : NULL;
                        if (!end) {
                                sb_putc(&sb, *p++);
                                continue;
                        }
                        char name[64];
                        snprintf(name, sizeof(name), "%.*s", (int)(end - p - 3), p + 3);
                        sb_puts(&sb, param_value(params, kv, name));
                        p = end + 3;
                }
                sb_putc(&sb, '\n');
        }
        cJSON_Delete(j);
        free(doc);
        return sb_steal(&sb);
}

/* Run the script with PATH=@path_dir first; @pre runs before it in the same shell
 * (e.g. starting a server); everything inside a fresh network namespace. */
static int run_ssm(const char *path_dir, const char *const *kv, char **ret_out, char **ret_err)
{
        char *script = ssm_script(kv);
        assert_null(strstr(script, "{{"));
        tu_write(scratch, "ssm.sh", script);
        free(script);
        char cmd[8192];
        snprintf(cmd, sizeof(cmd), "PATH='%s:/usr/sbin:/usr/bin:/sbin:/bin' /bin/sh '%s/ssm.sh'", path_dir, scratch);
        return fl_sh(cmd, ret_out, ret_err);
}

static char *sha256_of(const char *path)
{
        char cmd[4200], *out;
        snprintf(cmd, sizeof(cmd), "sha256sum '%s' | cut -d' ' -f1 | tr -d '\\n'", path);
        assert_int_equal(fl_sh(cmd, &out, NULL), 0);
        assert_int_equal(strlen(out), 64);
        return out;
}

static const char *arch_param(const char *what)
{
        static char buf[32];
        struct utsname u;
        assert_int_equal(uname(&u), 0);
        snprintf(buf, sizeof(buf), "%s%s", what, strcmp(u.machine, "aarch64") == 0 ? "Arm64" : "Amd64");
        return buf;
}

/* A stand-in nodeward: leaves a mark when it runs, echoes its arguments, exits @rc. */
static void write_standin(const char *rel, int rc)
{
        char body[4096];
        snprintf(body, sizeof(body), "#!/bin/sh\ntouch '%s/ran'\nprintf '%%s\\n' \"$@\"\nexit %d\n", scratch, rc);
        tu_write_bin(scratch, rel, body, strlen(body), 0755);
}

static bool ran(void)
{
        char p[4200];
        snprintf(p, sizeof(p), "%s/ran", scratch);
        bool r = access(p, F_OK) == 0;
        unlink(p);
        return r;
}

static void test_document_is_structurally_valid(void **state)
{
        (void)state;
        fl_need_node_modules();
        char *out, *err;
        int rc = fl_sh("node tests/validate/ssm.js images/ssm-document.json", &out, &err);
        if (rc != 0)
                fail_msg("ssm-document.json (exit %d): %s", rc, err);
        free(out);
        free(err);
        /* The validator is a judge: an undeclared parameter, a default its own pattern refuses. */
        char cmd[8192];
        snprintf(cmd, sizeof(cmd),
                 "sed 's/{{ only }}/{{ olny }}/' images/ssm-document.json > '%s/bad.json' && "
                 "node tests/validate/ssm.js '%s/bad.json'",
                 scratch, scratch);
        assert_int_equal(fl_sh(cmd, NULL, &err), 1);
        assert_non_null(strstr(err, "{{ olny }} is not a declared parameter"));
        assert_non_null(strstr(err, "parameter only is never used"));
        free(err);
        snprintf(cmd, sizeof(cmd),
                 "sed '0,/\"default\": \"\"/s//\"default\": \"ftp:\\/\\/x\"/' images/ssm-document.json "
                 "> '%s/bad.json' && node tests/validate/ssm.js '%s/bad.json'",
                 scratch, scratch);
        assert_int_equal(fl_sh(cmd, NULL, &err), 1);
        assert_non_null(strstr(err, "default does not match allowedPattern"));
        free(err);
        /* The script with its defaults is valid POSIX shell (dash, as /bin/sh on Debian). */
        char *script = ssm_script(NULL);
        tu_write(scratch, "syntax.sh", script);
        free(script);
        snprintf(cmd, sizeof(cmd), "dash -n '%s/syntax.sh'", scratch);
        assert_int_equal(fl_sh(cmd, NULL, NULL), 0);
}

/* Parameters reach the shell only inside single quotes; the patterns keep quotes out. */
static void test_parameter_patterns_keep_the_shell_safe(void **state)
{
        (void)state;
        char *doc = slurp("images/ssm-document.json");
        cJSON *j = cJSON_Parse(doc);
        const cJSON *p;
        int n = 0;
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(j, "parameters"))
        {
                const char *pat = cJSON_GetStringValue(cJSON_GetObjectItem(p, "allowedPattern"));
                if (!pat) {
                        assert_non_null(cJSON_GetObjectItem(p, "allowedValues"));
                        continue;
                }
                /* A character class without ' or newline, anchored. */
                assert_true(pat[0] == '^' && pat[strlen(pat) - 1] == '$');
                assert_null(strchr(pat, '\''));
                assert_null(strstr(pat, "\\s"));
                assert_null(strchr(pat, ' '));
                n++;
        }
        assert_true(n >= 6);
        cJSON_Delete(j);
        free(doc);
}

static void test_no_source_runs_the_installed_nodeward_and_maps_194_to_2(void **state)
{
        (void)state;
        char bin[2048];
        snprintf(bin, sizeof(bin), "%s/bin", scratch);
        write_standin("bin/nodeward", 194);
        char *out;
        static const char *const kv[] = {"format=npd", "failOn=high", "only=kubelet", NULL};
        assert_int_equal(run_ssm(bin, kv, &out, NULL), 2);
        assert_true(ran());
        assert_string_equal(out, "check\n--format\nnpd\n--fail-on\nhigh\n--only\nkubelet\n");
        free(out);
        write_standin("bin/nodeward", 1);
        assert_int_equal(run_ssm(bin, NULL, NULL, NULL), 1);
        char standin[4300];
        snprintf(standin, sizeof(standin), "%s/nodeward", bin);
        unlink(standin);
        /* Nothing installed, no source: 2 with the reason, not 127. */
        snprintf(bin, sizeof(bin), "%s/empty", scratch);
        tu_mkdirs(bin);
        char *err;
        if (system("PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v nodeward >/dev/null") != 0) {
                assert_int_equal(run_ssm(bin, NULL, NULL, &err), 2);
                assert_non_null(strstr(err, "nodeward is not installed on this instance and no source was given"));
                free(err);
        }
}

/* From a local HTTP server (python3 -m http.server in a private network namespace):
 * the right digest runs the binary, a wrong one refuses before it runs. */
static void test_http_source_runs_only_with_the_right_sha256(void **state)
{
        (void)state;
        fl_need_tool("python3");
        fl_need_tool("curl");
        write_standin("www/nodeward-standin", 1);
        char path[4200], sum_kv[128], src_kv[4400];
        snprintf(path, sizeof(path), "%s/www/nodeward-standin", scratch);
        char *sum = sha256_of(path);
        snprintf(src_kv, sizeof(src_kv), "%s=http://127.0.0.1:8731/nodeward-standin", arch_param("source"));
        snprintf(sum_kv, sizeof(sum_kv), "%s=%s", arch_param("sha256"), sum);
        const char *kv[] = {src_kv, sum_kv, "format=json", NULL};
        char *script = ssm_script(kv);
        tu_write(scratch, "ssm.sh", script);
        free(script);
        /* The wrong digest: one bit off. */
        char bad_kv[128];
        snprintf(bad_kv, sizeof(bad_kv), "%s=%s", arch_param("sha256"), sum);
        char *last = bad_kv + strlen(bad_kv) - 1;
        *last = *last == '0' ? '1' : '0';
        const char *kv_bad[] = {src_kv, bad_kv, NULL};
        script = ssm_script(kv_bad);
        tu_write(scratch, "ssm-bad.sh", script);
        free(script);
        char cmd[8192], *out, *err;
        snprintf(
                cmd, sizeof(cmd),
                "unshare --net /bin/sh -c 'ip link set lo up && "
                "python3 -m http.server 8731 --bind 127.0.0.1 --directory %s/www >%s/http.log 2>&1 & srv=$!; "
                "i=0; until curl -fs -o /dev/null http://127.0.0.1:8731/; do i=$((i+1)); [ $i -lt 100 ] || exit 99; sleep 0.1; done; "
                "PATH=/usr/sbin:/usr/bin:/sbin:/bin /bin/sh %s/ssm.sh; echo \"good=$?\"; "
                "PATH=/usr/sbin:/usr/bin:/sbin:/bin /bin/sh %s/ssm-bad.sh; echo \"bad=$?\"; kill $srv'",
                scratch, scratch, scratch, scratch);
        int rc = fl_sh(cmd, &out, &err);
        if (rc != 0)
                fail_msg("scene failed (%d): %s %s", rc, out, err);
        /* Right digest: the binary ran with the parameters, and its exit 1 passed through. */
        assert_non_null(strstr(out, "check\n--format\njson\n--fail-on\nlow\ngood=1\n"));
        /* Wrong digest: refused, exit 2, and the binary never ran after the good run's mark was cleared. */
        assert_non_null(strstr(out, "bad=2"));
        assert_non_null(strstr(err, "SHA-256 mismatch for http://127.0.0.1:8731/nodeward-standin"));
        assert_non_null(strstr(out, "good=1\nbad=2"));
        free(out);
        free(err);
        free(sum);
}

/* file:// with the real binary, and the full report kept in a file past Run Command's 24,000 characters. */
static void test_file_source_real_binary_writes_the_full_report(void **state)
{
        (void)state;
        char real[4096];
        assert_non_null(realpath(tu_nodeward(), real));
        char *sum = sha256_of(real);
        char src_kv[4400], sum_kv[128], rep_kv[4300];
        snprintf(src_kv, sizeof(src_kv), "%s=file://%s", arch_param("source"), real);
        snprintf(sum_kv, sizeof(sum_kv), "%s=%s", arch_param("sha256"), sum);
        snprintf(rep_kv, sizeof(rep_kv), "reportFile=%s/report.json", scratch);
        const char *kv[] = {src_kv, sum_kv, "format=json", rep_kv, NULL};
        char empty[2048], *out, *err;
        snprintf(empty, sizeof(empty), "%s/nobin", scratch);
        tu_mkdirs(empty);
        int rc = run_ssm(empty, kv, &out, &err);
        if (rc < 0 || rc > 2)
                fail_msg("exit %d: %s", rc, err);
        char rp[4300];
        snprintf(rp, sizeof(rp), "%s/report.json", scratch);
        char *report = slurp(rp);
        cJSON *j = cJSON_Parse(report);
        if (!j)
                fail_msg("report file is not JSON: %.200s\nstderr: %s", report, err);
        assert_string_equal(cJSON_GetObjectItem(j, "schema")->valuestring, "nodeward.report/v1");
        assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(j, "results")) > 20);
        char tail[200];
        snprintf(tail, sizeof(tail), "nodeward: full report (%zu bytes) in %s/report.json\n", strlen(report), scratch);
        assert_non_null(strstr(out, tail));
        /* Longer than the console keeps: the output shows a bounded head and says so. */
        if (strlen(report) > 20000) {
                assert_non_null(strstr(out, "... (first 20000 of "));
                assert_true(strlen(out) < 20500);
        } else {
                assert_true(str_startswith(out, report));
        }
        cJSON_Delete(j);
        free(report);
        free(out);
        free(err);
        free(sum);
}

/* A report longer than Run Command keeps: the console shows its first 20,000 bytes and where the rest is. */
static void test_long_report_is_cut_on_the_console_not_in_the_file(void **state)
{
        (void)state;
        static const char big[] = "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = --output ] && out=$2; shift; done\n"
                                  "head -c 30000 /dev/zero | tr '\\0' x > \"$out\"\nexit 1\n";
        tu_write_bin(scratch, "bigbin/nodeward", big, strlen(big), 0755);
        char bin[2048], rep_kv[2100], *out;
        snprintf(bin, sizeof(bin), "%s/bigbin", scratch);
        snprintf(rep_kv, sizeof(rep_kv), "reportFile=%s/big.txt", scratch);
        const char *kv[] = {rep_kv, NULL};
        assert_int_equal(run_ssm(bin, kv, &out, NULL), 1);
        assert_non_null(strstr(out, "\n... (first 20000 of 30000 bytes)\nnodeward: full report (30000 bytes) in "));
        assert_int_equal(strspn(out, "x"), 20000);
        free(out);
}

/* s3:// goes through the AWS CLI (a stand-in here that records its arguments and copies a local file). */
static void test_s3_source_uses_the_aws_cli(void **state)
{
        (void)state;
        write_standin("s3/bucket/nodeward", 0);
        char path[4200];
        snprintf(path, sizeof(path), "%s/s3/bucket/nodeward", scratch);
        char *sum = sha256_of(path);
        char aws[8192];
        snprintf(aws, sizeof(aws),
                 "#!/bin/sh\nprintf '%%s\\n' \"$@\" > '%s/aws.args'\n"
                 "[ \"$1 $2 $3\" = 's3 cp --only-show-errors' ] || exit 3\n"
                 "cp \"%s/s3/${4#s3://}\" \"$5\"\n",
                 scratch, scratch);
        tu_write_bin(scratch, "awsbin/aws", aws, strlen(aws), 0755);
        char src_kv[256], sum_kv[128], bin[4200];
        snprintf(src_kv, sizeof(src_kv), "%s=s3://bucket/nodeward", arch_param("source"));
        snprintf(sum_kv, sizeof(sum_kv), "%s=%s", arch_param("sha256"), sum);
        snprintf(bin, sizeof(bin), "%s/awsbin", scratch);
        const char *kv[] = {src_kv, sum_kv, NULL};
        char *out;
        assert_int_equal(run_ssm(bin, kv, &out, NULL), 0);
        assert_true(ran());
        free(out);
        snprintf(path, sizeof(path), "%s/aws.args", scratch);
        char *args = slurp(path);
        assert_true(str_startswith(args, "s3\ncp\n--only-show-errors\ns3://bucket/nodeward\n/tmp/nodeward-ssm."));
        /* The download's temporary directory is gone once the script ends. */
        char *dir = strstr(args, "/tmp/nodeward-ssm.");
        *strrchr(dir, '/') = '\0';
        assert_int_equal(access(dir, F_OK), -1);
        free(args);
        /* A source without its digest is refused before anything is fetched. */
        unlink(path);
        const char *kv_nosum[] = {src_kv, NULL};
        char *err;
        assert_int_equal(run_ssm(bin, kv_nosum, NULL, &err), 2);
        assert_non_null(strstr(err, "needs its SHA-256"));
        assert_int_equal(access(path, F_OK), -1);
        assert_false(ran());
        free(err);
        free(sum);
}

/* securityHubImport=true: a second run in ASFF, split into batches of at most 100 and each
 * sent with `aws securityhub batch-import-findings --cli-input-json file://BATCH`. */
static void test_security_hub_import_sends_batches_of_100(void **state)
{
        (void)state;
        char nw[8192], aws[8192], bin[4200];
        /* A stand-in nodeward that writes 250 findings when asked for asff. */
        snprintf(
                nw, sizeof(nw),
                "#!/bin/sh\nprintf '%%s\\n' \"$@\" >> '%s/nw.args'\n"
                "case \"$*\" in *'--format asff'*) ;; *) exit 1 ;; esac\n"
                "while [ \"$1\" != --output ]; do shift; done\n"
                "python3 -c 'import json,sys; json.dump({\"Findings\": [{\"Id\": \"f%%d\" %% i} for i in range(250)]}, open(sys.argv[1], \"w\"))' \"$2\"\n"
                "exit 1\n",
                scratch);
        snprintf(
                aws, sizeof(aws),
                "#!/bin/sh\n[ \"$1 $2 $3\" = 'securityhub batch-import-findings --cli-input-json' ] || exit 3\n"
                "python3 -c 'import json,sys; n=len(json.load(open(sys.argv[1][7:]))[\"Findings\"]); "
                "open(sys.argv[2], \"a\").write(\"%%d\\n\" %% n); print(json.dumps({\"SuccessCount\": n, \"FailedCount\": 0}))' "
                "\"$4\" '%s/batches'\n",
                scratch);
        tu_write_bin(scratch, "shbin/nodeward", nw, strlen(nw), 0755);
        tu_write_bin(scratch, "shbin/aws", aws, strlen(aws), 0755);
        snprintf(bin, sizeof(bin), "%s/shbin", scratch);
        static const char *const kv[] = {"securityHubImport=true", "only=kubelet",
                                         "clusterArn=arn:aws:eks:eu-west-1:123456789012:cluster/prod", NULL};
        char *out, *err;
        int rc = run_ssm(bin, kv, &out, &err);
        if (rc != 1)
                fail_msg("exit %d (want the check's 1): %s%s", rc, out, err);
        assert_non_null(strstr(out, "nodeward: Security Hub imported 100 findings, 0 failed"));
        assert_non_null(strstr(out, "nodeward: Security Hub imported 50 findings, 0 failed"));
        free(out);
        free(err);
        char p[4300];
        snprintf(p, sizeof(p), "%s/batches", scratch);
        char *batches = slurp(p);
        assert_string_equal(batches, "100\n100\n50\n");
        free(batches);
        snprintf(p, sizeof(p), "%s/nw.args", scratch);
        char *args = slurp(p);
        assert_non_null(strstr(args, "asff\n--fail-on\nlow\n--output\n/tmp/nodeward-asff."));
        assert_non_null(
                strstr(args, "--only\nkubelet\n--cluster-arn\narn:aws:eks:eu-west-1:123456789012:cluster/prod\n"));
        free(args);
        /* Its temporary directory is gone. */
        assert_int_equal(fl_sh("ls -d /tmp/nodeward-asff.* 2>/dev/null | grep -q .", NULL, NULL) == 0 ? 1 : 0, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_document_is_structurally_valid),
                cmocka_unit_test(test_parameter_patterns_keep_the_shell_safe),
                cmocka_unit_test(test_no_source_runs_the_installed_nodeward_and_maps_194_to_2),
                cmocka_unit_test(test_http_source_runs_only_with_the_right_sha256),
                cmocka_unit_test(test_file_source_real_binary_writes_the_full_report),
                cmocka_unit_test(test_long_report_is_cut_on_the_console_not_in_the_file),
                cmocka_unit_test(test_s3_source_uses_the_aws_cli),
                cmocka_unit_test(test_security_hub_import_sends_batches_of_100),
        };
        return cmocka_run_group_tests(tests, fl_setup, fl_teardown);
}
