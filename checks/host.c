/* host: the host hardening checks under the kubelet: kernel settings, SELinux, lockdown, dm-verity, time sync, journald, auditd. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "base/util.h"
#include "collect/facts.h"
#include "gate.h"

static bool bottlerocket(const struct facts *f)
{
        return f->node.br.is_bottlerocket || (f->node.os && strstr(f->node.os, "Bottlerocket"));
}

static const char *proc_dir(const struct facts *f)
{
        return f->proc_path ? f->proc_path : "/proc";
}

/* "0", or "1|2": the values a setting may have. */
static bool accepted(const char *value, const char *accept)
{
        size_t n = strlen(accept);
        for (const char *p = accept; p < accept + n;) {
                size_t k = strcspn(p, "|");
                char *one = xasprintf("%.*s", (int)k, p);
                bool ok = sysctl_value_equal(value, one);
                free(one);
                if (ok)
                        return true;
                p += k + 1;
        }
        return false;
}

struct sysctl_want {
        const char *name;
        const char *accept;
};

enum verdict {
        V_NONE,
        V_GOOD,
        V_DRIFT,
        V_BAD
};

/* One setting's evidence: the live value judged, the boot file that sets it, and a drift between them. */
static enum verdict judge_sysctl(const struct facts *f, const struct sysctl_want *w, struct strbuf *ev)
{
        const struct host_sysctl *s = hostsec_sysctl(&f->host, w->name);
        const struct sysctl_assign *b = s ? s->boot : NULL;
        /* The boot file may set it under another name (a glob, or conf.all.forwarding for ip_forward). */
        _cleanup_free_ char *at = !b                         ? NULL
                                  : strcmp(b->name, w->name) ? xasprintf("%s:%u (%s)", b->file, b->line, b->name)
                                                             : xasprintf("%s:%u", b->file, b->line);
        if (!s || !s->live) {
                if (!b) {
                        sb_printf(ev, "%s: not in %s/sys and no boot file sets it", w->name, proc_dir(f));
                        return V_NONE;
                }
                bool ok = accepted(b->value, w->accept);
                sb_printf(ev, "%s=%s set at boot by %s (%s/sys has no live value)%s%s", w->name, b->value, at,
                          proc_dir(f), ok ? "" : ", want ", ok ? "" : w->accept);
                return ok ? V_GOOD : V_BAD;
        }
        bool ok = accepted(s->live, w->accept);
        sb_printf(ev, "%s=%s", w->name, s->live);
        if (!b) {
                sb_printf(ev, " (%s%s%snot set at boot)", ok ? "" : "want ", ok ? "" : w->accept, ok ? "" : ", ");
                return ok ? V_GOOD : V_BAD;
        }
        if (!ok)
                sb_printf(ev, " (want %s)", w->accept);
        if (sysctl_value_equal(b->value, s->live)) {
                sb_printf(ev, " from %s", at);
                return ok ? V_GOOD : V_BAD;
        }
        bool boot_ok = accepted(b->value, w->accept);
        sb_printf(ev, ", but %s sets %s at boot: changed since boot", at, b->value);
        if (ok && !boot_ok) {
                sb_puts(ev, ", the next boot reverts it");
                return V_DRIFT;
        }
        return ok ? V_GOOD : V_BAD;
}

/* Evidence names the settings at fault first, then the ones in order. */
static void judge_sysctls(const struct facts *f, struct result *r, const struct sysctl_want *w, size_t n,
                          const char *why_bad)
{
        struct strbuf bad = {0}, rest = {0};
        enum verdict worst = V_NONE;
        bool any = false;
        for (size_t i = 0; i < n; i++) {
                struct strbuf one = {0};
                enum verdict v = judge_sysctl(f, &w[i], &one);
                struct strbuf *to = v >= V_DRIFT ? &bad : &rest;
                sb_printf(to, "%s%s", to->len ? "; " : "", one.buf);
                sb_free(&one);
                any |= v != V_NONE;
                worst = v > worst ? v : worst;
        }
        const char *sep = bad.len && rest.len ? "; also " : "";
        if (f->host.boot.error)
                sb_printf(&rest, "; boot files incomplete: %s", f->host.boot.error);
        if (!any)
                result_set(r, ST_SKIP, "%s (no live kernel settings under this root, none set at boot)", rest.buf);
        else if (worst == V_BAD)
                result_set(r, ST_FAIL, "%s%s%s%s%s", bad.buf, why_bad ? ": " : "", why_bad ? why_bad : "", sep,
                           rest.len ? rest.buf : "");
        else if (worst == V_DRIFT)
                result_set(r, ST_WARN, "%s%s%s", bad.buf, sep, rest.len ? rest.buf : "");
        else
                result_set(r, ST_PASS, "%s", rest.buf);
        sb_free(&bad);
        sb_free(&rest);
}

