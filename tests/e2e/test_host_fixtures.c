/* test_host_fixtures: the host.* checks end to end on the AL2, AL2023 and Bottlerocket fixture roots
 * (see each fixture's SOURCES-host.md), and the boot-file order systemd-sysctl applies (sysctl.d(5):
 * /etc, /run, /usr/local/lib, /usr/lib, /lib; the same name in an earlier directory wins; files in
 * name order; a later assignment wins; a link to /dev/null masks), drift between boot files and the
 * live value, the operator's --audit-watch list, and hostile files under the root. */
#include "testutil.h"

#include <stdbool.h>

/* A scratch copy owned by root, journal files 0640 as journald creates them. */
static char *scratch(const char *fixture)
{
        char *dst = tu_mkdtemp(), src[4096], cmd[8192];
        snprintf(src, sizeof(src), "%s/%s", tu_fixtures(), fixture);
        tu_copy_tree(src, dst);
        snprintf(cmd, sizeof(cmd), "chown -hR 0:0 '%s' && find '%s/var/log/journal' -type f -exec chmod 0640 {} +", dst,
                 dst);
        assert_int_equal(system(cmd), 0);
        return dst;
}

static void rm_at(const char *root, const char *rel)
{
        char p[4096];
        snprintf(p, sizeof(p), "%s/%s", root, rel);
        if (unlink(p) != 0)
                fail_msg("unlink %s: %s", p, strerror(errno));
}

/* `check --root ROOT [--proc ROOT/live-proc] --only host --format json [extra]` */
static cJSON *host_json(const char *root, bool live, const char *extra1, const char *extra2, int *ret_rc)
{
        char proc[4200];
        snprintf(proc, sizeof(proc), "%s/live-proc", root);
        char *argv[16];
        int n = 0;
        argv[n++] = (char *)tu_nodeward();
        argv[n++] = "check";
        argv[n++] = "--root";
        argv[n++] = (char *)root;
        if (live) {
                argv[n++] = "--proc";
                argv[n++] = proc;
        }
        argv[n++] = "--only";
        argv[n++] = "host";
        argv[n++] = "--format";
        argv[n++] = "json";
        if (extra1)
                argv[n++] = (char *)extra1;
        if (extra2)
                argv[n++] = (char *)extra2;
        argv[n] = NULL;
        char *out, *err;
        int rc = tu_run(argv, &out, &err);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("no JSON (exit %d): %s %s", rc, out, err);
        free(out);
        free(err);
        if (ret_rc)
                *ret_rc = rc;
        return j;
}

/* host.audit-rules with the runtime binaries at @containerd and @runc, removed afterwards. */
static void assert_audit_with_runtime(const char *root, const char *containerd, const char *runc, const char *status,
                                      const char *evidence)
{
        tu_write(root, containerd, "");
        tu_write(root, runc, "");
        cJSON *j = host_json(root, true, NULL, NULL, NULL);
        tu_assert_result(j, "host.audit-rules", status, evidence);
        cJSON_Delete(j);
        rm_at(root, containerd);
        rm_at(root, runc);
}

/* Bottlerocket aws-k8s-1.30 (bottlerocket-os/bottlerocket 2d4790f6, and its CIS checks in
 * sources/bloodhound/src/bin/bottlerocket-cis-checks/checks.rs). */
