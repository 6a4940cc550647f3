/* test_kubelet_node_checks: the worker-node checks (unit files, client CA, pod limits, serving
 * certificate, kernel tunables, kube-proxy) pass, fail, skip and error as promised, over hand-made facts;
 * and the parsers behind them: mountinfo, /proc/sys integers, kube-proxy's settings. */
#include "testutil.h"
#include "collect/facts.h"

#include "base/confdoc.h"
#include "engine.h"
#include "base/mountinfo.h"
#include "collect/node/sysctl_d.h"
#include "base/util.h"

static void set_field(struct facts *f, enum kfield id, const char *json, enum ksource src, const char *origin)
{
        struct kfield_value *v = &f->kubelet.f[id];
        cJSON_Delete(v->value);
        free(v->origin);
        v->value = json ? cJSON_Parse(json) : NULL;
        v->source = src;
        v->origin = strdup(origin);
}

static struct facts *found_kubelet(void)
{
        struct facts *f = calloc(1, sizeof(*f));
        f->kubelet.found = true;
        f->kubelet.found_by = strdup("process 1 (kubelet)");
        f->kubelet.has_config = true;
        for (int i = 0; i < KF__COUNT; i++)
                set_field(f, (enum kfield)i, kfield_defs[i].cfg_default,
                          kfield_defs[i].cfg_default ? KSRC_DEFAULT : KSRC_UNSET, "default");
        return f;
}

static void drop(struct facts *f)
{
        facts_free(f);
        free(f);
}

/* Run @fn as the engine would for @bench (NULL: no benchmark item). */
static struct result run_one(check_fn fn, const char *id, const struct facts *f, const char *bench)
{
        struct result r = {0};
        r.item = bench ? benchmark_item(benchmark_find(bench), id) : NULL;
        fn(f, &r);
        return r;
}

static void expect_(check_fn fn, const char *id, const struct facts *f, const char *bench, enum status st,
                    const char *needle)
{
        struct result r = run_one(fn, id, f, bench);
        if (r.status != st || (needle && !strstr(r.evidence, needle)))
                fail_msg("%s: got %s \"%s\", want %s with \"%s\"", id, status_name(r.status), r.evidence,
                         status_name(st), needle ? needle : "");
        free(r.evidence);
}
#define EXPECT(fn, id, f, bench, st, needle) expect_(fn, id, f, bench, st, needle)

static void add_unit_file(struct facts *f, const char *path, unsigned mode, uid_t uid, int err)
{
        struct kubelet_unit_files *u = &f->kubelet_unit;
        u->found = true;
        u->files = realloc(u->files, (u->n + 1) * sizeof(struct kfile));
        struct kfile *k = &u->files[u->n++];
        memset(k, 0, sizeof(*k));
        k->path = strdup(path);
        k->err = err;
        k->st.st_mode = S_IFREG | mode;
        k->st.st_uid = uid;
}

static void test_service_files_mode_and_owner(void **state)
{
        (void)state;
        struct facts *f = calloc(1, sizeof(*f));
        f->kubelet_unit.absent_reason = strdup("no kubelet.service unit");
        EXPECT(check_kubelet_service_file_permissions, "kubelet.service-file-permissions", f, NULL, ST_SKIP,
               "no kubelet.service");
        free(f->kubelet_unit.absent_reason);
        f->kubelet_unit.absent_reason = NULL;
        add_unit_file(f, "/usr/lib/systemd/system/kubelet.service", 0644, 0, 0);
        add_unit_file(f, "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", 0644, 0, 0);
        /* 0644 passes EKS's default rule but fails CIS Kubernetes 4.1.1 (600). */
        EXPECT(check_kubelet_service_file_permissions, "kubelet.service-file-permissions", f, NULL, ST_PASS,
               "10-kubeadm.conf mode 0644");
        EXPECT(check_kubelet_service_file_permissions, "kubelet.service-file-permissions", f, "cis-kubernetes-1.12.0",
               ST_FAIL, "(want 0600 or stricter)");
        EXPECT(check_kubelet_service_file_ownership, "kubelet.service-file-ownership", f, NULL, ST_PASS, "owner 0:0");
        add_unit_file(f, "/etc/systemd/system/kubelet.service.d/20-extra.conf", 0664, 1000, 0);
        EXPECT(check_kubelet_service_file_permissions, "kubelet.service-file-permissions", f, NULL, ST_FAIL,
               "20-extra.conf mode 0664");
        EXPECT(check_kubelet_service_file_ownership, "kubelet.service-file-ownership", f, NULL, ST_FAIL,
               "20-extra.conf owner 1000:0");
        f->kubelet_unit.files[2].st.st_mode = S_IFREG | 0600;
        f->kubelet_unit.files[2].st.st_uid = 0;
        f->kubelet_unit.files[1].err = -EACCES;
        EXPECT(check_kubelet_service_file_permissions, "kubelet.service-file-permissions", f, NULL, ST_ERROR,
               "10-kubeadm.conf");
        f->kubelet_unit.error = strdup("kubelet.service: Permission denied");
        EXPECT(check_kubelet_service_file_ownership, "kubelet.service-file-ownership", f, NULL, ST_ERROR,
               "Permission denied");
        drop(f);
}