void check_host_sysctl_suid_dumpable(const struct facts *f, struct result *r)
{
        static const struct sysctl_want w[] = {{"fs.suid_dumpable", "0"}};
        judge_sysctls(f, r, w, ARRAY_SIZE(w), "setuid programs may dump core, memory with secrets included");
}

void check_host_sysctl_aslr(const struct facts *f, struct result *r)
{
        static const struct sysctl_want w[] = {{"kernel.randomize_va_space", "2"}};
        judge_sysctls(f, r, w, ARRAY_SIZE(w), "address space layout randomisation is not full");
}

void check_host_sysctl_unpriv_bpf(const struct facts *f, struct result *r)
{
        static const struct sysctl_want w[] = {{"kernel.unprivileged_bpf_disabled", "1|2"}};
        judge_sysctls(f, r, w, ARRAY_SIZE(w), "unprivileged processes (in any pod) may load BPF programs");
}

void check_host_sysctl_redirects(const struct facts *f, struct result *r)
{
        static const struct sysctl_want w[] = {
                {"net.ipv4.conf.all.send_redirects", "0"},   {"net.ipv4.conf.default.send_redirects", "0"},
                {"net.ipv4.conf.all.accept_redirects", "0"}, {"net.ipv4.conf.default.accept_redirects", "0"},
                {"net.ipv6.conf.all.accept_redirects", "0"}, {"net.ipv6.conf.default.accept_redirects", "0"},
                {"net.ipv4.conf.all.secure_redirects", "0"}, {"net.ipv4.conf.default.secure_redirects", "0"},
        };
        judge_sysctls(f, r, w, ARRAY_SIZE(w), "ICMP redirects can reroute the node's traffic");
}

void check_host_sysctl_source_route(const struct facts *f, struct result *r)
{
        static const struct sysctl_want w[] = {
                {"net.ipv4.conf.all.accept_source_route", "0"},
                {"net.ipv4.conf.default.accept_source_route", "0"},
                {"net.ipv6.conf.all.accept_source_route", "0"},
                {"net.ipv6.conf.default.accept_source_route", "0"},
        };
        judge_sysctls(f, r, w, ARRAY_SIZE(w), "source-routed packets are accepted");
}

void check_host_sysctl_log_martians(const struct facts *f, struct result *r)
{
        static const struct sysctl_want w[] = {{"net.ipv4.conf.all.log_martians", "1"},
                                               {"net.ipv4.conf.default.log_martians", "1"}};
        judge_sysctls(f, r, w, ARRAY_SIZE(w), "packets with impossible addresses are dropped without a trace");
}

void check_host_sysctl_icmp_broadcasts(const struct facts *f, struct result *r)
{
        static const struct sysctl_want w[] = {{"net.ipv4.icmp_echo_ignore_broadcasts", "1"}};
        judge_sysctls(f, r, w, ARRAY_SIZE(w),
                      "the node answers pings sent to a broadcast address (smurf amplification)");
}

void check_host_sysctl_icmp_bogus(const struct facts *f, struct result *r)
{
        static const struct sysctl_want w[] = {{"net.ipv4.icmp_ignore_bogus_error_responses", "1"}};
        judge_sysctls(f, r, w, ARRAY_SIZE(w), "bogus ICMP error responses fill the kernel log");
}

void check_host_sysctl_syncookies(const struct facts *f, struct result *r)
{
        static const struct sysctl_want w[] = {{"net.ipv4.tcp_syncookies", "1"}};
        judge_sysctls(f, r, w, ARRAY_SIZE(w),
                      "a SYN flood fills the listen queues of the kubelet and every hostNetwork server");
}

/* The kernel validates a packet's source with the larger of conf.all.rp_filter and its
 * interface's value (Documentation/networking/ip-sysctl.rst), and a new interface (every pod's
 * veth, every ENI the Amazon VPC CNI attaches) takes conf.default's: either one at 1 or 2 filters.
 * CIS asks strict (1); the VPC CNI needs loose (2) because pod traffic may leave through
 * another ENI than the one it arrives on, so both pass and 0 only warns. */