static void test_bottlerocket_node_verdicts(void **state)
{
        (void)state;
        char *root = scratch("bottlerocket-node");
        int rc;
        cJSON *j = host_json(root, true, NULL, NULL, &rc);
        assert_int_equal(rc, 1);
        tu_assert_result(j, "host.sysctl-unpriv-bpf", "pass",
                         "kernel.unprivileged_bpf_disabled=1 from /usr/lib/sysctl.d/80-release.conf:57");
        tu_assert_result(j, "host.sysctl-user-namespaces", "pass",
                         "user.max_user_namespaces=0 from /usr/lib/sysctl.d/80-release.conf:54");
        tu_assert_result(j, "host.sysctl-suid-dumpable", "pass", "fs.suid_dumpable=0");
        tu_assert_result(j, "host.sysctl-aslr", "pass", "kernel.randomize_va_space=2");
        /* Nothing in the image sets them: the kernel's defaults fail CIS Bottlerocket 3.1.1-3.2.4 (Level 2). */
        tu_assert_result(j, "host.sysctl-redirects", "fail",
                         "net.ipv4.conf.all.send_redirects=1 (want 0, not set at boot)");
        tu_assert_result(j, "host.sysctl-source-route", "fail", "net.ipv4.conf.default.accept_source_route=1 (want 0");
        tu_assert_result(j, "host.sysctl-log-martians", "fail", "net.ipv4.conf.all.log_martians=0 (want 1");
        /* CIS Bottlerocket 3.2.5-3.2.7 at the kernel's defaults; rp_filter loose through conf.default
         * (systemd's 50-default.conf with Bottlerocket's patch), conf.all at the kernel's 0. */
        tu_assert_result(j, "host.sysctl-icmp-broadcasts", "pass",
                         "net.ipv4.icmp_echo_ignore_broadcasts=1 (not set at boot)");
        tu_assert_result(j, "host.sysctl-icmp-bogus", "pass", "net.ipv4.icmp_ignore_bogus_error_responses=1");
        tu_assert_result(j, "host.sysctl-syncookies", "pass", "net.ipv4.tcp_syncookies=1");
        tu_assert_result(j, "host.sysctl-rp-filter", "pass",
                         "net.ipv4.conf.all.rp_filter=0 (want 1|2, not set at boot); "
                         "net.ipv4.conf.default.rp_filter=2 (not set at boot): source addresses are validated");
        /* 80-release.conf turns forwarding on as net.ipv4.conf.all.forwarding, the same switch. */
        tu_assert_result(
                j, "host.ip-forward", "pass",
                "net.ipv4.ip_forward=1 from /usr/lib/sysctl.d/80-release.conf:26 (net.ipv4.conf.all.forwarding): required");
        tu_assert_result(j, "host.selinux", "pass",
                         "enforcing (/sys/fs/selinux/enforce=1); SELINUX=enforcing SELINUXTYPE=fortified");
        tu_assert_result(j, "host.kernel-lockdown", "pass", "lockdown [integrity]");
        tu_assert_result(j, "host.root-verity", "pass", "dm-mod.create=root verity table with restart_on_corruption");
        tu_assert_result(j, "host.time-sync", "pass",
                         "2 time source(s), first /etc/chrony.conf:1 pool 169.254.169.123");
        tu_assert_result(j, "host.journald-persistent", "pass",
                         "Storage=persistent at /usr/lib/systemd/journald.conf.d/journald.conf:2");
        tu_assert_result(j, "host.journal-permissions", "pass",
                         "1 journal files under /var/log/journal, none open to others");
        tu_assert_result(j, "host.auditd", "skip", "Bottlerocket ships no auditd");
        tu_assert_result(j, "host.audit-rules", "skip", "Bottlerocket ships no auditd");
        /* modprobe.conf as settings.kernel.modules renders it by default: empty, so CIS Bottlerocket
         * 1.1.1.1 and 3.3.1 (Level 2) fail, as bloodhound's `modprobe -n -v` finds no install line. */
        tu_assert_result(j, "host.module-udf", "fail",
                         "no install or blacklist line for udf in modprobe.d (1 file read): modprobe loads it on "
                         "demand; Bottlerocket writes install lines from settings.kernel.modules.udf.allowed = false");
        tu_assert_result(j, "host.module-udf", "fail", "udf not loaded (");
        tu_assert_result(j, "host.module-sctp", "fail", "no install or blacklist line for sctp");
        cJSON_Delete(j);

        /* Without the live /proc the sysctls are judged from the boot files, and say so. */
        j = host_json(root, false, NULL, NULL, NULL);
        tu_assert_result(j, "host.sysctl-user-namespaces", "pass",
                         "user.max_user_namespaces=0 set at boot by /usr/lib/sysctl.d/80-release.conf:54");
        tu_assert_result(j, "host.sysctl-redirects", "skip", "not in ");
        tu_assert_result(j, "host.root-verity", "warn",
                         "cmdline unreadable; dm-0 is named root but its verity table is unknown");
        tu_assert_result(
                j, "host.module-sctp", "fail",
                "/modules absent (no live kernel under this root): judged from the modprobe configuration only");
        cJSON_Delete(j);

        /* A verity table without restart_on_corruption is not what the image boots. */
        char p[4300], cmd[8800];
        snprintf(p, sizeof(p), "%s/live-proc/cmdline", root);
        snprintf(cmd, sizeof(cmd), "sed -i 's/ restart_on_corruption//' '%s'", p);
        assert_int_equal(system(cmd), 0);
        tu_write(root, "sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
        tu_write(root, "sys/fs/selinux/enforce", "0\n");
        j = host_json(root, true, NULL, NULL, NULL);
        tu_assert_result(j, "host.root-verity", "fail", "lacks restart_on_corruption");
        tu_assert_result(j, "host.kernel-lockdown", "fail", "lockdown [none]");
        tu_assert_result(j, "host.selinux", "fail", "permissive (/sys/fs/selinux/enforce=0)");
        cJSON_Delete(j);
        free(root);
}

/* AL2023 as amazon-eks-ami 81fec2e's rootfs leaves it (templates/al2023/runtime/rootfs/etc/sysctl.d). */
static void test_al2023_node_verdicts(void **state)
{
        (void)state;
        char *root = scratch("eks-al2023-node");
        cJSON *j = host_json(root, true, NULL, NULL, NULL);
        tu_assert_result(j, "host.ip-forward", "pass",
                         "net.ipv4.ip_forward=1 from /etc/sysctl.d/99-kubernetes-cri.conf:3");
        tu_assert_result(j, "host.ip-forward", "pass",
                         "net.bridge.bridge-nf-call-iptables=1 from /etc/sysctl.d/99-kubernetes-cri.conf:2");
        tu_assert_result(j, "host.sysctl-unpriv-bpf", "pass", "kernel.unprivileged_bpf_disabled=2");
        tu_assert_result(j, "host.sysctl-icmp-broadcasts", "pass", NULL);
        tu_assert_result(j, "host.sysctl-icmp-bogus", "pass", NULL);
        tu_assert_result(j, "host.sysctl-syncookies", "pass", "net.ipv4.tcp_syncookies=1");
        tu_assert_result(j, "host.sysctl-rp-filter", "pass", "net.ipv4.conf.all.rp_filter=1");
        tu_assert_result(j, "host.sysctl-user-namespaces", "warn", "hostUsers: false");
        tu_assert_result(j, "host.selinux", "fail", "permissive (/sys/fs/selinux/enforce=0)");
        tu_assert_result(j, "host.selinux", "fail", "SELINUX=permissive SELINUXTYPE=targeted at /etc/selinux/config:2");
        tu_assert_result(j, "host.kernel-lockdown", "warn", "lockdown [none]");
        tu_assert_result(j, "host.root-verity", "skip", "not Bottlerocket (Amazon Linux 2023");
        tu_assert_result(j, "host.module-udf", "fail",
                         "no install or blacklist line for udf in modprobe.d (0 files read)");
        tu_assert_result(j, "host.module-sctp", "fail", "no install or blacklist line for sctp in modprobe.d (0 files");
        tu_assert_result(j, "host.time-sync", "pass",
                         "first /etc/chrony.d/link-local.sources:2 server 169.254.169.123");
        tu_assert_result(j, "host.journald-persistent", "pass",
                         "Storage= unset (journald's default: auto) and /var/log/journal exists");
        tu_assert_result(j, "host.auditd", "pass",
                         "auditd enabled by /etc/systemd/system/multi-user.target.wants/auditd.service");
        /* 60-kubernetes.rules sorts before audit.rules, whose -D augenrules hoists to the top. */
        tu_assert_result(j, "host.audit-rules", "pass",
                         "/etc/kubernetes/kubelet/config.json (/etc/audit/rules.d/60-kubernetes.rules:3 -p wa)");
        tu_assert_result(j, "host.audit-rules", "pass",
                         "not on this node: /usr/bin/kubelet, /run/containerd, /usr/bin/containerd, /usr/sbin/runc");
        cJSON_Delete(j);
        /* With the runtime binaries installed where AL2023's packages put them (runc where
         * nodeadm points containerd), the default set wants them watched. */
        assert_audit_with_runtime(root, "usr/bin/containerd", "usr/sbin/runc", "pass",
                                  "/usr/bin/containerd (/etc/audit/rules.d/60-kubernetes.rules:7 -p wa), "
                                  "/usr/sbin/runc (/etc/audit/rules.d/60-kubernetes.rules:8 -p wa)");
        /* Where containerd's getting-started guide installs the release binaries (kubeadm
         * nodes), the default set wants those paths, which these rules do not watch. */
        assert_audit_with_runtime(root, "usr/local/bin/containerd", "usr/local/sbin/runc", "fail",
                                  "/usr/local/bin/containerd, /usr/local/sbin/runc not watched for writes");

        /* The operator's list: /etc/eks is watched by -F dir=, /run/containerd only for reads. */
        tu_write(root, "../nwhs-watch.txt", "# mine\n/etc/eks/kubelet\n\n/run/containerd   # runtime sockets\n");
        char wl[4200];
        snprintf(wl, sizeof(wl), "%s/../nwhs-watch.txt", root);
        int rc;
        j = host_json(root, true, "--audit-watch", wl, &rc);
        assert_int_equal(rc, 1);
        tu_assert_result(j, "host.audit-rules", "fail", "/run/containerd not watched for writes and attribute changes");
        tu_assert_result(j, "host.audit-rules", "fail", "watch set: --audit-watch ");
        tu_assert_result(j, "host.audit-rules", "fail",
                         "/etc/eks/kubelet (/etc/audit/rules.d/60-kubernetes.rules:4 -p wa)");
        cJSON_Delete(j);
        unlink(wl);

        /* A list that is not one path per line is a usage error, with its line. */
        tu_write(root, "../nwhs-bad.txt", "/etc/kubernetes\nkubelet\n");
        snprintf(wl, sizeof(wl), "%s/../nwhs-bad.txt", root);
        char *argv[] = {(char *)tu_nodeward(), "check", "--root", root, "--only", "host", "--audit-watch", wl, NULL};
        char *out, *err;
        assert_int_equal(tu_run(argv, &out, &err), 2);
        tu_assert_contains_("--audit-watch", err, "nwhs-bad.txt line 2: expected an absolute path");
        free(out);
        free(err);
        unlink(wl);
        free(root);
}

/* AL2 after amazon-eks-ami 0ab8428's install-worker.sh. */
static void test_al2_node_verdicts(void **state)
{
        (void)state;
        char *root = scratch("eks-al2-node");
        cJSON *j = host_json(root, true, NULL, NULL, NULL);
        /* 00-system.conf in /usr/lib turns bridge netfilter off; 99-kubernetes-cri.conf, later by name, on. */
        tu_assert_result(j, "host.ip-forward", "pass",
                         "net.bridge.bridge-nf-call-iptables=1 from /etc/sysctl.d/99-kubernetes-cri.conf:2");
        tu_assert_result(j, "host.sysctl-unpriv-bpf", "fail",
                         "kernel.unprivileged_bpf_disabled=0 (want 1|2, not set at boot)");
        tu_assert_result(j, "host.sysctl-user-namespaces", "pass", "user.max_user_namespaces=0");
        tu_assert_result(j, "host.sysctl-source-route", "pass", NULL);
        tu_assert_result(j, "host.sysctl-icmp-broadcasts", "pass", NULL);
        tu_assert_result(j, "host.sysctl-icmp-bogus", "pass", NULL);
        tu_assert_result(j, "host.sysctl-syncookies", "pass", "net.ipv4.tcp_syncookies=1");
        tu_assert_result(j, "host.sysctl-rp-filter", "pass", "net.ipv4.conf.default.rp_filter=1");
        tu_assert_result(j, "host.selinux", "skip", "SELinux state unknown");
        tu_assert_result(j, "host.kernel-lockdown", "skip", "no /sys under this root");
        tu_assert_result(j, "host.root-verity", "skip", "not Bottlerocket (Amazon Linux 2)");
        tu_assert_result(j, "host.time-sync", "pass", "first /etc/chrony.conf:2 server 169.254.169.123");
        tu_assert_result(j, "host.auditd", "pass", "auditd enabled by");
        /* install-worker.sh's one modprobe.d file sets dummy's options only. */
        tu_assert_result(j, "host.module-udf", "fail",
                         "no install or blacklist line for udf in modprobe.d (1 file read)");
        tu_assert_result(j, "host.module-sctp", "fail", "judged from the modprobe configuration only");
        /* The stock rules watch nothing. */
        tu_assert_result(
                j, "host.audit-rules", "fail",
                "/etc/kubernetes/kubelet/kubelet-config.json, /etc/kubernetes, /etc/containerd/config.toml not watched for writes");
        cJSON_Delete(j);
        assert_audit_with_runtime(
                root, "usr/bin/containerd", "usr/bin/runc", "fail",
                "/etc/containerd/config.toml, /usr/bin/containerd, /usr/bin/runc not watched for writes");

        /* /etc/selinux/config as the selinux-policy package writes it: comments and blank lines. */
        tu_write(root, "etc/selinux/config",
                 "# This file controls the state of SELinux on the system.\n\n"
                 "# SELINUX= can take one of these three values:\n"
                 "SELINUX=enforcing   # enforced\n\nSELINUXTYPE=targeted\n");
        /* A unit masked by a link to /dev/null is not enabled, whatever .wants/ says. */
        tu_symlink(root, "etc/systemd/system/chronyd.service", "/dev/null");
        j = host_json(root, true, NULL, NULL, NULL);
        tu_assert_result(j, "host.selinux", "pass",
                         "SELINUX=enforcing SELINUXTYPE=targeted at /etc/selinux/config:4 "
                         "(no /sys under this root: boot configuration only)");
        tu_assert_result(j, "host.time-sync", "fail", "chronyd neither running nor enabled");
        cJSON_Delete(j);

        /* World-readable journal files. */
        char cmd[8300];
        snprintf(cmd, sizeof(cmd), "find '%s/var/log/journal' -type f -exec chmod 0644 {} +", root);
        assert_int_equal(system(cmd), 0);
        j = host_json(root, true, NULL, NULL, NULL);
        tu_assert_result(j, "host.journal-permissions", "fail", "1 of 1 journal files readable or writable by others");
        tu_assert_result(j, "host.journal-permissions", "fail", "system.journal mode 0644");
        cJSON_Delete(j);
        free(root);
}

/* modprobe.d read as kmod reads it (kmod-project/kmod libkmod/libkmod.c default_config_paths: /etc,
 * /run, /usr/local/lib, /usr/lib, /lib; libkmod-config.c conf_files_insert_sorted: the same name in an
 * earlier directory wins, files in name order; libkmod-module.c kmod_module_get_install_commands: the
 * first install line whose name matches wins; a blacklist only stops loading by alias), and a loaded
 * module fails whatever the files say. */
static void test_modules_follow_kmod_order_and_the_live_kernel(void **state)
{
        (void)state;
        char *root = scratch("bottlerocket-node");
        /* What settings.kernel.modules.{udf,sctp}.allowed = false render. */
        tu_write(root, "etc/modprobe.d/modprobe.conf", "install udf /bin/true\ninstall sctp /bin/true\n");
        cJSON *j = host_json(root, true, NULL, NULL, NULL);
        tu_assert_result(j, "host.module-udf", "pass",
                         "install udf /bin/true at /etc/modprobe.d/modprobe.conf:1: modprobe runs it instead of "
                         "loading udf; udf not loaded (");
        tu_assert_result(j, "host.module-sctp", "pass", "install sctp /bin/true at /etc/modprobe.d/modprobe.conf:2");
        cJSON_Delete(j);

        /* Loaded before the setting took effect: the install line stops the next load only. */
        tu_write(root, "live-proc/modules",
                 "sctp 409600 2 - Live 0x0000000000000000\n"
                 "overlay 188416 12 - Live 0x0000000000000000\n");
        j = host_json(root, true, NULL, NULL, NULL);
        tu_assert_result(j, "host.module-sctp", "fail", "sctp is loaded (");
        tu_assert_result(j, "host.module-sctp", "fail", "install sctp /bin/true at /etc/modprobe.d/modprobe.conf:2");
        tu_assert_result(j, "host.module-udf", "pass", NULL);
        cJSON_Delete(j);

        /* settings.boot.kernel-parameters can add module_blacklist=, which the kernel enforces itself. */
        tu_write(root, "etc/modprobe.d/modprobe.conf", "");
        char cmd[8400];
        snprintf(cmd, sizeof(cmd), "sed -i 's/$/ module_blacklist=udf/' '%s/live-proc/cmdline'", root);
        assert_int_equal(system(cmd), 0);
        j = host_json(root, true, NULL, NULL, NULL);
        tu_assert_result(j, "host.module-udf", "pass",
                         "/live-proc/cmdline) names udf: the kernel refuses to load it, whatever modprobe is told");
        tu_assert_result(j, "host.module-sctp", "fail", "sctp is loaded");
        cJSON_Delete(j);
        free(root);

        root = scratch("eks-al2023-node");
        /* /etc hides the same name in /usr/lib: a blacklist alone warns. */
        tu_write(root, "usr/lib/modprobe.d/50-cis.conf", "install sctp /bin/false\ninstall udf /bin/false\n");
        tu_write(root, "etc/modprobe.d/50-cis.conf", "# autoload only\nblacklist sctp\n");
        /* Name order across directories: 10-logger.conf's install line comes first. */
        tu_write(root, "lib/modprobe.d/10-logger.conf", "install udf /usr/bin/logger -t modprobe udf \\\n  refused\n");
        tu_write(root, "etc/modprobe.d/90-udf.conf", "install udf /bin/false\n");
        j = host_json(root, true, NULL, NULL, NULL);
        tu_assert_result(j, "host.module-sctp", "warn", "blacklist sctp at /etc/modprobe.d/50-cis.conf:2 only");
        tu_assert_result(j, "host.module-sctp", "warn", "an explicit `modprobe sctp` still loads it");
        tu_assert_result(j, "host.module-udf", "fail",
                         "install udf /usr/bin/logger -t modprobe udf   refused at /lib/modprobe.d/10-logger.conf:1 "
                         "runs a command that does not only exit");
        cJSON_Delete(j);

        /* A link to /dev/null masks the file of that name. */
        tu_symlink(root, "etc/modprobe.d/10-logger.conf", "/dev/null");
        j = host_json(root, true, NULL, NULL, NULL);
        tu_assert_result(j, "host.module-udf", "pass", "install udf /bin/false at /etc/modprobe.d/90-udf.conf:1");
        cJSON_Delete(j);
        free(root);
}

/* kubelet.kernel-tunables names the boot file behind each setting protectKernelDefaults compares
 * (kubernetes pkg/kubelet/cm/container_manager_linux.go setupKernelTunables; the values are
 * component-helpers/node/util/sysctl's); the AL2 AMI sets them in /etc/sysctl.d/99-amazon.conf. */
static void test_kernel_tunables_name_their_boot_file(void **state)
{
        (void)state;
        char *root = scratch("eks-al2-node");
        char proc[4200];
        snprintf(proc, sizeof(proc), "%s/live-proc", root);
        char *argv[] = {(char *)tu_nodeward(),     "check",    "--root", root, "--proc", proc, "--only",
                        "kubelet.kernel-tunables", "--format", "json",   NULL};
        char *out, *err;
        int rc = tu_run(argv, &out, &err);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        assert_int_equal(rc, 0);
        tu_assert_result(j, "kubelet.kernel-tunables", "pass", "kernel.panic=10");
        cJSON_Delete(j);
        free(out);
        free(err);
        /* The panic timeout changed at runtime: the kubelet would refuse to start on its next restart. */
        tu_write(root, "live-proc/sys/kernel/panic", "0\n");
        rc = tu_run(argv, &out, &err);
        j = cJSON_Parse(out);
        assert_non_null(j);
        assert_int_equal(rc, 1);
        tu_assert_result(
                j, "kubelet.kernel-tunables", "fail",
                "kernel.panic=0 (want 10): the kubelet refuses to start; at boot: /etc/sysctl.d/99-amazon.conf:2 sets kernel.panic=10");
        cJSON_Delete(j);
        free(out);
        free(err);
        /* A fixture root without live values: the boot files are listed. */
        j = tu_check_json(root, "kubelet.kernel-tunables", NULL);
        tu_assert_result(j, "kubelet.kernel-tunables", "skip",
                         "the boot files set vm.overcommit_memory=1 (/etc/sysctl.d/99-amazon.conf:1)");
        cJSON_Delete(j);
        /* A later file (by name) sets kernel.panic=0: what the kubelet would find after the next boot. */
        tu_write(root, "etc/sysctl.d/99-zz-local.conf", "# local tuning\nkernel.panic = 0\n");
        const char *want = "but /etc/sysctl.d/99-zz-local.conf:2 sets kernel.panic=0 (want 10)";
        int rc2;
        j = tu_check_json(root, "kubelet.kernel-tunables", &rc2);
        assert_int_equal(rc2, 1);
        tu_assert_result(j, "kubelet.kernel-tunables", "fail", want);
        tu_assert_result(j, "kubelet.kernel-tunables", "fail", "once the boot files are applied the kubelet refuses");
        cJSON_Delete(j);
        free(root);
}

/* sysctl.d(5) order, masking, /etc/sysctl.conf last, and the drift between boot and live. */
static void test_sysctl_d_precedence_and_drift(void **state)
{
        (void)state;
        char *root = scratch("eks-al2-node");
        /* Same name: /etc hides /usr/lib. */
        tu_write(root, "usr/lib/sysctl.d/50-martians.conf", "net.ipv4.conf.all.log_martians = 1\n");
        tu_write(root, "etc/sysctl.d/50-martians.conf", "; operator's copy\nnet/ipv4/conf/all/log_martians = 0\n");
        /* Masked: the /usr/lib file never applies. */
        tu_write(root, "usr/lib/sysctl.d/60-dump.conf", "fs.suid_dumpable = 2\n");
        tu_symlink(root, "etc/sysctl.d/60-dump.conf", "/dev/null");
        /* A glob in /run, sorted before 50-martians.conf: only default keeps its value. */
        tu_write(root, "run/sysctl.d/40-glob.conf", "-net.ipv4.conf.*.log_martians = 1\n");
        /* /etc/sysctl.conf is applied last: its randomize_va_space=0 is what the next boot sets. */
        tu_write(root, "etc/sysctl.conf", "kernel.randomize_va_space = 0\n");
        /* Someone turned forwarding off after boot. */
        tu_write(root, "live-proc/sys/net/ipv4/ip_forward", "0\n");
        cJSON *j = host_json(root, true, NULL, NULL, NULL);
        tu_assert_result(j, "host.sysctl-log-martians", "fail",
                         "net.ipv4.conf.default.log_martians=0 (want 1), but /run/sysctl.d/40-glob.conf:1 "
                         "(net.ipv4.conf.*.log_martians) sets 1 at boot");
        tu_assert_result(j, "host.sysctl-log-martians", "fail",
                         "net.ipv4.conf.all.log_martians=0 (want 1) from /etc/sysctl.d/50-martians.conf:2");
        tu_assert_result(j, "host.sysctl-suid-dumpable", "pass", "fs.suid_dumpable=0 (not set at boot)");
        tu_assert_result(
                j, "host.sysctl-aslr", "warn",
                "kernel.randomize_va_space=2, but /etc/sysctl.conf:1 sets 0 at boot: changed since boot, the next boot reverts it");
        tu_assert_result(
                j, "host.ip-forward", "fail",
                "net.ipv4.ip_forward=0 (want 1), but /etc/sysctl.d/99-kubernetes-cri.conf:3 sets 1 at boot: changed since boot");
        cJSON_Delete(j);
        free(root);
}

/* Host files are read inside the root only, capped, and never by opening a FIFO. */
static void test_hostile_files_stay_inside_the_root(void **state)
{
        (void)state;
        char *root = scratch("eks-al2023-node");
        /* An absolute link resolves inside the root: this one lands on nothing. */
        tu_symlink(root, "etc/sysctl.d/10-escape.conf", "/../../../../../etc/sysctl.conf.nwhs-absent");
        char p[4300];
        snprintf(p, sizeof(p), "%s/etc/sysctl.d/20-fifo.conf", root);
        assert_int_equal(mkfifo(p, 0600), 0);
        /* A journald drop-in over the cap is an error, not a truncation. */
        size_t big = 300 * 1024;
        char *buf = malloc(big);
        memset(buf, '#', big);
        tu_write_bin(root, "etc/systemd/journald.conf.d/99-big.conf", buf, big, 0644);
        free(buf);
        tu_symlink(root, "etc/selinux/config.d", "/proc/self");
        cJSON *j = host_json(root, true, NULL, NULL, NULL);
        tu_assert_result(j, "host.ip-forward", "pass", "boot files incomplete: /etc/sysctl.d/10-escape.conf");
        tu_assert_result(j, "host.journald-persistent", "error", "/etc/systemd/journald.conf.d/99-big.conf");
        cJSON_Delete(j);
        free(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bottlerocket_node_verdicts),
                cmocka_unit_test(test_al2023_node_verdicts),
                cmocka_unit_test(test_al2_node_verdicts),
                cmocka_unit_test(test_modules_follow_kmod_order_and_the_live_kernel),
                cmocka_unit_test(test_kernel_tunables_name_their_boot_file),
                cmocka_unit_test(test_sysctl_d_precedence_and_drift),
                cmocka_unit_test(test_hostile_files_stay_inside_the_root),
        };
        return cmocka_run_group_tests_name("host hardening checks on fixture roots", tests, NULL, tu_group_teardown);
}