static void test_client_ca_mode_owner(void **state)
{
        (void)state;
        struct facts *f = found_kubelet();
        /* Not set: kubelet.client-ca-file fails; nothing to stat here. */
        EXPECT(check_kubelet_client_ca_permissions, "kubelet.client-ca-permissions", f, NULL, ST_SKIP, "not set");
        set_field(f, KF_CLIENT_CA_FILE, "\"/etc/kubernetes/pki/ca.crt\"", KSRC_FILE, "config file /c");
        f->kubelet.client_ca.path = strdup("/etc/kubernetes/pki/ca.crt");
        f->kubelet.client_ca.st.st_mode = S_IFREG | 0644;
        EXPECT(check_kubelet_client_ca_permissions, "kubelet.client-ca-permissions", f, NULL, ST_PASS, "mode 0644");
        /* CIS Kubernetes 1.10.0 4.1.7 asks 600; 1.11.0 relaxed it to 644. */
        EXPECT(check_kubelet_client_ca_permissions, "kubelet.client-ca-permissions", f, "cis-kubernetes-1.10.0",
               ST_FAIL, "want 0600");
        EXPECT(check_kubelet_client_ca_permissions, "kubelet.client-ca-permissions", f, "cis-kubernetes-1.11.0",
               ST_PASS, NULL);
        f->kubelet.client_ca.st.st_gid = 50;
        EXPECT(check_kubelet_client_ca_ownership, "kubelet.client-ca-ownership", f, NULL, ST_FAIL, "owner 0:50");
        f->kubelet.client_ca.err = -ENOENT;
        EXPECT(check_kubelet_client_ca_ownership, "kubelet.client-ca-ownership", f, NULL, ST_SKIP, "does not exist");
        f->kubelet.client_ca.err = -EACCES;
        EXPECT(check_kubelet_client_ca_ownership, "kubelet.client-ca-ownership", f, NULL, ST_ERROR, "ca.crt");
        f->kubelet.load_error = strdup("/c:1:2: bad");
        EXPECT(check_kubelet_client_ca_permissions, "kubelet.client-ca-permissions", f, NULL, ST_ERROR, "/c:1:2");
        drop(f);
}

static void test_pod_pids_limit_and_seccomp_default(void **state)
{
        (void)state;
        struct facts *f = found_kubelet();
        /* v1beta1 defaults: podPidsLimit -1, seccompDefault false. */
        EXPECT(check_kubelet_pod_pids_limit, "kubelet.pod-pids-limit", f, NULL, ST_FAIL,
               "podPidsLimit=-1 from default");
        EXPECT(check_kubelet_seccomp_default, "kubelet.seccomp-default", f, NULL, ST_FAIL, "seccompDefault=false");
        set_field(f, KF_POD_PIDS_LIMIT, "0", KSRC_FILE, "config file /c");
        EXPECT(check_kubelet_pod_pids_limit, "kubelet.pod-pids-limit", f, NULL, ST_FAIL, "podPidsLimit=0");
        set_field(f, KF_POD_PIDS_LIMIT, "4096", KSRC_FLAG, "flag --pod-max-pids");
        EXPECT(check_kubelet_pod_pids_limit, "kubelet.pod-pids-limit", f, NULL, ST_PASS,
               "4096 from flag --pod-max-pids");
        set_field(f, KF_SECCOMP_DEFAULT, "true", KSRC_DROPIN, "drop-in /d/50.conf");
        EXPECT(check_kubelet_seccomp_default, "kubelet.seccomp-default", f, NULL, ST_PASS, "drop-in /d/50.conf");
        f->kubelet.f[KF_POD_PIDS_LIMIT].error = strdup("podPidsLimit: expected an integer");
        EXPECT(check_kubelet_pod_pids_limit, "kubelet.pod-pids-limit", f, NULL, ST_ERROR, "expected an integer");
        drop(f);
        f = calloc(1, sizeof(*f));
        f->kubelet.absent_reason = strdup("no kubelet found");
        EXPECT(check_kubelet_seccomp_default, "kubelet.seccomp-default", f, NULL, ST_SKIP, "no kubelet");
        drop(f);
}

