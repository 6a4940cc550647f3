/* test_host_checks: the host.* checks pass, fail, warn and skip as promised over hand-made facts, and
 * the parsers behind them: sysctl.d text (sysctl.d(5)), auditctl rules (auditctl(8), augenrules(8)),
 * journald.conf (journald.conf(5)), modprobe.d text (modprobe.d(5), as kmod's libkmod-config.c reads
 * it) and /proc/modules. */
#include "testutil.h"

#include "collect/node/audit_rules.h"
#include "engine.h"
#include "collect/facts.h"
#include "collect/node/journald_conf.h"
#include "collect/node/modprobe.h"
#include "collect/node/sysctl_d.h"
#include "base/util.h"

static struct facts *node(const char *os)
{
        struct facts *f = calloc(1, sizeof(*f));
        f->node.os = strdup(os);
        f->proc_path = strdup("/host/proc");
        f->host.audit.enabled = -1;
        return f;
}

static void drop(struct facts *f)
{
        facts_free(f);
        free(f);
}

static void expect_(check_fn fn, const char *id, const struct facts *f, enum status st, const char *needle)
{
        struct result r = {0};
        fn(f, &r);
        if (r.status != st || (needle && !strstr(r.evidence, needle)))
                fail_msg("%s: got %s \"%s\", want %s with \"%s\"", id, status_name(r.status), r.evidence,
                         status_name(st), needle ? needle : "");
        free(r.evidence);
}
#define EXPECT(fn, f, st, needle) expect_(fn, #fn, f, st, needle)

/* Set the live value of @name (NULL: unreadable) and parse @boot as one sysctl.d file. */
static void set_sysctl(struct facts *f, const char *name, const char *live)
{
        struct host_facts *h = &f->host;
        if (!h->sysctls) {
                h->n_sysctls = hostsec_sysctl_names_len;
                h->sysctls = calloc(h->n_sysctls, sizeof(*h->sysctls));
                for (size_t i = 0; i < h->n_sysctls; i++) {
                        h->sysctls[i].name = hostsec_sysctl_names[i];
                        h->sysctls[i].live_err = -ENOENT;
                }
        }
        for (size_t i = 0; i < h->n_sysctls; i++)
                if (strcmp(h->sysctls[i].name, name) == 0) {
                        free(h->sysctls[i].live);
                        h->sysctls[i].live = live ? strdup(live) : NULL;
                        h->sysctls[i].live_err = live ? 0 : -ENOENT;
                }
}

static void set_boot(struct facts *f, const char *file, const char *text)
{
        struct host_facts *h = &f->host;
        sysctl_d_parse(text, strlen(text), file, &h->boot);
        for (size_t i = 0; i < h->n_sysctls; i++)
                h->sysctls[i].boot = sysctl_boot_find(&h->boot, h->sysctls[i].name);
}

static void test_sysctl_d_parse_follows_sysctl_d_5(void **state)
{
        (void)state;
        struct sysctl_boot b = {0};
        const char *text = "# comment\n; also a comment\n  kernel.panic = 10  \n-net/ipv4/conf/eth0.100/rp_filter=2\n"
                           "noequals\n\nnet.ipv4.tcp_wmem = 4096\t20480   4194304\nkernel.panic=5\n=7\n";
        sysctl_d_parse(text, strlen(text), "/etc/sysctl.d/x.conf", &b);
        assert_int_equal(b.n, 4);
        /* A first "/" swaps the separators: the interface name keeps its dot. */
        assert_string_equal(b.v[1].name, "net.ipv4.conf.eth0/100.rp_filter");
        assert_int_equal(b.v[1].line, 4);
        const struct sysctl_assign *a = sysctl_boot_find(&b, "kernel.panic");
        assert_non_null(a);
        assert_string_equal(a->value, "5"); /* the later assignment wins */
        assert_int_equal(a->line, 8);
        assert_true(sysctl_value_equal(sysctl_boot_find(&b, "net.ipv4.tcp_wmem")->value, "4096 20480 4194304"));
        assert_false(sysctl_value_equal("4096 20480", "4096 2048"));
        assert_false(sysctl_value_equal("1", ""));
        sysctl_boot_free(&b);
}