void check_host_sysctl_rp_filter(const struct facts *f, struct result *r)
{
        static const struct sysctl_want w[] = {{"net.ipv4.conf.all.rp_filter", "1|2"},
                                               {"net.ipv4.conf.default.rp_filter", "1|2"}};
        struct strbuf ev[2] = {{0}, {0}};
        enum verdict v[2];
        for (size_t i = 0; i < 2; i++)
                v[i] = judge_sysctl(f, &w[i], &ev[i]);
        const char *boot_err = f->host.boot.error;
        if (v[0] == V_NONE && v[1] == V_NONE)
                result_set(r, ST_SKIP, "%s; %s (no live kernel settings under this root, none set at boot)%s%s",
                           ev[0].buf, ev[1].buf, boot_err ? "; boot files incomplete: " : "", boot_err ? boot_err : "");
        else if (v[0] == V_GOOD || v[1] == V_GOOD)
                result_set(r, ST_PASS,
                           "%s; %s: source addresses are validated (the larger of conf.all and an interface's value "
                           "applies, and new interfaces take conf.default's; 1 strict, as CIS asks; 2 loose, as the "
                           "Amazon VPC CNI needs)",
                           ev[0].buf, ev[1].buf);
        else if (v[0] == V_DRIFT || v[1] == V_DRIFT)
                result_set(r, ST_WARN, "%s; %s", ev[0].buf, ev[1].buf);
        else
                result_set(r, ST_WARN,
                           "%s; %s: reverse-path filtering is off, packets with spoofed source addresses are accepted; "
                           "set 2 (loose: the Amazon VPC CNI routes pod traffic out through other ENIs, which strict "
                           "mode drops) or 1 (strict, CIS)",
                           ev[0].buf, ev[1].buf);
        sb_free(&ev[0]);
        sb_free(&ev[1]);
}

/* Pods with hostUsers: false run in user namespaces, which this setting limits;
 * CIS Bottlerocket asks 0 at Level 2, so a non-zero value is a choice to review. */
void check_host_sysctl_user_namespaces(const struct facts *f, struct result *r)
{
        static const struct sysctl_want w[] = {{"user.max_user_namespaces", "0"}};
        judge_sysctls(f, r, w, ARRAY_SIZE(w), NULL);
        if (r->status == ST_FAIL) {
                char *ev = r->evidence;
                r->evidence = NULL;
                result_set(r, ST_WARN,
                           "%s: unprivileged user namespaces are available (a kernel attack surface); keep them only "
                           "if pods use hostUsers: false (Kubernetes user namespaces), which need them",
                           ev);
                free(ev);
        } else if (r->status == ST_PASS) {
                char *ev = r->evidence;
                r->evidence = NULL;
                result_set(r, ST_PASS, "%s; pods with hostUsers: false cannot start on this node", ev);
                free(ev);
        }
}

/* A node routes its pods' traffic: CIS Amazon Linux asks ip_forward=0 of hosts
 * that are not routers, and a Kubernetes node is one (kubeadm's preflight and the
 * EKS AMI's 99-kubernetes-cri.conf both set it to 1). */
void check_host_ip_forward(const struct facts *f, struct result *r)
{
        static const struct sysctl_want fwd[] = {{"net.ipv4.ip_forward", "1"}};
        static const struct sysctl_want br[] = {{"net.bridge.bridge-nf-call-iptables", "1"}};
        judge_sysctls(f, r, fwd, 1, "the node does not forward pod traffic: pod networking breaks");
        enum status st = r->status;
        char *ev = r->evidence;
        r->evidence = NULL;
        struct strbuf b = {0};
        enum verdict bv = judge_sysctl(f, &br[0], &b);
        const char *bnote = bv == V_NONE  ? " (br_netfilter not loaded: fine for CNIs without a Linux bridge, such as "
                                            "the Amazon VPC CNI)"
                            : bv == V_BAD ? ": bridged pod traffic bypasses kube-proxy's iptables rules"
                                          : "";
        if (st == ST_PASS)
                result_set(r, bv == V_BAD ? ST_WARN : ST_PASS,
                           "%s: required, a Kubernetes node routes its pods' traffic (CIS asks 0 only of hosts that "
                           "are not routers); %s%s",
                           ev, b.buf, bnote);
        else
                result_set(r, st, "%s; %s%s", ev, b.buf, bnote);
        free(ev);
        sb_free(&b);
}

