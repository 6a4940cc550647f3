/* test_fix: `nodeward fix --dry-run` plans drop-ins that flip failed checks, proves them, and never writes the root;
 * the remediation names where each value is set. */
#include "testutil.h"

#include "base/util.h"

#define SSHD "/usr/sbin/sshd"

static char *demo_copy(void)
{
        char *root = tu_mkdtemp(), src[4096];
        snprintf(src, sizeof(src), "%s/demo-node", tu_fixtures());
        tu_copy_tree(src, root);
        return root;
}

/* Byte-for-byte comparison of two trees (diff -r), so a write under --root fails the test. */
static void assert_same_tree(const char *a, const char *b)
{
        char *argv[] = {"/usr/bin/diff", "-r", (char *)a, (char *)b, NULL}, *out;
        int rc = tu_run(argv, &out, NULL);
        if (rc != 0)
                fail_msg("%s changed:\n%s", b, out);
        free(out);
}

static char *read_text(const char *dir, const char *rel)
{
        char p[8192];
        snprintf(p, sizeof(p), "%s/%s", dir, rel);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                fail_msg("%s was not written: %s", p, strerror(errno));
        char *t = tu_read_fd(fd);
        close(fd);
        return t;
}

static void test_demo_fix_flips_checks_and_leaves_root_alone(void **state)
{
        (void)state;
        char *root = demo_copy(), *outdir = tu_mkdtemp(), src[4096];
        snprintf(src, sizeof(src), "%s/demo-node", tu_fixtures());
        char *argv[] = {(char *)tu_nodeward(), "fix", "--dry-run", "--wide", "--root", root, "--out", outdir, NULL};
        char *out, *err;
        int rc = tu_run(argv, &out, &err);
        /* --hostname-override is a flag: no file overrides it, so the exit says work is left. */
        if (rc != 1)
                fail_msg("exit %d\nstdout:\n%s\nstderr:\n%s", rc, out, err);
        assert_same_tree(src, root);
        char *kd = read_text(outdir, "etc/kubernetes/kubelet/config.json.d/99-nodeward.conf");
        cJSON *j = cJSON_Parse(kd);
        assert_non_null(j);
        assert_string_equal(cJSON_GetObjectItem(j, "kind")->valuestring, "KubeletConfiguration");
        assert_string_equal(cJSON_GetObjectItem(j, "apiVersion")->valuestring, "kubelet.config.k8s.io/v1beta1");
        assert_int_equal(cJSON_GetObjectItem(j, "readOnlyPort")->valueint, 0);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "seccompDefault")));
        /* Only what failed: anonymous auth passes on this node and is left out. */
        assert_null(cJSON_GetObjectItem(j, "authentication"));
        cJSON_Delete(j);
        char *sd = read_text(outdir, "etc/ssh/sshd_config.d/00-nodeward.conf");
        assert_non_null(strstr(sd, "\nPermitRootLogin no\n"));
        assert_non_null(strstr(sd, "\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"));
        assert_non_null(strstr(sd, "\nMatch Address 10.0.200.0/24\n\tPermitRootLogin no\n"));
        const char *flips[] = {"fail -> pass  kubelet.read-only-port",
                               "fail -> pass  kubelet.seccomp-default",
                               "warn -> pass  kubelet.event-qps",
                               "fail -> pass  ssh.permit-root-login",
                               "fail -> pass  ssh.password-authentication",
                               "fail -> pass  ssh.x11-forwarding",
                               "fail -> fail  kubelet.hostname-override",
                               "kubelet.hostname-override: --hostname-override on the kubelet command line sets it"};
        for (size_t i = 0; i < ARRAY_SIZE(flips); i++)
                if (!strstr(out, flips[i]))
                        fail_msg("no \"%s\" in:\n%s", flips[i], out);
        /* No check that passed before fails with the files added. */
        assert_null(strstr(out, "pass -> fail"));
        free(kd);
        free(sd);
        free(out);
        free(err);
        tu_rm_rf(outdir);
        tu_rm_rf(root);
        free(outdir);
        free(root);
}

/* The kubelet drop-in sorts after every entry of --config-dir, subdirectories included
 * (the kubelet walks the directory in lexical order). */