static void test_sysctl_glob_stays_in_one_component(void **state)
{
        (void)state;
        struct sysctl_boot b = {0};
        const char *text = "net.ipv4.conf.*.log_martians = 1\n";
        sysctl_d_parse(text, strlen(text), "/usr/lib/sysctl.d/50-glob.conf", &b);
        assert_non_null(sysctl_boot_find(&b, "net.ipv4.conf.default.log_martians"));
        assert_null(sysctl_boot_find(&b, "net.ipv4.conf.all.x.log_martians"));
        assert_null(sysctl_boot_find(&b, "net.ipv6.conf.all.log_martians"));
        sysctl_boot_free(&b);
}

static void test_modprobe_d_parse_follows_kmod(void **state)
{
        (void)state;
        struct modprobe_conf c = {0};
        const char *text = "# install udf /bin/true\n"
                           "options dummy numdummies=0\n"
                           "install\tsctp   /bin/false  \r\n"
                           "install udf\n" /* no command: kmod refuses the line */
                           "blacklist cramfs\n"
                           "install nf-conntrack /usr/bin/logger \\\n  -t modprobe\n" /* continued */
                           "install sc[t-u]p /bin/true\n"                             /* a glob keeps its range */
                           "install ud]f /bin/true\n" /* kmod's underscores() refuses both names */
                           "blacklist ud[f\n";
        modprobe_conf_parse(text, strlen(text), "/etc/modprobe.d/x.conf", &c);
        assert_int_equal(c.n, 4);
        const struct modprobe_rule *in = modprobe_install_for(&c, "sctp");
        assert_non_null(in);
        assert_string_equal(in->command, "/bin/false"); /* the first matching install line wins */
        assert_int_equal(in->line, 3);
        assert_true(modprobe_command_refuses(in->command));
        assert_null(modprobe_install_for(&c, "udf"));
        in = modprobe_install_for(&c, "nf_conntrack"); /* "-" and "_" name the same module */
        assert_non_null(in);
        assert_string_equal(in->module, "nf_conntrack");
        assert_string_equal(in->command, "/usr/bin/logger   -t modprobe");
        assert_int_equal(in->line, 6);
        assert_false(modprobe_command_refuses(in->command));
        assert_non_null(modprobe_install_for(&c, "scup"));
        assert_string_equal(c.v[3].module, "sc[t-u]p");
        assert_non_null(modprobe_blacklist_for(&c, "cramfs"));
        assert_null(modprobe_blacklist_for(&c, "sctp"));
        assert_true(modprobe_command_refuses("/usr/bin/true"));
        assert_true(modprobe_command_refuses("false"));
        assert_false(modprobe_command_refuses("/bin/true; modprobe --ignore-install sctp"));
        assert_false(modprobe_command_refuses("/bin/truex"));
        modprobe_conf_free(&c);
}

static void test_proc_modules_names_the_first_field_only(void **state)
{
        (void)state;
        const char *mods = "crc_itu_t 16384 1 udf, Live 0x0000000000000000\n"
                           "nf_conntrack 180224 3 - Live 0x0000000000000000\n"
                           "sctp";
        assert_false(proc_modules_lists(mods, strlen(mods), "udf")); /* a user of udf is not udf */
        assert_true(proc_modules_lists(mods, strlen(mods), "nf-conntrack"));
        assert_true(proc_modules_lists(mods, strlen(mods), "sctp")); /* a last line without its newline */
        assert_false(proc_modules_lists(mods, strlen(mods), "nf_conn"));
        assert_false(proc_modules_lists("", 0, "udf"));
}

static void set_modprobe(struct facts *f, const char *file, const char *text)
{
        modprobe_conf_parse(text, strlen(text), file, &f->host.modprobe);
        f->host.modprobe.files = realloc(f->host.modprobe.files, (f->host.modprobe.n_files + 1) * sizeof(char *));
        f->host.modprobe.files[f->host.modprobe.n_files++] = strdup(file);
}