static const char *selinux_name(enum selinux_mode m)
{
        static const char *const n[] = {"unknown", "disabled", "permissive", "enforcing"};
        return n[m];
}

void check_host_selinux(const struct facts *f, struct result *r)
{
        const struct host_facts *h = &f->host;
        char *cfg = h->selinux_config != SELINUX_UNKNOWN
                            ? xasprintf("SELINUX=%s%s%s at %s", selinux_name(h->selinux_config),
                                        h->selinux_type ? " SELINUXTYPE=" : "", h->selinux_type ? h->selinux_type : "",
                                        h->selinux_config_origin)
                            : xstrdup("no /etc/selinux/config");
        if (h->selinux_live == SELINUX_UNKNOWN && h->sys_live)
                result_set(r, ST_ERROR, "/sys/fs/selinux/enforce holds neither 0 nor 1; %s", cfg);
        else if (h->selinux_live == SELINUX_UNKNOWN && h->selinux_config == SELINUX_UNKNOWN)
                result_set(r, ST_SKIP, "no /sys under this root and no /etc/selinux/config: SELinux state unknown");
        else if (h->selinux_live == SELINUX_UNKNOWN)
                result_set(r, h->selinux_config == SELINUX_ENFORCING ? ST_PASS : ST_FAIL,
                           "%s (no /sys under this root: boot configuration only)", cfg);
        else if (h->selinux_live == SELINUX_ENFORCING && h->selinux_config != SELINUX_UNKNOWN &&
                 h->selinux_config != SELINUX_ENFORCING)
                result_set(r, ST_WARN, "enforcing now (/sys/fs/selinux/enforce=1), but %s: the next boot is not", cfg);
        else if (h->selinux_live == SELINUX_ENFORCING)
                result_set(r, ST_PASS, "enforcing (/sys/fs/selinux/enforce=1); %s", cfg);
        else if (h->selinux_live == SELINUX_PERMISSIVE)
                result_set(r, ST_FAIL, "permissive (/sys/fs/selinux/enforce=0): denials are logged, not enforced; %s",
                           cfg);
        else
                result_set(r, ST_FAIL, "disabled (no /sys/fs/selinux/enforce: selinuxfs not mounted); %s", cfg);
        free(cfg);
}

void check_host_kernel_lockdown(const struct facts *f, struct result *r)
{
        const struct host_facts *h = &f->host;
        if (!h->lockdown) {
                if (!h->sys_live)
                        result_set(r, ST_SKIP, "no /sys under this root: lockdown state unknown");
                else if (h->lockdown_err == -ENOENT)
                        result_set(r, ST_SKIP,
                                   "/sys/kernel/security/lockdown absent: the kernel has no lockdown LSM "
                                   "(or securityfs is not mounted)");
                else
                        result_set(r, ST_ERROR, "/sys/kernel/security/lockdown: %s", rootfs_strerror(h->lockdown_err));
                return;
        }
        if (strcmp(h->lockdown, "none") != 0)
                result_set(r, ST_PASS, "lockdown [%s] (/sys/kernel/security/lockdown)", h->lockdown);
        else if (bottlerocket(f))
                result_set(r, ST_FAIL,
                           "lockdown [none]: Bottlerocket's aws-k8s variants default to integrity "
                           "(settings.kernel.lockdown)");
        else
                result_set(r, ST_WARN,
                           "lockdown [none]: root can modify the running kernel (no CIS Amazon Linux item "
                           "asks for lockdown; boot with lockdown=integrity to harden)");
}

