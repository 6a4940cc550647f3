/* test_engine: the engine's selection of checks (--only/--skip), its exit codes, the catalog's ids,
 * and the one fact gate every check goes through. */
#include "testutil.h"

#include "collect/facts.h"
#include "engine.h"
#include "gate.h"

static void test_selection_by_area_and_id(void **state)
{
        (void)state;
        bool *sel;
        char *err = NULL;
        assert_int_equal(engine_select("kubelet.read-only-port,kubelet.anonymous-auth", NULL, &sel, &err), 0);
        size_t n = 0;
        for (size_t i = 0; i < check_catalog_len; i++)
                n += sel[i];
        assert_int_equal(n, 2);
        free(sel);
        assert_int_equal(engine_select("kubelet", "kubelet.read-only-port", &sel, &err), 0);
        n = 0;
        for (size_t i = 0; i < check_catalog_len; i++) {
                n += sel[i];
                if (strcmp(check_catalog[i].id, "kubelet.read-only-port") == 0)
                        assert_false(sel[i]);
        }
        assert_true(n > 10);
        free(sel);
        /* "kube" is not an area: prefixes match whole dotted parts only. */
        assert_int_equal(engine_select("kube", NULL, &sel, &err), -EINVAL);
        assert_non_null(strstr(err, "no check or area named \"kube\""));
        free(err);
}

static void test_exit_code_follows_fail_on(void **state)
{
        (void)state;
        struct check_def hi = {.id = "a.hi", .severity = SEV_HIGH}, lo = {.id = "a.lo", .severity = SEV_LOW};
        struct result res[2] = {{.check = &lo, .status = ST_FAIL}, {.check = &hi, .status = ST_PASS}};
        struct run run = {.results = res, .n = 2};
        run.summary[ST_FAIL] = 1;
        run.summary[ST_PASS] = 1;
        assert_int_equal(engine_exit_code(&run, SEV_LOW), 1);
        assert_int_equal(engine_exit_code(&run, SEV_HIGH), 0);
        res[1].status = ST_ERROR;
        run.summary[ST_ERROR] = 1;
        assert_int_equal(engine_exit_code(&run, SEV_HIGH), 2);
        assert_int_equal(engine_exit_code(&run, SEV_INFO), 1);
}

static void expect_gate(const struct facts *f, unsigned needs, unsigned uses, enum status st, const char *evidence)
{
        struct result r = {0};
        bool judged = fact_gate(f, needs, uses, &r);
        if (!evidence) {
                assert_true(judged);
                assert_null(r.evidence);
                return;
        }
        assert_false(judged);
        assert_int_equal(r.status, st);
        assert_string_equal(r.evidence, evidence);
        free(r.evidence);
}

static void test_gate_unreadable_is_error_not_live_is_skip(void **state)
{
        (void)state;
        struct facts f = {0};
        f.procs_error = (char *)"/root/proc: No such file or directory";
        expect_gate(&f, FACT_HOST | FACT_PROCS, 0, ST_ERROR,
                    "not evaluated: the process table could not be read: /root/proc: No such file or directory");
        expect_gate(&f, FACT_HOST, 0, ST_PASS, NULL); /* not needed: no verdict of the gate's */
        /* A copied root: its listeners are not an error, and a check that only uses
         * them judges without them. */
        f.procs_error = NULL;
        f.not_live = (char *)"copied root, no live network";
        f.sockets.error = (char *)"not read: copied root, no live network";
        expect_gate(&f, FACT_SOCKETS | FACT_OWNERS_WILDCARD, 0, ST_SKIP, "copied root, no live network");
        expect_gate(&f, FACT_KUBELET, FACT_SOCKETS | FACT_OWNERS_KUBELET, ST_PASS, NULL);
        struct result r = {0};
        assert_true(fact_gate_pass(&f, FACT_SOCKETS | FACT_OWNERS_KUBELET, &r));
        /* A live root whose listeners could not be read: an error needed; used, an
         * error only for the verdict that rests on them. */
        f.not_live = NULL;
        f.sockets.error = (char *)"/proc/1/ns/net: Permission denied";
        expect_gate(&f, FACT_KUBELET, FACT_SOCKETS, ST_PASS, NULL);
        assert_false(fact_gate_pass(&f, FACT_SOCKETS, &r));
        assert_int_equal(r.status, ST_ERROR);
        assert_string_equal(
                r.evidence,
                "not evaluated: the listening sockets could not be read: /proc/1/ns/net: Permission denied");
        free(r.evidence);
        /* Owners ride on the listing. */
        expect_gate(
                &f, FACT_OWNERS_SSH, 0, ST_ERROR,
                "not evaluated: the listening sockets' owners could not be read: /proc/1/ns/net: Permission denied");
        f.sockets.error = NULL;
        f.sockets.owners_error = (char *)"no process table to read owners from";
        expect_gate(&f, FACT_SOCKETS, 0, ST_PASS, NULL);
        expect_gate(&f, FACT_SOCKETS | FACT_OWNERS_SSH, 0, ST_ERROR,
                    "not evaluated: the listening sockets' owners could not be read: no process table to read owners "
                    "from");
}