static void test_module_checks_judge_modprobe_and_the_live_kernel(void **state)
{
        (void)state;
        struct facts *f = node("Amazon Linux 2023");
        f->host.proc_modules_err = -ENOENT;
        EXPECT(check_host_module_udf, f, ST_FAIL, "no install or blacklist line for udf in modprobe.d (0 files read)");
        EXPECT(check_host_module_udf, f, ST_FAIL, "/host/proc/modules absent (no live kernel under this root)");
        set_modprobe(f, "/etc/modprobe.d/sctp.conf", "blacklist sctp\n");
        EXPECT(check_host_module_sctp, f, ST_WARN, "an explicit `modprobe sctp` still loads it");
        set_modprobe(f, "/etc/modprobe.d/udf.conf", "install udf /bin/false\nblacklist udf\n");
        EXPECT(check_host_module_udf, f, ST_PASS,
               "install udf /bin/false at /etc/modprobe.d/udf.conf:1: modprobe runs it instead of loading udf (also "
               "blacklist at /etc/modprobe.d/udf.conf:2)");
        const char *mods = "udf 118784 0 - Live 0x0000000000000000\n";
        f->host.proc_modules = strdup(mods);
        f->host.proc_modules_len = strlen(mods);
        f->host.proc_modules_err = 0;
        EXPECT(check_host_module_udf, f, ST_FAIL, "udf is loaded (/host/proc/modules): the kernel parses UDF");
        EXPECT(check_host_module_sctp, f, ST_WARN, "sctp not loaded (/host/proc/modules)");
        f->host.modprobe.error = strdup("/etc/modprobe.d/x.conf: Permission denied");
        EXPECT(check_host_module_sctp, f, ST_WARN, "modprobe.d incomplete: /etc/modprobe.d/x.conf: Permission denied");
        drop(f);

        /* The kernel's own list stops every load; kmod's list on the command line is a blacklist. */
        struct facts *k = node("Amazon Linux 2023");
        k->host.proc_modules_err = -ENOENT;
        k->host.cmdline = strdup(
                "BOOT_IMAGE=/vmlinuz root=UUID=x modprobe.blacklist=dccp,sctp module_blacklist=cramfs,udf");
        EXPECT(check_host_module_udf, k, ST_PASS,
               "module_blacklist= on the kernel command line (/host/proc/cmdline) names udf: the kernel refuses");
        EXPECT(check_host_module_sctp, k, ST_WARN,
               "modprobe.blacklist=sctp on the kernel command line (/host/proc/cmdline) only: it stops loading by alias");
        free(k->host.cmdline);
        k->host.cmdline = strdup("module_blacklist=udfx,xudf modprobe.blacklist=");
        EXPECT(check_host_module_udf, k, ST_FAIL, "no install or blacklist line for udf");
        EXPECT(check_host_module_sctp, k, ST_FAIL, "no install or blacklist line for sctp");
        drop(k);

        struct facts *br = node("Bottlerocket OS 1.20.3 (aws-k8s-1.30)");
        br->node.br.is_bottlerocket = true;
        br->host.proc_modules_err = -EACCES;
        EXPECT(check_host_module_sctp, br, ST_FAIL, "settings.kernel.modules.sctp.allowed = false");
        EXPECT(check_host_module_sctp, br, ST_FAIL,
               "/host/proc/modules unreadable (Permission denied): judged from the modprobe");
        drop(br);
}

static void test_audit_rules_watches(void **state)
{
        (void)state;
        struct audit_rules a = {.enabled = -1};
        const char *text = "-w /etc/kubernetes/ -p wa -k k8s\n"
                           "-a always,exit -F arch=b64 -F path=/usr/bin/kubelet -F perm=wxa -k kubelet\n"
                           "-a exit,always -F dir=/etc/containerd -F perm=a\n"
                           "-w /run/containerd -p r\n"
                           "-w /var/lib/kubelet\n"
                           "-W /var/lib/kubelet\n";
        audit_rules_parse(text, strlen(text), "/etc/audit/rules.d/k.rules", &a);
        const struct audit_watch *w = audit_rules_covering(&a, "/etc/kubernetes/kubelet/config.json");
        assert_non_null(w);
        assert_int_equal(w->line, 1);
        assert_string_equal(w->perms, "wa");
        assert_non_null(audit_rules_covering(&a, "/usr/bin/kubelet"));
        assert_null(audit_rules_covering(&a, "/usr/bin/kubelet-extra")); /* -F path= is that file only */
        assert_null(audit_rules_covering(&a, "/etc/kubernetes-old"));
        assert_null(audit_rules_covering(&a, "/etc/containerd/config.toml")); /* attributes, not writes */
        assert_null(audit_rules_covering(&a, "/run/containerd"));             /* reads only */
        assert_null(audit_rules_covering(&a, "/var/lib/kubelet"));            /* removed by -W */
        audit_rules_free(&a);
}