void check_host_root_verity(const struct facts *f, struct result *r)
{
        const struct host_facts *h = &f->host;
        if (!bottlerocket(f)) {
                result_set(r, ST_SKIP,
                           "not Bottlerocket (%s): its root is a writable file system, not a dm-verity "
                           "image; no CIS Amazon Linux or Kubernetes item asks for one",
                           f->node.os ? f->node.os : "unknown OS");
                return;
        }
        char *dm = h->dm0_name ? xasprintf("; /sys/block/dm-0/dm/name=%s", h->dm0_name) : xstrdup("");
        if (!h->cmdline) {
                if (h->dm0_name && strcmp(h->dm0_name, "root") == 0)
                        result_set(r, ST_WARN,
                                   "%s/cmdline unreadable; dm-0 is named root but its verity table is unknown%s",
                                   proc_dir(f), dm);
                else
                        result_set(r, ST_SKIP, "%s/cmdline unreadable: the boot parameters are unknown%s", proc_dir(f),
                                   dm);
        } else {
                bool created = strstr(h->cmdline, "dm-mod.create=root,") && strstr(h->cmdline, " verity ");
                bool rooted = strstr(h->cmdline, "root=/dev/dm-0") != NULL;
                bool restart = strstr(h->cmdline, "restart_on_corruption") != NULL;
                if (created && rooted && restart)
                        result_set(r, ST_PASS,
                                   "%s/cmdline: root=/dev/dm-0 from dm-mod.create=root verity table with "
                                   "restart_on_corruption%s",
                                   proc_dir(f), dm);
                else
                        result_set(r, ST_FAIL,
                                   "%s/cmdline lacks %s%s%s: the root is not verified as Bottlerocket boots it%s",
                                   proc_dir(f), created ? "" : "a dm-mod.create=root verity table ",
                                   rooted ? "" : "root=/dev/dm-0 ", restart ? "" : "restart_on_corruption", dm);
        }
        free(dm);
}

void check_host_time_sync(const struct facts *f, struct result *r)
{
        /* Whether chronyd runs is the process table's to say: unread, no verdict. */
        if (!fact_gate(f, FACT_HOST | FACT_PROCS, 0, r))
                return;
        const struct host_facts *h = &f->host;
        bool live = f->procs.n > 0;
        char *state = h->chronyd_pid ? xasprintf("chronyd running (pid %d)", (int)h->chronyd_pid)
                      : h->chronyd_enabled
                              ? xasprintf("chronyd enabled (%s)%s", h->chronyd_enabled, live ? " but not running" : "")
                              : xstrdup("chronyd neither running nor enabled");
        if (!h->chrony_conf && !h->chronyd_pid && !h->chronyd_enabled) {
                if (h->timesyncd_enabled)
                        result_set(r, ST_WARN, "no chrony; systemd-timesyncd is enabled (%s): CIS asks for chrony",
                                   h->timesyncd_enabled);
                else
                        result_set(r, ST_FAIL,
                                   "no chrony configuration (/etc/chrony.conf), no chronyd unit or process: "
                                   "the clock is not synchronised");
        } else if (!h->chrony_source) {
                result_set(r, ST_FAIL, "%s; %s names no server, pool, peer or refclock", state,
                           h->chrony_conf ? h->chrony_conf : "no /etc/chrony.conf");
        } else if (!h->chronyd_pid && !h->chronyd_enabled) {
                result_set(r, ST_FAIL, "%s; %zu time source(s), first %s", state, h->chrony_sources, h->chrony_source);
        } else if (!h->chronyd_pid && live) {
                result_set(r, ST_WARN, "%s; %zu time source(s), first %s", state, h->chrony_sources, h->chrony_source);
        } else {
                result_set(r, ST_PASS, "%s; %zu time source(s), first %s", state, h->chrony_sources, h->chrony_source);
        }
        free(state);
}

void check_host_journald_persistent(const struct facts *f, struct result *r)
{
        const struct host_facts *h = &f->host;
        const struct journald_conf *j = &h->journald;
        const char *st = j->storage ? j->storage : "auto";
        char *from = j->origin ? xasprintf("Storage=%s at %s", st, j->origin)
                               : xstrdup("Storage= unset (journald's default: auto)");
        if (j->error)
                result_set(r, ST_ERROR, "%s; %s", j->error, from);
        else if (strcmp(st, "persistent") == 0)
                result_set(r, ST_PASS, "%s", from);
        else if (strcmp(st, "auto") == 0 && h->var_log_journal)
                result_set(r, ST_PASS, "%s and /var/log/journal exists: the journal is kept on disk", from);
        else if (strcmp(st, "auto") == 0)
                result_set(r, ST_FAIL, "%s and no /var/log/journal: the journal lives in /run and is lost at reboot",
                           from);
        else
                result_set(r, ST_FAIL, "%s: the journal is %s", from,
                           strcmp(st, "none") == 0 ? "discarded" : "kept in memory only and lost at reboot");
        free(from);
}