static void test_gate_kubelet_absent_needs_the_process_table(void **state)
{
        (void)state;
        struct facts f = {0};
        f.procs_error = (char *)"/root/proc: Permission denied";
        expect_gate(&f, FACT_KUBELET, 0, ST_ERROR,
                    "not evaluated: the process table the kubelet is found in could not be read: /root/proc: "
                    "Permission denied");
        f.kubelet.found = true; /* by its unit or a well-known path */
        expect_gate(&f, FACT_KUBELET, 0, ST_PASS, NULL);
        /* Not EC2 is not an error, whatever else failed. */
        f.imds.not_ec2 = (char *)"no EC2 signature under /root";
        f.imds.host_error = (char *)"no network namespace";
        expect_gate(&f, FACT_IMDS, 0, ST_SKIP, "no EC2 signature under /root");
}

static void test_gate_deadline_errors_beat_unreadable_and_node(void **state)
{
        (void)state;
        struct facts f = {0};
        f.unfinished = FACT_SOCKETS;
        f.deadline_error = (char *)"the run's deadline (1 s) passed while nodeward was reading sockets";
        f.procs_error = (char *)"/root/proc: Permission denied";
        expect_gate(&f, FACT_PROCS | FACT_OWNERS_KUBELET, 0, ST_ERROR,
                    "not evaluated: the run's deadline (1 s) passed while nodeward was reading sockets");
        expect_gate(&f, FACT_KUBELET, FACT_SOCKETS, ST_ERROR,
                    "not evaluated: the run's deadline (1 s) passed while nodeward was reading sockets");
        /* Every check reads the node: unfinished, nothing is judged. */
        f.unfinished = FACT_NODE;
        expect_gate(&f, FACT_HOST, 0, ST_ERROR,
                    "not evaluated: the run's deadline (1 s) passed while nodeward was reading sockets");
}

/* The engine: a check that does not apply here skips before the gate errors. */
static void test_engine_skips_what_does_not_apply_before_the_gate(void **state)
{
        (void)state;
        struct facts f = {0};
        f.collected = FACT_NODE | FACT_PROCS | FACT_HOST | FACT_KUBELET;
        f.node.os = (char *)"Bottlerocket OS 1.26.1 (aws-k8s-1.31)";
        f.node.os_id = (char *)"bottlerocket";
        f.node.br.is_bottlerocket = true;
        f.procs_error = (char *)"/root/proc: No such file or directory";
        bool *sel;
        char *err = NULL;
        assert_int_equal(engine_select("host.auditd,host.time-sync", NULL, &sel, &err), 0);
        struct run run;
        engine_run(&f, NULL, sel, &run);
        for (size_t i = 0; i < run.n; i++) {
                const struct result *r = &run.results[i];
                if (strcmp(r->check->id, "host.auditd") == 0) {
                        assert_int_equal(r->status, ST_SKIP);
                        assert_non_null(strstr(r->evidence, "Bottlerocket ships no auditd"));
                } else {
                        assert_int_equal(r->status, ST_ERROR);
                        assert_non_null(strstr(r->evidence, "the process table could not be read"));
                }
        }
        assert_int_equal(run.n, 2);
        run_free(&run);
        free(sel);
}

static void test_catalog_ids_unique_and_well_formed(void **state)
{
        (void)state;
        for (size_t i = 0; i < check_catalog_len; i++) {
                const char *id = check_catalog[i].id;
                assert_non_null(strchr(id, '.'));
                for (const char *p = id; *p; p++)
                        assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-');
                /* Exactly one way to run it: over the facts, or over the facts and the policy. */
                assert_true(!check_catalog[i].fn != !check_catalog[i].policy_fn);
                assert_non_null(check_catalog[i].references[0]);
                for (size_t k = i + 1; k < check_catalog_len; k++)
                        assert_string_not_equal(id, check_catalog[k].id);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_selection_by_area_and_id),
                cmocka_unit_test(test_exit_code_follows_fail_on),
                cmocka_unit_test(test_gate_unreadable_is_error_not_live_is_skip),
                cmocka_unit_test(test_gate_kubelet_absent_needs_the_process_table),
                cmocka_unit_test(test_gate_deadline_errors_beat_unreadable_and_node),
                cmocka_unit_test(test_engine_skips_what_does_not_apply_before_the_gate),
                cmocka_unit_test(test_catalog_ids_unique_and_well_formed),
        };
        return cmocka_run_group_tests_name("engine", tests, NULL, tu_group_teardown);
}