static void test_audit_rules_never_delete_and_enable(void **state)
{
        (void)state;
        struct audit_rules a = {.enabled = -1};
        const char *text = "-w /etc/kubernetes -p wa\n-D\n-a never,exit -S all\n-w /etc/eks -p wa\n-e 0\n";
        audit_rules_parse(text, strlen(text), "/etc/audit/audit.rules", &a);
        assert_null(audit_rules_covering(&a, "/etc/kubernetes")); /* cleared by -D */
        assert_null(audit_rules_covering(&a, "/etc/eks"));        /* the never rule matches first */
        assert_string_equal(a.never_all, "/etc/audit/audit.rules:3");
        assert_int_equal(a.enabled, 0);
        audit_rules_free(&a);
        /* augenrules moves -D to the top: a later file's -D keeps earlier files' watches. */
        struct audit_rules g = {.enabled = -1, .augenrules = true};
        const char *t1 = "-w /etc/kubernetes -p wa\n", *t2 = "-D\n-b 8192\n";
        audit_rules_parse(t1, strlen(t1), "/etc/audit/rules.d/60-k.rules", &g);
        audit_rules_parse(t2, strlen(t2), "/etc/audit/rules.d/audit.rules", &g);
        assert_non_null(audit_rules_covering(&g, "/etc/kubernetes/pki/ca.crt"));
        audit_rules_free(&g);
}

static void test_journald_conf_storage(void **state)
{
        (void)state;
        struct journald_conf c = {0};
        const char *main_ = "[Journal]\n#Storage=persistent\nStorage = volatile \n[Upload]\nStorage=persistent\n";
        journald_conf_parse(main_, strlen(main_), "/etc/systemd/journald.conf", &c);
        assert_string_equal(c.storage, "volatile");
        assert_string_equal(c.origin, "/etc/systemd/journald.conf:3");
        const char *reset = "[Journal]\nStorage=\n";
        journald_conf_parse(reset, strlen(reset), "/etc/systemd/journald.conf.d/10.conf", &c);
        assert_null(c.storage); /* an empty value is the default again */
        journald_conf_free(&c);
}

static void test_sysctl_checks_judge_live_boot_and_drift(void **state)
{
        (void)state;
        struct facts *f = node("Amazon Linux 2023");
        set_sysctl(f, "fs.suid_dumpable", "0");
        EXPECT(check_host_sysctl_suid_dumpable, f, ST_PASS, "fs.suid_dumpable=0 (not set at boot)");
        set_sysctl(f, "fs.suid_dumpable", "2");
        EXPECT(check_host_sysctl_suid_dumpable, f, ST_FAIL, "fs.suid_dumpable=2 (want 0, not set at boot)");
        /* Live good, boot file bad: the next boot regresses. */
        set_sysctl(f, "kernel.randomize_va_space", "2");
        set_boot(f, "/etc/sysctl.conf", "kernel.randomize_va_space = 1\n");
        EXPECT(check_host_sysctl_aslr, f, ST_WARN,
               "but /etc/sysctl.conf:1 sets 1 at boot: changed since boot, the next boot reverts it");
        /* Live bad, boot file good: someone changed it since boot. */
        set_sysctl(f, "kernel.unprivileged_bpf_disabled", "0");
        set_boot(f, "/etc/sysctl.d/10-bpf.conf", "kernel.unprivileged_bpf_disabled=1\n");
        EXPECT(check_host_sysctl_unpriv_bpf, f, ST_FAIL,
               "=0 (want 1|2), but /etc/sysctl.d/10-bpf.conf:1 sets 1 at boot");
        /* No live value: judged from the boot file, and said so. */
        set_boot(f, "/etc/sysctl.d/20-ns.conf", "user.max_user_namespaces = 0\n");
        EXPECT(check_host_sysctl_user_namespaces, f, ST_PASS,
               "set at boot by /etc/sysctl.d/20-ns.conf:1 (/host/proc/sys has no live value)");
        set_sysctl(f, "user.max_user_namespaces", "15000");
        EXPECT(check_host_sysctl_user_namespaces, f, ST_WARN, "keep them only if pods use hostUsers: false");
        /* Nothing known at all: a skip, not a pass. */
        EXPECT(check_host_sysctl_log_martians, f, ST_SKIP, "not in /host/proc/sys and no boot file sets it");
        /* One bad setting among good ones is named first. */
        set_sysctl(f, "net.ipv4.conf.all.accept_source_route", "0");
        set_sysctl(f, "net.ipv4.conf.default.accept_source_route", "1");
        EXPECT(check_host_sysctl_source_route, f, ST_FAIL,
               "net.ipv4.conf.default.accept_source_route=1 (want 0, not set at boot): source-routed packets are accepted; also");
        drop(f);
}