static void test_kubelet_dropin_sorts_last(void **state)
{
        (void)state;
        char *root = demo_copy();
        tu_write(
                root, "etc/kubernetes/kubelet/config.json.d/zz-late/90-x.conf",
                "{\"apiVersion\":\"kubelet.config.k8s.io/v1beta1\",\"kind\":\"KubeletConfiguration\",\"readOnlyPort\":10255}\n");
        char *argv[] = {(char *)tu_nodeward(), "fix", "--dry-run", "--wide", "--root", root, NULL}, *out;
        tu_run(argv, &out, NULL);
        if (!strstr(out, "== /etc/kubernetes/kubelet/config.json.d/zzz99-nodeward.conf") &&
            !strstr(out, "== /etc/kubernetes/kubelet/config.json.d/zz99-nodeward.conf"))
                fail_msg("no drop-in sorting after zz-late/:\n%s", out);
        assert_non_null(strstr(out, "fail -> pass  kubelet.read-only-port"));
        free(out);
        tu_rm_rf(root);
        free(root);
}

/* Without --config-dir (AL2's bootstrap.sh) nothing is written for the kubelet: the
 * operator is told where each value is set instead. */
static void test_no_config_dir_names_the_place(void **state)
{
        (void)state;
        char root[4096];
        snprintf(root, sizeof(root), "%s/eks-al2-node", tu_fixtures());
        char *argv[] = {(char *)tu_nodeward(), "fix", "--dry-run", "--wide", "--root", root, NULL}, *out;
        assert_int_equal(tu_run(argv, &out, NULL), 1);
        assert_null(strstr(out, "== /"));
        assert_non_null(strstr(out, "runs without --config-dir, so no drop-in is read"));
        assert_non_null(strstr(out, "--kubelet-extra-args '--seccomp-default=true'"));
        free(out);
}

static char *fix_output(const char *root, int want_rc)
{
        char *argv[] = {(char *)tu_nodeward(), "fix", "--dry-run", "--wide", "--root", (char *)root, NULL}, *out, *err;
        int rc = tu_run(argv, &out, &err);
        if (rc != want_rc)
                fail_msg("exit %d, not %d\nstdout:\n%s\nstderr:\n%s", rc, want_rc, out, err);
        free(err);
        return out;
}

/* Bottlerocket renders the kubelet's files from its settings: no file to add, so no proof
 * (a copy without the unit's EnvironmentFile= once turned every kubelet check into an
 * error that the closing line then called a pass). */
static void test_no_files_no_proof_and_errors_are_not_passes(void **state)
{
        (void)state;
        char root[4096];
        snprintf(root, sizeof(root), "%s/bottlerocket-node", tu_fixtures());
        char *out = fix_output(root, 1);
        assert_null(strstr(out, "== /"));
        assert_null(strstr(out, "Proof:"));
        assert_null(strstr(out, "-> error"));
        assert_null(strstr(out, "every check above passes"));
        tu_assert_contains_("bottlerocket manual", out,
                            "  kubelet.seccomp-default: seccompDefault comes from config file "
                            "/etc/kubernetes/kubelet/config: set settings.kubernetes.seccomp-default = true");
        free(out);
}

/* The copy the proof resolves holds the files kubelet.service's EnvironmentFile= lines
 * name (a proxy drop-in, as EKS documents for nodes behind an HTTP proxy): without them
 * systemd would not start the unit, and every kubelet check would fail -> error. */
static void test_proof_copies_the_units_environment_files(void **state)
{
        (void)state;
        char *root = tu_mkdtemp(), src[4096];
        snprintf(src, sizeof(src), "%s/eks-al2023-node", tu_fixtures());
        tu_copy_tree(src, root);
        tu_write(root, "etc/systemd/system/kubelet.service.d/http-proxy.conf",
                 "[Service]\nEnvironmentFile=/etc/network/proxy.env\n");
        tu_write(root, "etc/network/proxy.env", "HTTPS_PROXY=http://10.0.0.10:3128\nNO_PROXY=169.254.169.254\n");
        /* --hostname-override is a flag: work is left, so exit 1. */
        char *out = fix_output(root, 1);
        tu_assert_contains_("proof", out, "fail -> pass  kubelet.seccomp-default");
        tu_assert_contains_("proof", out, "fail -> pass  kubelet.pod-pids-limit");
        assert_null(strstr(out, "-> error"));
        assert_null(strstr(out, "EnvironmentFile="));
        free(out);
        tu_rm_rf(root);
        free(root);
}

