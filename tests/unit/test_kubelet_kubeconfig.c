/* test_kubelet_kubeconfig: the kubelet's kubeconfig credentials and the rotate-certificates verdict built on them. */
#include "testutil.h"
#include "collect/facts.h"

#include "engine.h"
#include "collect/kubelet/kubeconfig.h"

/* Modelled on awslabs/amazon-eks-ami templates/al2/runtime/kubelet-kubeconfig (exec plugin). */
static const char EKS_KUBECONFIG[] =
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: /etc/kubernetes/pki/ca.crt\n"
        "    server: https://EXAMPLE.gr7.us-west-2.eks.amazonaws.com\n  name: kubernetes\n"
        "contexts:\n- context:\n    cluster: kubernetes\n    user: kubelet\n  name: kubelet\n"
        "current-context: kubelet\nusers:\n- name: kubelet\n  user:\n    exec:\n"
        "      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /usr/bin/aws-iam-authenticator\n"
        "      args: [token, -i, demo, --region, us-west-2]\n";

/* Modelled on the /etc/kubernetes/kubelet.conf kubeadm leaves after TLS bootstrap
 * (kubernetes cmd/kubeadm/app/phases/kubelet: client certificate in /var/lib/kubelet/pki). */
static const char KUBEADM_KUBECONFIG[] =
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: TFMwdExTMUNSVWRKVGlCRFJWSlVTVVpKUTBGVVJTMHRMUzB0Q2c9PQ==\n"
        "    server: https://10.0.0.10:6443\n  name: kubernetes\ncontexts:\n- context:\n    cluster: kubernetes\n"
        "    user: system:node:node-1\n  name: system:node:node-1@kubernetes\n"
        "current-context: system:node:node-1@kubernetes\nkind: Config\nusers:\n- name: system:node:node-1\n  user:\n"
        "    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem\n"
        "    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem\n";

static struct kubeconfig_auth parse_ok(const char *text)
{
        struct kubeconfig_auth a;
        char *err = NULL;
        if (kubeconfig_parse(text, strlen(text), &a, &err) < 0)
                fail_msg("parse failed: %s", err);
        return a;
}

static void expect_error(const char *text, const char *needle)
{
        struct kubeconfig_auth a;
        char *err = NULL;
        assert_int_equal(kubeconfig_parse(text, strlen(text), &a, &err), -EINVAL);
        if (!strstr(err, needle))
                fail_msg("error \"%s\" lacks \"%s\"", err, needle);
        free(err);
}

static void test_eks_exec_plugin_and_kubeadm_client_certificate(void **state)
{
        (void)state;
        struct kubeconfig_auth a = parse_ok(EKS_KUBECONFIG);
        assert_int_equal(a.kind, KC_AUTH_EXEC);
        assert_string_equal(a.detail, "/usr/bin/aws-iam-authenticator");
        assert_string_equal(a.user, "kubelet");
        kubeconfig_auth_free(&a);
        a = parse_ok(KUBEADM_KUBECONFIG);
        assert_int_equal(a.kind, KC_AUTH_CLIENT_CERT);
        assert_string_equal(a.detail, "/var/lib/kubelet/pki/kubelet-client-current.pem");
        assert_string_equal(a.context, "system:node:node-1@kubernetes");
        kubeconfig_auth_free(&a);
}

static void test_only_the_current_contexts_user_counts(void **state)
{
        (void)state;
        /* Two users; the current context names the token one. Duplicate names: the last wins,
         * as client-go's map of users keeps it. */
        const char *doc = "{\"current-context\":\"b\",\"contexts\":[{\"name\":\"a\",\"context\":{\"user\":\"cert\"}},"
                          "{\"name\":\"b\",\"context\":{\"user\":\"tok\"}}],\"users\":["
                          "{\"name\":\"cert\",\"user\":{\"client-certificate-data\":\"QUJD\"}},"
                          "{\"name\":\"tok\",\"user\":{\"client-certificate\":\"/old.pem\"}},"
                          "{\"name\":\"tok\",\"user\":{\"tokenFile\":\"/var/run/token\"}}]}";
        struct kubeconfig_auth a = parse_ok(doc);
        assert_int_equal(a.kind, KC_AUTH_TOKEN_FILE);
        assert_string_equal(a.detail, "/var/run/token");
        kubeconfig_auth_free(&a);
}

static void test_secrets_are_never_copied(void **state)
{
        (void)state;
        struct kubeconfig_auth a = parse_ok("current-context: c\ncontexts: [{name: c, context: {user: u}}]\n"
                                            "users: [{name: u, user: {token: sekrit-token-value}}]\n");
        assert_int_equal(a.kind, KC_AUTH_TOKEN);
        assert_null(a.detail);
        kubeconfig_auth_free(&a);
        a = parse_ok("current-context: c\ncontexts: [{name: c, context: {user: u}}]\n"
                     "users: [{name: u, user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}}]\n");
        assert_int_equal(a.kind, KC_AUTH_CLIENT_CERT_DATA);
        assert_null(a.detail);
        kubeconfig_auth_free(&a);
}