static void test_ip_forward_is_required_on_a_node(void **state)
{
        (void)state;
        struct facts *f = node("Amazon Linux 2");
        set_sysctl(f, "net.ipv4.ip_forward", "1");
        EXPECT(check_host_ip_forward, f, ST_PASS, "required, a Kubernetes node routes its pods' traffic");
        EXPECT(check_host_ip_forward, f, ST_PASS, "br_netfilter not loaded");
        set_sysctl(f, "net.bridge.bridge-nf-call-iptables", "0");
        EXPECT(check_host_ip_forward, f, ST_WARN, "bridged pod traffic bypasses kube-proxy's iptables rules");
        set_sysctl(f, "net.ipv4.ip_forward", "0");
        EXPECT(check_host_ip_forward, f, ST_FAIL, "pod networking breaks");
        drop(f);
}

/* CIS Bottlerocket 3.2.5-3.2.7 and CIS Amazon Linux: the kernel's defaults are the wanted values. */
static void test_icmp_and_syncookie_sysctls(void **state)
{
        (void)state;
        struct facts *f = node("Bottlerocket OS 1.20.3 (aws-k8s-1.30)");
        EXPECT(check_host_sysctl_syncookies, f, ST_SKIP, "net.ipv4.tcp_syncookies: not in /host/proc/sys");
        set_sysctl(f, "net.ipv4.icmp_echo_ignore_broadcasts", "1");
        set_sysctl(f, "net.ipv4.icmp_ignore_bogus_error_responses", "1");
        set_sysctl(f, "net.ipv4.tcp_syncookies", "1");
        EXPECT(check_host_sysctl_icmp_broadcasts, f, ST_PASS,
               "net.ipv4.icmp_echo_ignore_broadcasts=1 (not set at boot)");
        EXPECT(check_host_sysctl_icmp_bogus, f, ST_PASS, "net.ipv4.icmp_ignore_bogus_error_responses=1");
        EXPECT(check_host_sysctl_syncookies, f, ST_PASS, "net.ipv4.tcp_syncookies=1");
        set_sysctl(f, "net.ipv4.icmp_echo_ignore_broadcasts", "0");
        set_sysctl(f, "net.ipv4.icmp_ignore_bogus_error_responses", "0");
        EXPECT(check_host_sysctl_icmp_broadcasts, f, ST_FAIL, "=0 (want 1, not set at boot): the node answers pings");
        EXPECT(check_host_sysctl_icmp_bogus, f, ST_FAIL, "=0 (want 1, not set at boot): bogus ICMP error responses");
        /* 2 sends cookies to every SYN, not only under a flood: not what CIS asks. */
        set_sysctl(f, "net.ipv4.tcp_syncookies", "2");
        EXPECT(check_host_sysctl_syncookies, f, ST_FAIL, "net.ipv4.tcp_syncookies=2 (want 1");
        set_sysctl(f, "net.ipv4.tcp_syncookies", "1");
        set_boot(f, "/etc/sysctl.d/90-perf.conf", "net.ipv4.tcp_syncookies = 0\n");
        EXPECT(check_host_sysctl_syncookies, f, ST_WARN, "/etc/sysctl.d/90-perf.conf:1 sets 0 at boot");
        drop(f);
}