/* A failed sshd check no sshd_config line fixes is listed with its remediation, and the
 * exit says work is left, though every planned file works. */
static void test_failures_without_a_fix_are_listed(void **state)
{
        (void)state;
        char root[4096];
        snprintf(root, sizeof(root), "%s/ssh-al2023", tu_fixtures());
        char *out = fix_output(root, 1);
        tu_assert_contains_("planned", out, "fail -> pass  ssh.permit-root-login");
        const char *manual = strstr(out, "Not fixable by a drop-in");
        if (!manual || manual > strstr(out, "Proof:"))
                fail_msg("no manual list before the proof:\n%s", out);
        tu_assert_contains_("access-limited", manual,
                            "\n  ssh.access-limited: Add AllowUsers or AllowGroups (or DenyUsers/DenyGroups)");
        tu_assert_contains_("authorized-keys", manual, "\n  ssh.authorized-keys: ");
        /* Not evaluated is not passed: listed too, one line per reason. */
        tu_assert_contains_("daemon-enabled", manual, "\n  ssh.daemon-enabled: not evaluated");
        tu_assert_contains_("closing line", out,
                            "every check above passes with the files applied; the ones under \"Not fixable by a "
                            "drop-in\" still need the changes named there\n");
        free(out);
}

/* Fitted to the width like the check report: the proof's evidence shortened, what to
 * change wrapped (never cut); --wide prints every line whole. The files are printed
 * as they are to be written. */
static void test_fix_output_fits_the_width(void **state)
{
        (void)state;
        char root[4096];
        snprintf(root, sizeof(root), "%s/demo-node", tu_fixtures());
        char *argv[] = {(char *)tu_nodeward(), "fix", "--dry-run", "--root", root, NULL, NULL}, *out;
        setenv("COLUMNS", "80", 1);
        assert_int_equal(tu_run(argv, &out, NULL), 1);
        unsetenv("COLUMNS");
        const char *manual = strstr(out, "\nNot fixable by a drop-in");
        assert_non_null(manual);
        assert_true(strchr(out, '\n') - out <= 80);
        size_t longest = 0, n = 0;
        for (const char *l = manual + 1; *l; l += n + 1) {
                n = strcspn(l, "\n");
                longest = n > longest ? n : longest;
                if (!l[n])
                        break;
        }
        if (longest > 80)
                fail_msg("a line of %zu columns at COLUMNS=80:\n%s", longest, out);
        tu_assert_contains_("shortened", out,
                            "  fail -> pass  kubelet.read-only-port           readOnlyPort=0 from drop-in ...\n");
        tu_assert_contains_("note", out, "\n(evidence shortened to 80 columns; --wide shows all of it)\n");
        tu_assert_contains_("wrapped", out,
                            "\n  ssh.daemon-enabled: On nodes reached through SSM Session Manager: systemctl\n"
                            "      disable --now sshd (ssh on Debian).\n");
        free(out);
        argv[5] = "--wide";
        assert_int_equal(tu_run(argv, &out, NULL), 1);
        tu_assert_contains_("wide", out,
                            "  fail -> pass  kubelet.read-only-port           readOnlyPort=0 from drop-in "
                            "/etc/kubernetes/kubelet/config.json.d/99-nodeward.conf (drop-in "
                            "/etc/kubernetes/kubelet/config.json.d/30-monitoring.conf says 10255)");
        assert_null(strstr(out, "shortened"));
        free(out);
}

static void test_fix_usage_errors(void **state)
{
        (void)state;
        char *a1[] = {(char *)tu_nodeward(), "fix", NULL};
        char *a2[] = {(char *)tu_nodeward(), "fix", "--dry-run", "--bogus", NULL};
        char *a3[] = {(char *)tu_nodeward(), "fix", "--dry-run", "--root", "/", "--root", "/", NULL};
        char *const *cases[] = {a1, a2, a3};
        const char *needles[] = {"hint: nodeward fix --dry-run", "unknown option", "given twice"};
        for (size_t i = 0; i < 3; i++) {
                char *out, *err;
                assert_int_equal(tu_run(cases[i], &out, &err), 2);
                assert_string_equal(out, "");
                if (!strstr(err, needles[i]))
                        fail_msg("no \"%s\" in %s", needles[i], err);
                free(out);
                free(err);
        }
}