static void test_tls_cert_files(void **state)
{
        (void)state;
        struct facts *f = found_kubelet();
        EXPECT(check_kubelet_tls_cert_files, "kubelet.tls-cert-files", f, NULL, ST_FAIL, "self-signed");
        set_field(f, KF_TLS_CERT_FILE, "\"/var/lib/kubelet/pki/kubelet.crt\"", KSRC_FILE, "config file /c");
        EXPECT(check_kubelet_tls_cert_files, "kubelet.tls-cert-files", f, NULL, ST_FAIL, "both are needed");
        set_field(f, KF_TLS_PRIVATE_KEY_FILE, "\"/var/lib/kubelet/pki/kubelet.key\"", KSRC_FILE, "config file /c");
        EXPECT(check_kubelet_tls_cert_files, "kubelet.tls-cert-files", f, NULL, ST_PASS, "tlsPrivateKeyFile=");
        set_field(f, KF_TLS_CERT_FILE, NULL, KSRC_UNSET, "unset");
        set_field(f, KF_TLS_PRIVATE_KEY_FILE, NULL, KSRC_UNSET, "unset");
        set_field(f, KF_SERVER_TLS_BOOTSTRAP, "true", KSRC_FILE, "config file /c");
        EXPECT(check_kubelet_tls_cert_files, "kubelet.tls-cert-files", f, NULL, ST_PASS, "issued by the cluster");
        f->kubelet.flag_error = strdup("--tls-cert-file: needs a value");
        EXPECT(check_kubelet_tls_cert_files, "kubelet.tls-cert-files", f, NULL, ST_ERROR, "needs a value");
        drop(f);
}

static void set_sysctls(struct facts *f, const long *v, int err)
{
        f->sysctl.proc_path = f->sysctl.proc_path ? f->sysctl.proc_path : strdup("/host/proc");
        for (size_t i = 0; i < KSYS__COUNT; i++) {
                f->sysctl.v[i].value = v ? v[i] : 0;
                f->sysctl.v[i].err = err;
        }
}

/* Semantics of setupKernelTunables (kubernetes pkg/kubelet/cm/container_manager_linux.go):
 * protectKernelDefaults=true makes a differing value a start-up error; false lets the kubelet modify them. */
static void test_kernel_tunables(void **state)
{
        (void)state;
        static const long good[KSYS__COUNT] = {1, 0, 10, 1, 1000000, 25000000};
        static const long bad[KSYS__COUNT] = {0, 0, 0, 1, 1000000, 25000000};
        struct facts *f = found_kubelet();
        set_sysctls(f, bad, 0);
        EXPECT(check_kubelet_kernel_tunables, "kubelet.kernel-tunables", f, NULL, ST_SKIP,
               "sets the kernel settings itself; differing now: vm.overcommit_memory=0 (want 1)");
        set_field(f, KF_PROTECT_KERNEL_DEFAULTS, "true", KSRC_FILE, "config file /c");
        EXPECT(check_kubelet_kernel_tunables, "kubelet.kernel-tunables", f, NULL, ST_FAIL,
               "vm.overcommit_memory=0 (want 1), kernel.panic=0 (want 10): the kubelet refuses to start");
        set_sysctls(f, good, 0);
        EXPECT(check_kubelet_kernel_tunables, "kubelet.kernel-tunables", f, NULL, ST_PASS,
               "kernel.keys.root_maxbytes=25000000");
        f->sysctl.v[KSYS_KERNEL_PANIC].err = -EINVAL;
        EXPECT(check_kubelet_kernel_tunables, "kubelet.kernel-tunables", f, NULL, ST_ERROR,
               "kernel.panic: not an integer");
        set_sysctls(f, NULL, -ENOENT);
        EXPECT(check_kubelet_kernel_tunables, "kubelet.kernel-tunables", f, NULL, ST_SKIP, "holds none");
        drop(f);
}

/* A copied root has no live values: a boot file that sets a value the kubelet refuses is a finding
 * before the node boots; values it accepts, or settings no file sets, still skip. */