/* Strict (1) as CIS asks, or loose (2) as the Amazon VPC CNI needs; the larger of all and default counts. */
static void test_rp_filter_accepts_strict_and_loose(void **state)
{
        (void)state;
        struct facts *f = node("Amazon Linux 2023");
        EXPECT(check_host_sysctl_rp_filter, f, ST_SKIP, "no live kernel settings under this root");
        set_sysctl(f, "net.ipv4.conf.all.rp_filter", "1");
        set_sysctl(f, "net.ipv4.conf.default.rp_filter", "1");
        EXPECT(check_host_sysctl_rp_filter, f, ST_PASS, "source addresses are validated");
        /* Bottlerocket: all at the kernel's 0, default 2 (systemd's 50-default.conf). */
        set_sysctl(f, "net.ipv4.conf.all.rp_filter", "0");
        set_sysctl(f, "net.ipv4.conf.default.rp_filter", "2");
        EXPECT(check_host_sysctl_rp_filter, f, ST_PASS, "net.ipv4.conf.default.rp_filter=2");
        set_sysctl(f, "net.ipv4.conf.default.rp_filter", "0");
        EXPECT(check_host_sysctl_rp_filter, f, ST_WARN, "reverse-path filtering is off");
        EXPECT(check_host_sysctl_rp_filter, f, ST_WARN, "set 2 (loose: the Amazon VPC CNI");
        /* Only the boot file knows: judged from it. */
        set_sysctl(f, "net.ipv4.conf.all.rp_filter", NULL);
        set_sysctl(f, "net.ipv4.conf.default.rp_filter", NULL);
        set_boot(f, "/usr/lib/sysctl.d/50-default.conf", "net.ipv4.conf.default.rp_filter = 2\n");
        EXPECT(check_host_sysctl_rp_filter, f, ST_PASS,
               "net.ipv4.conf.default.rp_filter=2 set at boot by /usr/lib/sysctl.d/50-default.conf:1");
        drop(f);
}

static void test_selinux_modes(void **state)
{
        (void)state;
        struct facts *f = node("Bottlerocket OS 1.20.0 (aws-k8s-1.30)");
        EXPECT(check_host_selinux, f, ST_SKIP, "SELinux state unknown");
        f->host.selinux_config = SELINUX_ENFORCING;
        f->host.selinux_config_origin = strdup("/etc/selinux/config:1");
        EXPECT(check_host_selinux, f, ST_PASS, "no /sys under this root: boot configuration only");
        f->host.sys_live = true;
        f->host.selinux_live = SELINUX_DISABLED;
        EXPECT(check_host_selinux, f, ST_FAIL, "disabled (no /sys/fs/selinux/enforce");
        f->host.selinux_live = SELINUX_PERMISSIVE;
        EXPECT(check_host_selinux, f, ST_FAIL, "permissive");
        f->host.selinux_live = SELINUX_ENFORCING;
        EXPECT(check_host_selinux, f, ST_PASS,
               "enforcing (/sys/fs/selinux/enforce=1); SELINUX=enforcing at /etc/selinux/config:1");
        f->host.selinux_config = SELINUX_PERMISSIVE;
        EXPECT(check_host_selinux, f, ST_WARN, "the next boot is not");
        drop(f);
}

static void test_lockdown_and_verity_follow_the_os(void **state)
{
        (void)state;
        struct facts *br = node("Bottlerocket OS 1.20.0 (aws-k8s-1.30)"), *al = node("Amazon Linux 2023");
        br->host.sys_live = al->host.sys_live = true;
        br->host.lockdown_err = al->host.lockdown_err = -ENOENT;
        EXPECT(check_host_kernel_lockdown, al, ST_SKIP, "no lockdown LSM");
        br->host.lockdown = strdup("none");
        al->host.lockdown = strdup("none");
        EXPECT(check_host_kernel_lockdown, br, ST_FAIL, "default to integrity");
        EXPECT(check_host_kernel_lockdown, al, ST_WARN, "root can modify the running kernel");
        EXPECT(check_host_root_verity, al, ST_SKIP, "not Bottlerocket (Amazon Linux 2023)");
        br->host.cmdline = strdup(
                "root=/dev/dm-0 \"dm-mod.create=root,,,ro,0 1884160 verity 1 A B 4096 4096 235520 1 sha256 x y 1 restart_on_corruption\"");
        EXPECT(check_host_root_verity, br, ST_PASS, "restart_on_corruption");
        free(br->host.cmdline);
        br->host.cmdline = strdup("root=/dev/nvme0n1p3 ro");
        EXPECT(check_host_root_verity, br, ST_FAIL,
               "lacks a dm-mod.create=root verity table root=/dev/dm-0 restart_on_corruption");
        drop(br);
        drop(al);
}