static void test_broken_kubeconfigs_say_why(void **state)
{
        (void)state;
        expect_error("users: []\n", "no current-context");
        expect_error("current-context: x\ncontexts: []\n", "\"x\" is not among the contexts");
        expect_error("current-context: x\ncontexts: [{name: x, context: {cluster: k}}]\n", "names no user");
        expect_error("current-context: x\ncontexts: [{name: x, context: {user: u}}]\nusers: 5\n",
                     "user \"u\" of context \"x\" is not among the users");
        expect_error("current-context: [\n", "1:");
}

static struct facts *kubelet_with_rotation(bool on)
{
        struct facts *f = calloc(1, sizeof(*f));
        struct kubelet_facts *k = &f->kubelet;
        k->found = true;
        k->found_by = strdup("process 1 (kubelet)");
        k->has_config = true;
        struct kfield_value *v = &k->f[KF_ROTATE_CERTIFICATES];
        v->value = cJSON_CreateBool(on);
        v->source = on ? KSRC_FILE : KSRC_DEFAULT;
        v->origin = strdup(on ? "config file /c" : "default (absent)");
        k->has_kubeconfig = true;
        k->kubeconfig.path = strdup("/var/lib/kubelet/kubeconfig");
        return f;
}

static void with_credentials(struct facts *f, const char *text)
{
        f->kubelet.kc_auth = parse_ok(text);
        f->kubelet.kc_parsed = true;
}

static struct result judge(struct facts *f)
{
        struct result r = {0};
        check_kubelet_rotate_certificates(f, &r);
        facts_free(f);
        free(f);
        return r;
}

static void assert_result(struct result r, enum status st, const char *needle)
{
        if (r.status != st || (needle && !strstr(r.evidence, needle)))
                fail_msg("status %d want %d; evidence: %s (want \"%s\")", r.status, st, r.evidence, needle);
        free(r.evidence);
}

static void test_exec_plugin_needs_no_rotation(void **state)
{
        (void)state;
        struct facts *f = kubelet_with_rotation(false);
        with_credentials(f, EKS_KUBECONFIG);
        assert_result(judge(f), ST_PASS,
                      "exec credential plugin /usr/bin/aws-iam-authenticator: no client certificate to rotate");
}

static void test_client_certificate_without_rotation_fails(void **state)
{
        (void)state;
        struct facts *f = kubelet_with_rotation(false);
        with_credentials(f, KUBEADM_KUBECONFIG);
        assert_result(
                judge(f), ST_FAIL,
                "client certificate file /var/lib/kubelet/pki/kubelet-client-current.pem: the client certificate expires");
        f = kubelet_with_rotation(true);
        with_credentials(f, KUBEADM_KUBECONFIG);
        assert_result(judge(f), ST_PASS, "the certificate manager's rotated file");
}

static void test_token_passes_and_is_not_printed(void **state)
{
        (void)state;
        struct facts *f = kubelet_with_rotation(false);
        with_credentials(f, "current-context: c\ncontexts: [{name: c, context: {user: u}}]\n"
                            "users: [{name: u, user: {token: sekrit-token-value}}]\n");
        struct result r = judge(f);
        assert_null(strstr(r.evidence, "sekrit"));
        assert_result(r, ST_PASS, "inline bearer token: no client certificate to rotate");
}

static void test_missing_or_broken_kubeconfig(void **state)
{
        (void)state;
        struct facts *f = kubelet_with_rotation(false);
        f->kubelet.kubeconfig.err = -ENOENT;
        f->kubelet.bootstrap_kubeconfig = strdup("/var/lib/kubelet/bootstrap-kubeconfig");
        assert_result(judge(f), ST_FAIL,
                      "bootstrap a client certificate through /var/lib/kubelet/bootstrap-kubeconfig");
        f = kubelet_with_rotation(false);
        f->kubelet.kubeconfig.err = -ENOENT;
        assert_result(judge(f), ST_SKIP, "does not exist yet");
        f = kubelet_with_rotation(false);
        f->kubelet.kc_error = strdup("/var/lib/kubelet/kubeconfig: no current-context");
        assert_result(judge(f), ST_ERROR, "no current-context");
        f = kubelet_with_rotation(true);
        f->kubelet.kc_error = strdup("/var/lib/kubelet/kubeconfig: no current-context");
        assert_result(judge(f), ST_PASS, "rotateCertificates=true");
        f = kubelet_with_rotation(false);
        f->kubelet.has_kubeconfig = false;
        assert_result(judge(f), ST_SKIP, "standalone");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_eks_exec_plugin_and_kubeadm_client_certificate),
                cmocka_unit_test(test_only_the_current_contexts_user_counts),
                cmocka_unit_test(test_secrets_are_never_copied),
                cmocka_unit_test(test_broken_kubeconfigs_say_why),
                cmocka_unit_test(test_exec_plugin_needs_no_rotation),
                cmocka_unit_test(test_client_certificate_without_rotation_fails),
                cmocka_unit_test(test_token_passes_and_is_not_printed),
                cmocka_unit_test(test_missing_or_broken_kubeconfig),
        };
        return cmocka_run_group_tests_name("kubelet kubeconfig", tests, NULL, tu_group_teardown);
}