static void test_kernel_tunables_judge_boot_files_without_live_values(void **state)
{
        (void)state;
        struct facts *f = found_kubelet();
        set_field(f, KF_PROTECT_KERNEL_DEFAULTS, "true", KSRC_FILE, "config file /c");
        set_sysctls(f, NULL, -ENOENT);
        f->collected |= FACT_HOST;
        const char *good = "vm.overcommit_memory = 1\nkernel.panic = 10\n";
        sysctl_d_parse(good, strlen(good), "/etc/sysctl.d/99-amazon.conf", &f->host.boot);
        EXPECT(check_kubelet_kernel_tunables, "kubelet.kernel-tunables", f, NULL, ST_SKIP,
               "the boot files set vm.overcommit_memory=1 (/etc/sysctl.d/99-amazon.conf:1)");
        const char *bad = "# local tuning\nkernel.panic=0\n";
        sysctl_d_parse(bad, strlen(bad), "/etc/sysctl.conf", &f->host.boot);
        EXPECT(check_kubelet_kernel_tunables, "kubelet.kernel-tunables", f, NULL, ST_FAIL,
               "but /etc/sysctl.conf:2 sets kernel.panic=0 (want 10): once the boot files are applied the kubelet "
               "refuses to start");
        set_field(f, KF_PROTECT_KERNEL_DEFAULTS, "false", KSRC_DEFAULT, "default");
        EXPECT(check_kubelet_kernel_tunables, "kubelet.kernel-tunables", f, NULL, ST_SKIP,
               "the kubelet sets the kernel settings itself");
        drop(f);
}

static struct facts *with_kube_proxy(const char *metrics, const char *origin)
{
        struct facts *f = calloc(1, sizeof(*f));
        struct kube_proxy_facts *k = &f->kube_proxy;
        k->found = true;
        k->found_by = strdup("process 900 (kube-proxy)");
        k->metrics_bind = strdup(metrics);
        k->metrics_origin = strdup(origin);
        return f;
}

static void test_kube_proxy_checks(void **state)
{
        (void)state;
        struct facts *f = with_kube_proxy("0.0.0.0:10249", "config file /var/lib/kube-proxy-config/config");
        EXPECT(check_kube_proxy_metrics_bind_address, "kube-proxy.metrics-bind-address", f, NULL, ST_FAIL,
               "every address");
        EXPECT(check_kube_proxy_kubeconfig_permissions, "kube-proxy.kubeconfig-permissions", f, NULL, ST_SKIP,
               "service account");
        struct kube_proxy_facts *k = &f->kube_proxy;
        k->has_kubeconfig = true;
        k->kubeconfig_origin = strdup("clientConnection.kubeconfig in /var/lib/kube-proxy-config/config");
        k->kubeconfig.path = strdup("/var/lib/kubelet/pods/u/volumes/kubernetes.io~configmap/kubeconfig/kubeconfig");
        k->kubeconfig.st.st_mode = S_IFREG | 0644;
        EXPECT(check_kube_proxy_kubeconfig_permissions, "kube-proxy.kubeconfig-permissions", f, NULL, ST_PASS,
               "configmap/kubeconfig/kubeconfig mode 0644");
        EXPECT(check_kube_proxy_kubeconfig_permissions, "kube-proxy.kubeconfig-permissions", f, "cis-kubernetes-1.12.0",
               ST_FAIL, "want 0600");
        k->kubeconfig.st.st_uid = 65534;
        EXPECT(check_kube_proxy_kubeconfig_ownership, "kube-proxy.kubeconfig-ownership", f, NULL, ST_FAIL,
               "owner 65534:0");
        free(k->metrics_bind);
        k->metrics_bind = strdup("[::]:10249");
        EXPECT(check_kube_proxy_metrics_bind_address, "kube-proxy.metrics-bind-address", f, NULL, ST_FAIL,
               "every address");
        free(k->metrics_bind);
        k->metrics_bind = strdup("127.0.0.1:10249");
        EXPECT(check_kube_proxy_metrics_bind_address, "kube-proxy.metrics-bind-address", f, NULL, ST_PASS, NULL);
        free(k->metrics_bind);
        k->metrics_bind = strdup("10.0.1.23:10249");
        EXPECT(check_kube_proxy_metrics_bind_address, "kube-proxy.metrics-bind-address", f, NULL, ST_WARN,
               "not loopback");
        k->config_error = strdup("/c: kind is not KubeProxyConfiguration");
        EXPECT(check_kube_proxy_metrics_bind_address, "kube-proxy.metrics-bind-address", f, NULL, ST_ERROR,
               "kind is not");
        drop(f);
        f = calloc(1, sizeof(*f));
        f->kube_proxy.absent_reason = strdup("no kube-proxy");
        EXPECT(check_kube_proxy_metrics_bind_address, "kube-proxy.metrics-bind-address", f, NULL, ST_SKIP,
               "no kube-proxy");
        drop(f);
}