void check_host_journal_permissions(const struct facts *f, struct result *r)
{
        const struct host_facts *h = &f->host;
        if (!h->var_log_journal)
                result_set(r, ST_SKIP, "no /var/log/journal: no persistent journal files to check");
        else if (h->n_journal_open)
                result_set(r, ST_FAIL, "%zu of %zu journal files readable or writable by others: %s%s",
                           h->n_journal_open, h->journal_files, h->journal_open, h->n_journal_open > 5 ? "; ..." : "");
        else if (h->journal_error)
                result_set(r, ST_ERROR, "%s", h->journal_error);
        else if (!h->journal_files)
                result_set(r, ST_PASS, "/var/log/journal holds no journal files yet");
        else
                result_set(r, ST_PASS, "%zu journal files under /var/log/journal, none open to others",
                           h->journal_files);
}

static bool auditd_not_applicable(const struct facts *f, struct result *r)
{
        if (!bottlerocket(f))
                return false;
        result_set(r, ST_SKIP,
                   "Bottlerocket ships no auditd: its audit-rules.service loads kernel rules that keep "
                   "SELinux events only, which the journal records");
        return true;
}

bool host_auditd_applies(const struct facts *f, struct result *r)
{
        return !auditd_not_applicable(f, r);
}

void check_host_auditd(const struct facts *f, struct result *r)
{
        const struct host_facts *h = &f->host;
        /* An enabled unit is no proof auditd runs: without the process table, no verdict. */
        if (auditd_not_applicable(f, r) || !fact_gate(f, FACT_HOST | FACT_PROCS, 0, r))
                return;
        bool live = f->procs.n > 0;
        if (h->auditd_pid)
                result_set(r, ST_PASS, "auditd running (pid %d)%s%s", (int)h->auditd_pid,
                           h->auditd_enabled ? ", enabled by " : ", not enabled at boot",
                           h->auditd_enabled ? h->auditd_enabled : "");
        else if (h->auditd_enabled && !live)
                result_set(r, ST_PASS, "auditd enabled by %s (no process table under this root to see it run)",
                           h->auditd_enabled);
        else if (h->auditd_enabled)
                result_set(r, ST_FAIL, "auditd enabled by %s but not running", h->auditd_enabled);
        else
                result_set(r, ST_FAIL,
                           "auditd %s and not enabled at boot (no auditd.service link in a .wants/ directory)%s",
                           live ? "not running" : "not seen", h->auditd_installed ? "" : "; auditd is not installed");
}

void check_host_audit_rules(const struct facts *f, struct result *r)
{
        const struct host_facts *h = &f->host;
        const struct audit_rules *a = &h->audit;
        if (auditd_not_applicable(f, r))
                return;
        if (a->error) {
                result_set(r, ST_ERROR, "%s", a->error);
                return;
        }
        if (!h->n_audit_want) {
                result_set(r, ST_SKIP, "nothing to watch: none of the default paths exists here");
                return;
        }
        struct strbuf ok = {0}, missing = {0};
        for (size_t i = 0; i < h->n_audit_want; i++) {
                const struct audit_watch *w = audit_rules_covering(a, h->audit_want[i]);
                if (w)
                        sb_printf(&ok, "%s%s (%s:%u -p %s)", ok.len ? ", " : "", h->audit_want[i], w->file, w->line,
                                  w->perms);
                else
                        sb_printf(&missing, "%s%s", missing.len ? ", " : "", h->audit_want[i]);
        }
        char *src = a->n_files ? xasprintf("rules from %s%s", a->files[0], a->n_files > 1 ? " and more" : "")
                               : xstrdup("no /etc/audit/rules.d/*.rules or /etc/audit/audit.rules");
        char *dead = a->never_all ? xasprintf("; %s drops every syscall event before later watches", a->never_all)
                                  : xstrdup("");
        const char *en = a->enabled == 0 ? "; -e 0 disables auditing" : "";
        struct strbuf absent = {0};
        for (size_t i = 0; i < h->n_audit_absent; i++)
                sb_printf(&absent, "%s%s", i ? ", " : "; not on this node: ", h->audit_absent[i]);
        if (missing.len || a->enabled == 0)
                result_set(r, ST_FAIL, "%s not watched for writes and attribute changes (watch set: %s); %s%s%s%s%s%s",
                           missing.len ? missing.buf : "nothing", h->audit_want_from, src, dead, en,
                           ok.len ? "; watched: " : "", ok.len ? ok.buf : "", absent.len ? absent.buf : "");
        else
                result_set(r, ST_PASS, "watched: %s (watch set: %s)%s", ok.buf, h->audit_want_from,
                           absent.len ? absent.buf : "");
        sb_free(&absent);
        free(src);
        free(dead);
        sb_free(&ok);
        sb_free(&missing);
}