static void test_time_sync_and_journal(void **state)
{
        (void)state;
        struct facts *f = node("Amazon Linux 2");
        EXPECT(check_host_time_sync, f, ST_FAIL, "the clock is not synchronised");
        f->host.chrony_conf = strdup("/etc/chrony.conf");
        f->host.chronyd_enabled = strdup("/etc/systemd/system/multi-user.target.wants/chronyd.service");
        EXPECT(check_host_time_sync, f, ST_FAIL, "names no server, pool, peer or refclock");
        f->host.chrony_source = strdup("/etc/chrony.conf:2 server 169.254.169.123");
        f->host.chrony_sources = 1;
        EXPECT(check_host_time_sync, f, ST_PASS, "chronyd enabled");
        /* A live process table without chronyd in it. */
        f->procs.n = 1;
        f->procs.v = calloc(1, sizeof(*f->procs.v));
        f->procs.v[0].pid = 1;
        strcpy(f->procs.v[0].comm, "systemd");
        EXPECT(check_host_time_sync, f, ST_WARN, "but not running");
        f->host.chronyd_pid = 612;
        EXPECT(check_host_time_sync, f, ST_PASS, "chronyd running (pid 612)");

        EXPECT(check_host_journald_persistent, f, ST_FAIL, "the journal lives in /run and is lost at reboot");
        f->host.var_log_journal = true;
        EXPECT(check_host_journald_persistent, f, ST_PASS, "and /var/log/journal exists");
        f->host.journald.storage = strdup("volatile");
        f->host.journald.origin = strdup("/etc/systemd/journald.conf:3");
        EXPECT(check_host_journald_persistent, f, ST_FAIL, "Storage=volatile at /etc/systemd/journald.conf:3");
        f->host.journal_files = 3;
        EXPECT(check_host_journal_permissions, f, ST_PASS, "3 journal files");
        f->host.n_journal_open = 1;
        f->host.journal_open = strdup("/var/log/journal/x/system.journal mode 0644");
        EXPECT(check_host_journal_permissions, f, ST_FAIL, "1 of 3 journal files");
        drop(f);
}

static void test_time_sync_is_an_error_without_the_process_table(void **state)
{
        (void)state;
        /* An enabled chronyd with sources passed as "not live" before: whether it
         * runs is the unread process table's to say. */
        struct facts *f = node("Amazon Linux 2023");
        f->collected = FACT_HOST | FACT_PROCS;
        f->procs_error = strdup("/host/proc: Permission denied");
        f->host.chrony_conf = strdup("/etc/chrony.conf");
        f->host.chronyd_enabled = strdup("/etc/systemd/system/multi-user.target.wants/chronyd.service");
        f->host.chrony_source = strdup("/etc/chrony.conf:2 server 169.254.169.123");
        f->host.chrony_sources = 1;
        EXPECT(check_host_time_sync, f, ST_ERROR,
               "not evaluated: the process table could not be read: /host/proc: Permission denied");
        drop(f);
}

static void test_auditd_is_an_error_without_the_process_table(void **state)
{
        (void)state;
        struct facts *f = node("Amazon Linux 2");
        f->collected = FACT_HOST | FACT_PROCS;
        f->procs_error = strdup("/host/proc: Permission denied");
        f->host.auditd_enabled = strdup("/etc/systemd/system/multi-user.target.wants/auditd.service");
        EXPECT(check_host_auditd, f, ST_ERROR,
               "not evaluated: the process table could not be read: /host/proc: Permission denied");
        drop(f);
        /* Bottlerocket has no auditd to look for: a skip, readable process table or not. */
        struct facts *br = node("Bottlerocket OS 1.20.0 (aws-k8s-1.30)");
        br->procs_error = strdup("/host/proc: Permission denied");
        EXPECT(check_host_auditd, br, ST_SKIP, "Bottlerocket ships no auditd");
        drop(br);
}

