/* fleet: helpers for the tests of the fleet artefacts: shell commands, the npm validators, a kubelet fixture. */
#pragma once
#include "testutil.h"
#include "base/util.h"

/* Run a shell command line; returns its exit code. */
/* One scratch directory per test program, made by the group setup. */
static char *scratch;

static inline int fl_setup(void **state)
{
        (void)state;
        scratch = tu_mkdtemp();
        return 0;
}

static inline int fl_teardown(void **state)
{
        (void)state;
        tu_rm_rf(scratch);
        free(scratch);
        return 0;
}

static inline int fl_sh(const char *cmd, char **ret_out, char **ret_err)
{
        char *argv[] = {(char *)"/bin/sh", (char *)"-c", (char *)cmd, NULL};
        return tu_run_timeout(argv, ret_out, ret_err, 300);
}

/* The suite runs from the repository root (make test). */
static inline void fl_need_tool(const char *tool)
{
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null", tool);
        if (system(cmd) != 0)
                fail_msg("%s is not installed; `make test` installs it (TEST_DEB_PACKAGES)", tool);
}

/* The npm validators (tests/package.json), installed from the lock file when missing. */
static inline void fl_need_node_modules(void)
{
        fl_need_tool("node");
        if (access("tests/node_modules/ajv-draft-04/package.json", F_OK) == 0 &&
            access("tests/node_modules/kubernetes-models/package.json", F_OK) == 0 &&
            access("tests/node_modules/@microsoft/sarif-multitool-linux/package.json", F_OK) == 0 &&
            access("tests/node_modules/test-results-parser/package.json", F_OK) == 0)
                return;
        char *err = NULL;
        int rc = fl_sh("cd tests && npm ci --no-audit --no-fund --loglevel=error", NULL, &err);
        if (rc != 0)
                fail_msg("npm ci in tests/ failed (%d): %s", rc, err);
        free(err);
}

/* A node whose kubelet fails several checks: anonymous auth on, read-only port by flag. */
static inline char *fl_kubelet_root(void)
{
        char *root = tu_mkdtemp();
        static const char *const argv[] = {"/usr/bin/kubelet", "--config=/etc/kubernetes/kubelet/config.json",
                                           "--kubeconfig=/var/lib/kubelet/kubeconfig", "--read-only-port=10255", NULL};
        tu_write_proc(root, 811, "kubelet", argv);
        /* A policy engine runs, so net.policy-engine passes and the failures stay the kubelet's. */
        static const char *const npa[] = {"/usr/bin/aws-network-policy-agent", NULL};
        tu_write_proc(root, 812, "aws-network-pol", npa);
        tu_write(root, "etc/kubernetes/kubelet/config.json",
                 "{\"kind\":\"KubeletConfiguration\",\"apiVersion\":\"kubelet.config.k8s.io/v1beta1\",\n"
                 " \"authentication\":{\"anonymous\":{\"enabled\":true}},\"readOnlyPort\":0}\n");
        /* A client certificate without rotateCertificates: kubelet.rotate-certificates fails too. */
        static const char kubeconfig[] = "apiVersion: v1\nkind: Config\ncurrent-context: kubelet\n"
                                         "contexts: [{name: kubelet, context: {cluster: k, user: kubelet}}]\n"
                                         "users: [{name: kubelet, user: {client-certificate: /var/lib/kubelet/pki/"
                                         "kubelet-client-current.pem}}]\n";
        tu_write_bin(root, "var/lib/kubelet/kubeconfig", kubeconfig, sizeof(kubeconfig) - 1, 0600);
        tu_write(root, "etc/os-release", "PRETTY_NAME=\"Amazon Linux 2023\"\n");
        /* The host under the kubelet is hardened (chronyd and auditd running and enabled, the
         * kubelet's files watched, a persistent journal, udf and sctp refused by modprobe), so the
         * host.* checks add no failure. */
        static const char *const chronyd[] = {"/usr/sbin/chronyd", "-F", "2", NULL};
        tu_write_proc(root, 601, "chronyd", chronyd);
        static const char *const auditd[] = {"/sbin/auditd", NULL};
        tu_write_proc(root, 602, "auditd", auditd);
        tu_symlink(root, "etc/systemd/system/multi-user.target.wants/chronyd.service",
                   "/usr/lib/systemd/system/chronyd.service");
        tu_symlink(root, "etc/systemd/system/multi-user.target.wants/auditd.service",
                   "/usr/lib/systemd/system/auditd.service");
        tu_write(root, "etc/chrony.conf", "server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4\n");
        tu_write(root, "etc/audit/rules.d/60-kubernetes.rules", "-w /etc/kubernetes -p wa -k kubernetes\n");
        tu_write(root, "etc/systemd/journald.conf", "[Journal]\nStorage=persistent\n");
        tu_write(root, "etc/modprobe.d/cis.conf", "install udf /bin/false\ninstall sctp /bin/false\n");
        return root;
}

/* argv for `nodeward check --root ROOT ARGS...` (up to 8 ARGS, NULL-terminated). */
static inline int fl_check(const char *root, char **ret_out, char **ret_err, ...)
{
        char *argv[16];
        int n = 0;
        argv[n++] = (char *)tu_nodeward();
        argv[n++] = (char *)"check";
        argv[n++] = (char *)"--root";
        argv[n++] = (char *)root;
        va_list ap;
        va_start(ap, ret_err);
        for (const char *a; n < 15 && (a = va_arg(ap, const char *));)
                argv[n++] = (char *)a;
        va_end(ap);
        argv[n] = NULL;
        return tu_run(argv, ret_out, ret_err);
}