/* sshd -T -f on the demo's /etc/ssh with the planned file added, in a private mount
 * namespace: the real sshd agrees that the file wins, also for the Match block's
 * connections (sshd_config(5): the first value obtained is used). */
static int sshd_T(const char *etc_ssh, const char *hk, const char *conn, char **out)
{
        char *argv[] = {"/usr/bin/unshare",
                        "-m",
                        "--propagation",
                        "private",
                        "sh",
                        "-c",
                        "mount -t tmpfs nwux-run /run && mkdir -p /run/sshd && "
                        "mount -t overlay nwux-etc -o \"lowerdir=$0/..:/etc\" /etc && mount --bind \"$0\" /etc/ssh && "
                        "exec " SSHD " -T -f /etc/ssh/sshd_config -h \"$1\" ${2:+-C \"$2\"}",
                        (char *)etc_ssh,
                        (char *)hk,
                        (char *)conn,
                        NULL};
        char *err;
        int rc = tu_run(argv, out, &err);
        if (rc != 0)
                fprintf(stderr, "sshd -T: %s\n", err);
        free(err);
        return rc;
}

static void test_real_sshd_agrees_with_the_fix(void **state)
{
        (void)state;
        if (access(SSHD, X_OK) != 0)
                fail_msg("%s missing: run make deps-test (openssh-server)", SSHD);
        char *root = demo_copy(), *outdir = tu_mkdtemp(), *work = tu_mkdtemp();
        char *argv[] = {(char *)tu_nodeward(), "fix", "--dry-run", "--root", root, "--out", outdir, NULL};
        assert_int_equal(tu_run(argv, NULL, NULL), 1);
        char cmd[16384];
        snprintf(cmd, sizeof(cmd), "cp -a '%s/etc' '%s/' && ssh-keygen -q -t ed25519 -N '' -f '%s/hk' >/dev/null", root,
                 work, work);
        assert_int_equal(system(cmd), 0);
        char etc_ssh[4200], hk[4200];
        snprintf(etc_ssh, sizeof(etc_ssh), "%s/etc/ssh", work);
        snprintf(hk, sizeof(hk), "%s/hk", work);
        const char *conn = "addr=10.0.200.5,user=root,host=admin,laddr=10.0.1.42,lport=22";
        /* Before: the cloud-init drop-in and the break-glass Match block win. */
        char *out;
        assert_int_equal(sshd_T(etc_ssh, hk, NULL, &out), 0);
        assert_non_null(strstr(out, "\npasswordauthentication yes\n"));
        free(out);
        assert_int_equal(sshd_T(etc_ssh, hk, conn, &out), 0);
        assert_non_null(strstr(out, "\npermitrootlogin yes\n"));
        free(out);
        snprintf(cmd, sizeof(cmd), "cp '%s/etc/ssh/sshd_config.d/00-nodeward.conf' '%s/sshd_config.d/'", outdir,
                 etc_ssh);
        assert_int_equal(system(cmd), 0);
        /* After: what nodeward's proof said. */
        assert_int_equal(sshd_T(etc_ssh, hk, NULL, &out), 0);
        const char *want[] = {
                "\npermitrootlogin no\n", "\npasswordauthentication no\n", "\nkbdinteractiveauthentication no\n",
                "\nx11forwarding no\n",   "\nallowtcpforwarding no\n",     "\nmaxauthtries 4\n",
                "\nlogingracetime 60\n",  "\nclientaliveinterval 300\n"};
        for (size_t i = 0; i < ARRAY_SIZE(want); i++)
                if (!strstr(out, want[i]))
                        fail_msg("sshd -T lacks %s:\n%s", want[i], out);
        free(out);
        assert_int_equal(sshd_T(etc_ssh, hk, conn, &out), 0);
        assert_non_null(strstr(out, "\npermitrootlogin no\n"));
        free(out);
        tu_rm_rf(work);
        tu_rm_rf(outdir);
        tu_rm_rf(root);
        free(work);
        free(outdir);
        free(root);
}

static const char *remediation(const cJSON *report, const char *id)
{
        const cJSON *r = tu_result(report, id);
        assert_non_null(r);
        return cJSON_GetObjectItem(r, "remediation")->valuestring;
}