static void test_auditd_and_rules(void **state)
{
        (void)state;
        struct facts *br = node("Bottlerocket OS 1.20.0 (aws-k8s-1.30)");
        EXPECT(check_host_auditd, br, ST_SKIP, "Bottlerocket ships no auditd");
        EXPECT(check_host_audit_rules, br, ST_SKIP, "Bottlerocket ships no auditd");
        drop(br);
        struct facts *f = node("Amazon Linux 2");
        EXPECT(check_host_auditd, f, ST_FAIL, "auditd is not installed");
        f->host.auditd_enabled = strdup("/etc/systemd/system/multi-user.target.wants/auditd.service");
        EXPECT(check_host_auditd, f, ST_PASS, "no process table under this root");
        f->host.auditd_pid = 480;
        EXPECT(check_host_auditd, f, ST_PASS, "auditd running (pid 480), enabled by");
        EXPECT(check_host_audit_rules, f, ST_SKIP, "none of the default paths exists here");
        f->host.audit_want = calloc(5, sizeof(char *));
        f->host.audit_want[0] = strdup("/etc/kubernetes");
        f->host.audit_want[1] = strdup("/usr/bin/kubelet");
        f->host.audit_want[2] = strdup("/usr/bin/containerd");
        f->host.audit_want[3] = strdup("/usr/bin/runc");
        f->host.n_audit_want = 4;
        f->host.audit_want_from = strdup("default");
        const char *rules = "-w /etc/kubernetes -p wa -k k8s\n";
        audit_rules_parse(rules, strlen(rules), "/etc/audit/rules.d/k.rules", &f->host.audit);
        EXPECT(check_host_audit_rules, f, ST_FAIL,
               "/usr/bin/kubelet, /usr/bin/containerd, /usr/bin/runc not watched for writes and attribute changes "
               "(watch set: default)");
        EXPECT(check_host_audit_rules, f, ST_FAIL, "watched: /etc/kubernetes (/etc/audit/rules.d/k.rules:1 -p wa)");
        const char *more = "-w /usr/bin/kubelet -p wa\n-w /usr/bin/containerd -p wa\n";
        audit_rules_parse(more, strlen(more), "/etc/audit/rules.d/k.rules", &f->host.audit);
        EXPECT(check_host_audit_rules, f, ST_FAIL, "/usr/bin/runc not watched");
        /* CIS Docker 1.1.18's rule has no -p: every access, writes and attribute changes included. */
        const char *runc = "-w /usr/bin/runc -k docker\n";
        audit_rules_parse(runc, strlen(runc), "/etc/audit/rules.d/docker.rules", &f->host.audit);
        EXPECT(check_host_audit_rules, f, ST_PASS, "watched: /etc/kubernetes");
        EXPECT(check_host_audit_rules, f, ST_PASS, "/usr/bin/runc (/etc/audit/rules.d/docker.rules:1 -p rwxa)");
        const char *off = "-e 0\n";
        audit_rules_parse(off, strlen(off), "/etc/audit/rules.d/z.rules", &f->host.audit);
        EXPECT(check_host_audit_rules, f, ST_FAIL, "-e 0 disables auditing");
        drop(f);
}

static void test_hostname_file_skips_comment_lines(void **state)
{
        (void)state;
        static const struct {
                const char *text, *want; /* NULL: no name, uname's is used */
        } cases[] = {
                {"ip-10-0-1-23.us-west-2.compute.internal\n", "ip-10-0-1-23.us-west-2.compute.internal"},
                {"# Written by cloud-init\n\n  worker-1 \r\n", "worker-1"},
                {"# only a comment\n  \n", NULL},
                {"two words\n", "two"},
                {"\n\x1b[31mred\n", "\x1b[31mred"}, /* the report escapes it */
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char *h = node_hostname_parse(cases[i].text);
                if (cases[i].want)
                        assert_string_equal(h, cases[i].want);
                else
                        assert_null(h);
                free(h);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sysctl_d_parse_follows_sysctl_d_5),
                cmocka_unit_test(test_sysctl_glob_stays_in_one_component),
                cmocka_unit_test(test_modprobe_d_parse_follows_kmod),
                cmocka_unit_test(test_proc_modules_names_the_first_field_only),
                cmocka_unit_test(test_module_checks_judge_modprobe_and_the_live_kernel),
                cmocka_unit_test(test_audit_rules_watches),
                cmocka_unit_test(test_audit_rules_never_delete_and_enable),
                cmocka_unit_test(test_journald_conf_storage),
                cmocka_unit_test(test_sysctl_checks_judge_live_boot_and_drift),
                cmocka_unit_test(test_ip_forward_is_required_on_a_node),
                cmocka_unit_test(test_icmp_and_syncookie_sysctls),
                cmocka_unit_test(test_rp_filter_accepts_strict_and_loose),
                cmocka_unit_test(test_selinux_modes),
                cmocka_unit_test(test_lockdown_and_verity_follow_the_os),
                cmocka_unit_test(test_time_sync_and_journal),
                cmocka_unit_test(test_time_sync_is_an_error_without_the_process_table),
                cmocka_unit_test(test_auditd_is_an_error_without_the_process_table),
                cmocka_unit_test(test_auditd_and_rules),
                cmocka_unit_test(test_hostname_file_skips_comment_lines),
        };
        return cmocka_run_group_tests_name("host hardening checks and parsers", tests, NULL, NULL);
}