/* With --config kube-proxy ignores the other flags (cmd/kube-proxy/app/server.go Options.Complete). */
static void test_absent_kube_proxy_and_kubelet_are_errors_without_the_process_table(void **state)
{
        (void)state;
        struct facts *f = calloc(1, sizeof(*f));
        f->procs_error = strdup("/host/proc: No such file or directory");
        f->kube_proxy.absent_reason = strdup("no kube-proxy");
        f->kubelet.absent_reason = strdup("no kubelet found");
        EXPECT(check_kube_proxy_metrics_bind_address, "kube-proxy.metrics-bind-address", f, NULL, ST_ERROR,
               "not evaluated: the process table kube-proxy is found in could not be read: /host/proc: No such file");
        EXPECT(check_kube_proxy_kubeconfig_permissions, "kube-proxy.kubeconfig-permissions", f, NULL, ST_ERROR,
               "the process table kube-proxy is found in could not be read");
        EXPECT(check_kubelet_pod_pids_limit, "kubelet.pod-pids-limit", f, NULL, ST_ERROR,
               "not evaluated: the process table the kubelet is found in could not be read: /host/proc");
        drop(f);
}

static void test_kube_proxy_settings_config_wins_over_flags(void **state)
{
        (void)state;
        char *argv[] = {"kube-proxy",
                        "--config=/var/lib/kube-proxy-config/config",
                        "--metrics-bind-address=127.0.0.1",
                        "--kubeconfig",
                        "/flag/kubeconfig",
                        NULL};
        cJSON *cfg;
        char *err = NULL;
        const char
                *y = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n"
                     "metricsBindAddress: 0.0.0.0\nclientConnection:\n  kubeconfig: /var/lib/kube-proxy/kubeconfig\n";
        assert_int_equal(confdoc_parse(y, strlen(y), &cfg, &err), 0);
        char *m, *mo, *kc, *ko;
        kube_proxy_settings(argv, 5, cfg, "/c", &m, &mo, &kc, &ko);
        assert_string_equal(m, "0.0.0.0:10249"); /* a bare address gets the default port */
        assert_string_equal(mo, "config file /c");
        assert_string_equal(kc, "/var/lib/kube-proxy/kubeconfig");
        free(m), free(mo), free(kc), free(ko);
        cJSON_Delete(cfg);
        /* Without --config the flags decide; nothing set means loopback. */
        kube_proxy_settings(argv, 5, NULL, NULL, &m, &mo, &kc, &ko);
        assert_string_equal(m, "127.0.0.1:10249");
        assert_string_equal(mo, "flag --metrics-bind-address");
        assert_string_equal(kc, "/flag/kubeconfig");
        assert_string_equal(ko, "flag --kubeconfig");
        free(m), free(mo), free(kc), free(ko);
        char *bare[] = {"kube-proxy", NULL};
        kube_proxy_settings(bare, 1, NULL, NULL, &m, &mo, &kc, &ko);
        assert_string_equal(m, "127.0.0.1:10249");
        assert_non_null(strstr(mo, "default"));
        assert_null(kc);
        assert_null(ko);
        free(m), free(mo);
}