static cJSON *check_json(const char *fixture, const char *only)
{
        char root[4096];
        snprintf(root, sizeof(root), "%s/%s", tu_fixtures(), fixture);
        char *argv[] = {(char *)tu_nodeward(), "check",    "--root", root, "--only",
                        (char *)only,          "--format", "json",   NULL};
        char *out;
        tu_run(argv, &out, NULL);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("no JSON: %s", out);
        free(out);
        return j;
}

/* Each flavour's remediation names its own place (amazon-eks-ami nodeadm and
 * bootstrap.sh; Bottlerocket's kubelet-config template; kubeadm's
 * KubeletConfiguration and kubeletExtraArgs; sshd's file and line). */
static void test_remediation_names_the_source(void **state)
{
        (void)state;
        cJSON *j = check_json("demo-node", "kubelet,ssh");
        tu_assert_contains_(
                "demo read-only-port", remediation(j, "kubelet.read-only-port"),
                "readOnlyPort comes from drop-in /etc/kubernetes/kubelet/config.json.d/30-monitoring.conf: "
                "change it to 0 in that drop-in, or set spec.kubelet.config.readOnlyPort: 0 in the NodeConfig");
        tu_assert_contains_("demo hostname-override", remediation(j, "kubelet.hostname-override"),
                            "remove --hostname-override from the NodeConfig's spec.kubelet.flags");
        tu_assert_contains_("demo password", remediation(j, "ssh.password-authentication"),
                            "/etc/ssh/sshd_config.d/50-cloud-init.conf line 2 sets PasswordAuthentication yes");
        tu_assert_contains_(
                "demo root login", remediation(j, "ssh.permit-root-login"),
                "the Match Address 10.0.200.0/24 block (/etc/ssh/sshd_config line 24) sets PermitRootLogin yes");
        /* A passing check keeps the catalog's text. */
        assert_string_equal(remediation(j, "kubelet.anonymous-auth"),
                            "Set authentication.anonymous.enabled: false in the kubelet config (and drop any "
                            "--anonymous-auth=true flag).");
        cJSON_Delete(j);
        j = check_json("eks-al2-node", "kubelet.seccomp-default");
        tu_assert_contains_("al2", remediation(j, "kubelet.seccomp-default"),
                            "or pass --kubelet-extra-args '--seccomp-default=true' to /etc/eks/bootstrap.sh");
        cJSON_Delete(j);
        j = check_json("bottlerocket-node", "kubelet.seccomp-default");
        tu_assert_contains_("bottlerocket", remediation(j, "kubelet.seccomp-default"),
                            "set settings.kubernetes.seccomp-default = true through the Bottlerocket API");
        cJSON_Delete(j);
        /* kubeadm: the cluster's KubeletConfiguration for a config value ... */
        j = check_json("kubeadm-node", "kubelet.seccomp-default");
        tu_assert_contains_("kubeadm config", remediation(j, "kubelet.seccomp-default"),
                            "seccompDefault is not set (the kubelet's default applies): set seccompDefault: true in "
                            "the KubeletConfiguration of the kubeadm config (the kubelet-config ConfigMap in "
                            "kube-system), then run kubeadm upgrade node phase kubelet-config.");
        cJSON_Delete(j);
        /* ... and nodeRegistration.kubeletExtraArgs for a flag kubeadm wrote. */
        char *root = tu_mkdtemp(), src[4096];
        snprintf(src, sizeof(src), "%s/kubeadm-node", tu_fixtures());
        tu_copy_tree(src, root);
        tu_write(root, "var/lib/kubelet/kubeadm-flags.env",
                 "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock "
                 "--read-only-port=10255\"\n");
        j = tu_check_json(root, "kubelet.read-only-port", NULL);
        assert_non_null(j);
        tu_assert_contains_("kubeadm flag", remediation(j, "kubelet.read-only-port"),
                            "remove --read-only-port from nodeRegistration.kubeletExtraArgs (written to "
                            "/var/lib/kubelet/kubeadm-flags.env) or KUBELET_EXTRA_ARGS in /etc/default/kubelet");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

/* "(12 ms)" -> "(N ms)": the only part of the report that changes between runs. */
static void strip_duration(char *s)
{
        char *p = strstr(s, " ms)\n");
        if (!p)
                return;
        char *q = p;
        while (q > s && q[-1] >= '0' && q[-1] <= '9')
                q--;
        if (q > s && q[-1] == '(') {
                *q = 'N';
                memmove(q + 1, p, strlen(p) + 1);
        }
}

/* The README's sample is what the command it names prints, to the byte (but the duration). */
static void test_readme_sample_is_the_real_output(void **state)
{
        (void)state;
        char repo[4096];
        snprintf(repo, sizeof(repo), "%s/../..", tu_fixtures());
        char *readme = read_text(repo, "README.md");
        const char *marker = "<!-- sample: nodeward check --root tests/fixtures/demo-node -->\n```\n";
        char *b = strstr(readme, marker);
        assert_non_null(b);
        b += strlen(marker);
        char *e = strstr(b, "```\n");
        assert_non_null(e);
        *e = '\0';
        char cwd[4096];
        assert_non_null(getcwd(cwd, sizeof(cwd)));
        assert_int_equal(chdir(repo), 0);
        unsetenv("COLUMNS");
        char *argv[] = {(char *)tu_nodeward(), "check", "--root", "tests/fixtures/demo-node", NULL}, *out;
        int rc = tu_run(argv, &out, NULL);
        assert_int_equal(chdir(cwd), 0);
        assert_int_equal(rc, 1);
        strip_duration(b);
        strip_duration(out);
        if (strcmp(b, out) != 0)
                fail_msg("README sample differs from the output; regenerate it:\n%s", out);
        /* The demo tells its own story: its kernel, and no error it does not mean. */
        assert_non_null(strstr(out, "kernel 6.1.119-129.201.amzn2023.x86_64)"));
        assert_non_null(strstr(out, " 0 error "));
        free(out);
        free(readme);
}

/* A --config-dir with ".." (the node's command line is untrusted) cannot make fix
 * write outside --out or its temporary copy. */
static void test_dotdot_config_dir_writes_nothing_outside(void **state)
{
        (void)state;
        char *root = demo_copy(), *outdir = tu_mkdtemp();
        const char *argv_k[] = {"/usr/bin/kubelet", "--config=/etc/kubernetes/kubelet/config.json",
                                "--config-dir=/etc/kubernetes/kubelet/../../../../../../../../tmp/nwux-escape.d",
                                "--kubeconfig=/var/lib/kubelet/kubeconfig", NULL};
        tu_write_proc(root, 1870, "kubelet", argv_k);
        tu_write(root, "tmp/nwux-escape.d/10-x.conf",
                 "{\"apiVersion\":\"kubelet.config.k8s.io/v1beta1\",\"kind\":\"KubeletConfiguration\"}\n");
        char *argv[] = {(char *)tu_nodeward(), "fix", "--dry-run", "--root", root, "--out", outdir, NULL}, *out, *err;
        int rc = tu_run(argv, &out, &err);
        assert_int_equal(rc, 2);
        assert_non_null(strstr(err, "Invalid argument"));
        assert_int_not_equal(access("/tmp/nwux-escape.d", F_OK), 0);
        char p[4200];
        snprintf(p, sizeof(p), "%s/tmp/nwux-escape.d/99-nodeward.conf", root);
        assert_int_not_equal(access(p, F_OK), 0);
        free(out);
        free(err);
        tu_rm_rf(outdir);
        tu_rm_rf(root);
        free(outdir);
        free(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_demo_fix_flips_checks_and_leaves_root_alone),
                cmocka_unit_test(test_kubelet_dropin_sorts_last),
                cmocka_unit_test(test_no_config_dir_names_the_place),
                cmocka_unit_test(test_no_files_no_proof_and_errors_are_not_passes),
                cmocka_unit_test(test_proof_copies_the_units_environment_files),
                cmocka_unit_test(test_failures_without_a_fix_are_listed),
                cmocka_unit_test(test_fix_output_fits_the_width),
                cmocka_unit_test(test_fix_usage_errors),
                cmocka_unit_test(test_real_sshd_agrees_with_the_fix),
                cmocka_unit_test(test_remediation_names_the_source),
                cmocka_unit_test(test_readme_sample_is_the_real_output),
                cmocka_unit_test(test_dotdot_config_dir_writes_nothing_outside),
        };
        return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