static void test_mountinfo_maps_configmap_volume_to_host(void **state)
{
        (void)state;
        /* A kube-proxy container: overlay root, a ConfigMap volume bind-mounted from
         * the kubelet's pod directory on the node's root disk (259:1). */
        const char *pm = "1200 1100 0:300 / / rw,relatime - overlay overlay rw\n"
                         "1210 1200 259:1 /var/lib/kubelet/pods/8f1c/volumes/kubernetes.io~configmap/kubeconfig "
                         "/var/lib/kube-proxy ro,relatime - xfs /dev/nvme0n1p1 rw\n"
                         "1211 1200 259:1 /var/lib/kubelet/pods/8f1c/volumes/kubernetes.io~configmap/config "
                         "/var/lib/kube-proxy-config ro - xfs /dev/nvme0n1p1 rw\n"
                         "1212 1200 0:301 / /run/secrets/kubernetes.io/serviceaccount ro - tmpfs tmpfs rw\n"
                         /* a network namespace bind-mounted by ip netns: its root is no path */
                         "1213 1200 0:4 net:[4026532289] /run/netns/cni-1 rw - nsfs nsfs rw\n";
        const char *hm = "22 1 259:1 / / rw,noatime shared:1 - xfs /dev/nvme0n1p1 rw\n"
                         "23 22 0:22 / /proc rw - proc proc rw\n"
                         "40 22 259:2 / /var\\040data rw - xfs /dev/nvme0n1p2 rw\n";
        struct mounts p, h;
        assert_int_equal(mountinfo_parse(pm, strlen(pm), &p), 0);
        assert_int_equal(mountinfo_parse(hm, strlen(hm), &h), 0);
        assert_int_equal(p.n, 5);
        assert_string_equal(h.v[2].mountpoint, "/var data"); /* \040 decoded */
        char *out;
        assert_int_equal(mountinfo_host_path(&p, &h, "/var/lib/kube-proxy/kubeconfig", &out), 0);
        assert_string_equal(out, "/var/lib/kubelet/pods/8f1c/volumes/kubernetes.io~configmap/kubeconfig/kubeconfig");
        free(out);
        /* Only a whole component matches: /var/lib/kube-proxy-config is its own mount. */
        assert_int_equal(mountinfo_host_path(&p, &h, "/var/lib/kube-proxy-config/config", &out), 0);
        assert_string_equal(out, "/var/lib/kubelet/pods/8f1c/volumes/kubernetes.io~configmap/config/config");
        free(out);
        /* The container's own tmpfs and overlay are on no host mount. */
        assert_int_equal(mountinfo_host_path(&p, &h, "/run/secrets/kubernetes.io/serviceaccount/token", &out), -ENOENT);
        assert_int_equal(mountinfo_host_path(&p, &h, "/etc/passwd", &out), -ENOENT);
        assert_int_equal(mountinfo_host_path(&p, &h, "/run/netns/cni-1", &out), -ENOENT);
        /* A host process sees host paths. */
        assert_int_equal(mountinfo_host_path(&h, &h, "/etc/kubernetes/proxy.conf", &out), 0);
        assert_string_equal(out, "/etc/kubernetes/proxy.conf");
        free(out);
        mounts_free(&p);
        mounts_free(&h);
        static const char *const broken[] = {"12 1 8:1 /\n", "12 1 x:y / / rw\n", "12 1 8:1 / rel rw\n",
                                             "a\0b 1 8:1 / / rw\n"};
        for (size_t i = 0; i < ARRAY_SIZE(broken); i++)
                assert_int_equal(mountinfo_parse(broken[i], i == 3 ? 18 : strlen(broken[i]), &p), -EINVAL);
}

static void test_sysctl_integers_as_the_kubelet_reads_them(void **state)
{
        (void)state;
        long v;
        assert_int_equal(sysctl_parse_int("1\n", 2, &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(sysctl_parse_int(" 25000000 \n", 11, &v), 0);
        assert_int_equal(v, 25000000);
        assert_int_equal(sysctl_parse_int("-1\n", 3, &v), 0);
        assert_int_equal(v, -1);
        assert_int_equal(sysctl_parse_int("", 0, &v), -EINVAL);
        assert_int_equal(sysctl_parse_int("1 2\n", 4, &v), -EINVAL);
        assert_int_equal(sysctl_parse_int("0x10", 4, &v), -EINVAL);
        assert_int_equal(sysctl_parse_int("-", 1, &v), -EINVAL);
        assert_int_equal(sysctl_parse_int("99999999999999999999", 20, &v), -ERANGE);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_service_files_mode_and_owner),
                cmocka_unit_test(test_client_ca_mode_owner),
                cmocka_unit_test(test_pod_pids_limit_and_seccomp_default),
                cmocka_unit_test(test_tls_cert_files),
                cmocka_unit_test(test_kernel_tunables),
                cmocka_unit_test(test_kernel_tunables_judge_boot_files_without_live_values),
                cmocka_unit_test(test_kube_proxy_checks),
                cmocka_unit_test(test_absent_kube_proxy_and_kubelet_are_errors_without_the_process_table),
                cmocka_unit_test(test_kube_proxy_settings_config_wins_over_flags),
                cmocka_unit_test(test_mountinfo_maps_configmap_volume_to_host),
                cmocka_unit_test(test_sysctl_integers_as_the_kubelet_reads_them),
        };
        return cmocka_run_group_tests_name("worker-node checks", tests, NULL, tu_group_teardown);
}
