/* hostsec: the host hardening under the kubelet: kernel settings live and at boot, kernel modules, SELinux, lockdown, dm-verity, time sync, journald, auditd. */
#define _GNU_SOURCE
#include "collect/node/hostsec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/node/sysctl.h"
#include "base/oplist.h"
#include "base/util.h"

#define SMALL_FILE_CAP (64u * 1024u)
#define CHRONY_MAX_DIR_FILES 256u

const char *const hostsec_sysctl_names[] = {
        "fs.suid_dumpable",
        "kernel.randomize_va_space",
        "kernel.unprivileged_bpf_disabled",
        "user.max_user_namespaces",
        "net.ipv4.conf.all.send_redirects",
        "net.ipv4.conf.default.send_redirects",
        "net.ipv4.conf.all.accept_redirects",
        "net.ipv4.conf.default.accept_redirects",
        "net.ipv6.conf.all.accept_redirects",
        "net.ipv6.conf.default.accept_redirects",
        "net.ipv4.conf.all.secure_redirects",
        "net.ipv4.conf.default.secure_redirects",
        "net.ipv4.conf.all.accept_source_route",
        "net.ipv4.conf.default.accept_source_route",
        "net.ipv6.conf.all.accept_source_route",
        "net.ipv6.conf.default.accept_source_route",
        "net.ipv4.conf.all.log_martians",
        "net.ipv4.conf.default.log_martians",
        "net.ipv4.icmp_echo_ignore_broadcasts",
        "net.ipv4.icmp_ignore_bogus_error_responses",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.conf.all.rp_filter",
        "net.ipv4.conf.default.rp_filter",
        "net.ipv4.ip_forward",
        "net.bridge.bridge-nf-call-iptables",
        "net.bridge.bridge-nf-call-ip6tables",
};
const size_t hostsec_sysctl_names_len = ARRAY_SIZE(hostsec_sysctl_names);

static bool is_dir(const struct rootfs *root, const char *path)
{
        struct stat st;
        return rootfs_stat(root, path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const struct rootfs *root, const char *path)
{
        struct stat st;
        char target[8];
        return rootfs_stat(root, path, &st) == 0 || rootfs_readlink(root, path, target, sizeof(target)) == 0;
}

/* One line of a small file, trimmed; NULL when unreadable. */
static char *read_trimmed(const struct rootfs *root, const char *path, int *ret_err)
{
        char *buf = NULL;
        size_t len = 0;
        int r = rootfs_read_file(root, path, SMALL_FILE_CAP, &buf, &len, NULL);
        if (ret_err)
                *ret_err = r;
        if (r < 0)
                return NULL;
        if (memchr(buf, '\0', len))
                len = strlen(buf);
        while (len && strchr(" \t\r\n", buf[len - 1]))
                buf[--len] = '\0';
        return buf;
}

static void collect_sysctls(const struct rootfs *root, const struct rootfs *proc, struct host_facts *h)
{
        sysctl_boot_collect(root, &h->boot);
        h->n_sysctls = hostsec_sysctl_names_len;
        h->sysctls = xcalloc(h->n_sysctls, sizeof(*h->sysctls));
        for (size_t i = 0; i < h->n_sysctls; i++) {
                struct host_sysctl *s = &h->sysctls[i];
                s->name = hostsec_sysctl_names[i];
                s->live_err = sysctl_read_live(proc, s->name, &s->live);
                s->boot = sysctl_boot_find(&h->boot, s->name);
                /* The kernel keeps ip_forward and conf.all.forwarding as one switch
                 * (Documentation/networking/ip-sysctl.rst): the later assignment of either wins. */
                if (strcmp(s->name, "net.ipv4.ip_forward") == 0) {
                        const struct sysctl_assign *alt = sysctl_boot_find(&h->boot, "net.ipv4.conf.all.forwarding");
                        if (alt && (!s->boot || alt > s->boot))
                                s->boot = alt;
                }
        }
}

static void collect_modules(const struct rootfs *root, const struct rootfs *proc, struct host_facts *h)
{
        modprobe_conf_collect(root, &h->modprobe);
        h->proc_modules_err = -ENOENT;
        if (proc && proc->fd >= 0)
                h->proc_modules_err = rootfs_read_file(proc, "modules", PROC_MODULES_CAP, &h->proc_modules,
                                                       &h->proc_modules_len, NULL);
        if (h->proc_modules_err < 0) {
                free(h->proc_modules);
                h->proc_modules = NULL;
                h->proc_modules_len = 0;
        }
}

static enum selinux_mode selinux_word(const char *v)
{
        if (strcasecmp(v, "enforcing") == 0)
                return SELINUX_ENFORCING;
        if (strcasecmp(v, "permissive") == 0)
                return SELINUX_PERMISSIVE;
        if (strcasecmp(v, "disabled") == 0)
                return SELINUX_DISABLED;
        return SELINUX_UNKNOWN;
}

static void collect_selinux(const struct rootfs *root, struct host_facts *h)
{
        if (h->sys_live) {
                char *v = read_trimmed(root, "/sys/fs/selinux/enforce", NULL);
                h->selinux_live = !v                    ? SELINUX_DISABLED
                                  : strcmp(v, "1") == 0 ? SELINUX_ENFORCING
                                  : strcmp(v, "0") == 0 ? SELINUX_PERMISSIVE
                                                        : SELINUX_UNKNOWN;
                free(v);
        }
        char *buf = read_trimmed(root, "/etc/selinux/config", NULL);
        unsigned line = 0;
        for (char *l = buf, *next; l; l = next) {
                next = strchr(l, '\n');
                if (next)
                        *next++ = '\0';
                line++;
                l += strspn(l, " \t");
                l[strcspn(l, " \t\r#")] = '\0';
                if (str_startswith(l, "SELINUX=")) {
                        h->selinux_config = selinux_word(l + 8);
                        free(h->selinux_config_origin);
                        h->selinux_config_origin = xasprintf("/etc/selinux/config:%u", line);
                } else if (str_startswith(l, "SELINUXTYPE=")) {
                        free(h->selinux_type);
                        h->selinux_type = xstrdup(l + 12);
                }
        }
        free(buf);
}

/* "none [integrity] confidentiality": the kernel brackets the mode in force. */
static void collect_lockdown(const struct rootfs *root, struct host_facts *h)
{
        char *v = read_trimmed(root, "/sys/kernel/security/lockdown", &h->lockdown_err);
        char *lb = v ? strchr(v, '[') : NULL, *rb = lb ? strchr(lb, ']') : NULL;
        if (rb && rb - lb > 1 && rb - lb < 32)
                h->lockdown = xasprintf("%.*s", (int)(rb - lb - 1), lb + 1);
        else if (v)
                h->lockdown_err = -EINVAL;
        free(v);
}

static void collect_verity(const struct rootfs *root, const struct rootfs *proc, struct host_facts *h)
{
        if (proc && proc->fd >= 0)
                h->cmdline = read_trimmed(proc, "cmdline", NULL);
        h->dm0_name = read_trimmed(root, "/sys/block/dm-0/dm/name", NULL);
}

/* The .wants/ link that pulls @unit in at boot, or NULL (also when a link to
 * /dev/null in /etc or /run masks the unit). */
static char *unit_enabled(const struct rootfs *root, const char *unit)
{
        static const char *const masks[] = {"/etc/systemd/system", "/run/systemd/system"};
        for (size_t m = 0; m < ARRAY_SIZE(masks); m++) {
                char target[16];
                char *p = xasprintf("%s/%s", masks[m], unit);
                int r = rootfs_readlink(root, p, target, sizeof(target));
                free(p);
                if (r == 0 && strcmp(target, "/dev/null") == 0)
                        return NULL;
        }
        static const char *const dirs[] = {"/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"};
        static const char *const targets[] = {"multi-user.target.wants", "sysinit.target.wants",
                                              "configured.target.wants", "default.target.wants"};
        for (size_t d = 0; d < ARRAY_SIZE(dirs); d++)
                for (size_t t = 0; t < ARRAY_SIZE(targets); t++) {
                        char *p = xasprintf("%s/%s/%s", dirs[d], targets[t], unit);
                        if (exists(root, p))
                                return p;
                        free(p);
                }
        return NULL;
}

static pid_t running(const struct proc_table *procs, const char *name)
{
        const struct proc_entry *e = procs ? proc_table_find(procs, name) : NULL;
        return e ? e->pid : 0;
}

static void chrony_file(const struct rootfs *root, const char *path, struct host_facts *h, char ***dirs, size_t *n_dirs)
{
        char *buf = NULL;
        size_t len = 0;
        if (rootfs_read_file(root, path, SMALL_FILE_CAP, &buf, &len, NULL) < 0)
                return;
        unsigned line = 0;
        size_t off = 0, n;
        for (char *l; (l = (char *)line_next(buf, len, &off, &n));) {
                line++;
                l[n] = '\0';
                l += strspn(l, " \t");
                size_t w = strcspn(l, " \t\r");
                char *arg = l + w + strspn(l + w, " \t");
                arg[strcspn(arg, " \t\r")] = '\0';
                bool source = (w == 6 && (strncmp(l, "server", 6) == 0)) ||
                              (w == 4 && (strncmp(l, "pool", 4) == 0 || strncmp(l, "peer", 4) == 0)) ||
                              (w == 8 && strncmp(l, "refclock", 8) == 0);
                if (source && *arg) {
                        if (!h->chrony_source)
                                h->chrony_source = xasprintf("%s:%u %.*s %.200s", path, line, (int)w, l, arg);
                        h->chrony_sources++;
                } else if (dirs &&
                           ((w == 9 && strncmp(l, "sourcedir", 9) == 0) || (w == 7 && strncmp(l, "confdir", 7) == 0)) &&
                           *arg == '/' && *n_dirs < 8) {
                        *dirs = xrealloc(*dirs, (*n_dirs + 1) * sizeof(char *));
                        (*dirs)[(*n_dirs)++] = xasprintf("%c%s", l[0], arg); /* 's' or 'c' tags the kind */
                }
        }
        free(buf);
}

static void collect_chrony(const struct rootfs *root, const struct proc_table *procs, struct host_facts *h)
{
        h->chronyd_pid = running(procs, "chronyd");
        h->chronyd_enabled = unit_enabled(root, "chronyd.service");
        if (!h->chronyd_enabled)
                h->chronyd_enabled = unit_enabled(root, "chrony.service");
        h->timesyncd_enabled = unit_enabled(root, "systemd-timesyncd.service");
        static const char *const confs[] = {"/etc/chrony.conf", "/etc/chrony/chrony.conf"};
        char **dirs = NULL;
        size_t n_dirs = 0;
        for (size_t i = 0; i < ARRAY_SIZE(confs) && !h->chrony_conf; i++) {
                struct stat st;
                if (rootfs_stat(root, confs[i], &st) < 0)
                        continue;
                h->chrony_conf = xstrdup(confs[i]);
                chrony_file(root, confs[i], h, &dirs, &n_dirs);
        }
        /* sourcedir holds *.sources, confdir *.conf (chrony.conf(5)). */
        for (size_t d = 0; d < n_dirs; d++) {
                const char *suffix = dirs[d][0] == 's' ? ".sources" : ".conf";
                char **names = NULL;
                size_t n = 0;
                if (rootfs_list_dir(root, dirs[d] + 1, CHRONY_MAX_DIR_FILES, &names, &n) == 0) {
                        for (size_t i = 0; i < n; i++) {
                                if (!str_endswith(names[i], suffix))
                                        continue;
                                char *p = path_join(dirs[d] + 1, names[i]);
                                chrony_file(root, p, h, NULL, NULL);
                                free(p);
                        }
                        strv_free(names, n);
                }
        }
        if (dirs)
                strv_free(dirs, n_dirs);
}

static void journal_file(const struct rootfs *root, const char *path, struct host_facts *h, struct strbuf *bad)
{
        struct stat st;
        if (rootfs_stat(root, path, &st) < 0 || !S_ISREG(st.st_mode))
                return;
        h->journal_files++;
        if (!(st.st_mode & 0007))
                return;
        if (h->n_journal_open++ < 5)
                sb_printf(bad, "%s%s mode %04o", bad->len ? "; " : "", path, (unsigned)(st.st_mode & 07777));
}

/* journald keeps /var/log/journal/MACHINE-ID/ *.journal: two levels. */
static void collect_journal(const struct rootfs *root, struct host_facts *h)
{
        journald_conf_collect(root, &h->journald);
        h->var_log_journal = is_dir(root, "/var/log/journal");
        if (!h->var_log_journal)
                return;
        struct strbuf bad = {0};
        char **top = NULL;
        size_t n = 0;
        int r = rootfs_list_dir(root, "/var/log/journal", HOSTSEC_MAX_JOURNAL_FILES, &top, &n);
        for (size_t i = 0; r == 0 && i < n; i++) {
                char *p = path_join("/var/log/journal", top[i]);
                if (is_dir(root, p)) {
                        char **sub = NULL;
                        size_t m = 0;
                        r = rootfs_list_dir(root, p, HOSTSEC_MAX_JOURNAL_FILES, &sub, &m);
                        for (size_t k = 0; r == 0 && k < m && h->journal_files < HOSTSEC_MAX_JOURNAL_FILES; k++) {
                                char *q = path_join(p, sub[k]);
                                journal_file(root, q, h, &bad);
                                free(q);
                        }
                        if (r == 0)
                                strv_free(sub, m);
                        if (r < 0)
                                h->journal_error = xasprintf("%s: %s", p, rootfs_strerror(r));
                } else {
                        journal_file(root, p, h, &bad);
                }
                free(p);
        }
        if (r == 0)
                strv_free(top, n);
        else if (!h->journal_error)
                h->journal_error = xasprintf("/var/log/journal: %s", rootfs_strerror(r));
        h->journal_open = bad.len ? sb_steal(&bad) : NULL;
        sb_free(&bad);
}

static void want(struct host_facts *h, const char *path)
{
        for (size_t i = 0; i < h->n_audit_want; i++)
                if (strcmp(h->audit_want[i], path) == 0)
                        return;
        h->audit_want = xrealloc(h->audit_want, (h->n_audit_want + 2) * sizeof(char *));
        h->audit_want[h->n_audit_want++] = xstrdup(path);
        h->audit_want[h->n_audit_want] = NULL;
}

/* The first of @paths the node has is wanted; with none, the first is named absent. */
static void want_first(const struct rootfs *root, const char *const *paths, size_t n, struct host_facts *h)
{
        for (size_t i = 0; i < n; i++)
                if (paths[i] && exists(root, paths[i])) {
                        want(h, paths[i]);
                        return;
                }
        if (!paths[0])
                return;
        h->audit_absent = xrealloc(h->audit_absent, (h->n_audit_absent + 1) * sizeof(char *));
        h->audit_absent[h->n_audit_absent++] = xstrdup(paths[0]);
}

/* What an auditor of a worker node asks to see written: the kubelet binary and
 * configuration, containerd's configuration and socket directory, /etc/kubernetes, and the
 * runtime binaries (CIS Docker 1.1.14 containerd and 1.1.18 runc) where the node has them.
 * runc: /usr/sbin/runc first, the binary EKS's nodeadm configures containerd to run on AL2023
 * (amazon-eks-ami nodeadm/internal/containerd, defaultRuntimeBinaryName) and where Debian's
 * and Ubuntu's package installs it; then /usr/bin/runc, and /usr/local/sbin/runc as
 * containerd's getting-started guide installs the release binary on kubeadm nodes.
 * containerd: /usr/bin (AL2, AL2023, the distributions' packages), then /usr/local/bin (the
 * release tarball). Paths the node does not have are left out (and named in the evidence). */
static void audit_default_watches(const struct rootfs *root, const struct hostsec_opts *o, struct host_facts *h)
{
        const char *kubelet = o->kubelet_binary && o->kubelet_binary[0] == '/' ? o->kubelet_binary : "/usr/bin/kubelet";
        const char *const one[] = {kubelet, o->kubelet_config, "/etc/kubernetes", "/etc/containerd/config.toml",
                                   "/run/containerd"};
        for (size_t i = 0; i < ARRAY_SIZE(one); i++)
                want_first(root, &one[i], 1, h);
        static const char *const containerd[] = {"/usr/bin/containerd", "/usr/local/bin/containerd"};
        static const char *const runc[] = {"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc",
                                           "/usr/local/bin/runc"};
        want_first(root, containerd, ARRAY_SIZE(containerd), h);
        want_first(root, runc, ARRAY_SIZE(runc), h);
}

static void collect_auditd(const struct rootfs *root, const struct proc_table *procs, const struct hostsec_opts *o,
                           struct host_facts *h)
{
        h->auditd_pid = running(procs, "auditd");
        h->auditd_enabled = unit_enabled(root, "auditd.service");
        h->auditd_installed = h->auditd_pid || h->auditd_enabled || exists(root, "/usr/sbin/auditd") ||
                              exists(root, "/sbin/auditd") || exists(root, "/usr/lib/systemd/system/auditd.service");
        audit_rules_collect(root, &h->audit);
        if (o && o->audit_watch) {
                for (size_t i = 0; i < o->n_audit_watch; i++)
                        want(h, o->audit_watch[i]);
                h->audit_want_from = xasprintf("--audit-watch %s", o->audit_watch_from ? o->audit_watch_from : "");
        } else {
                audit_default_watches(root, o ? o : &(struct hostsec_opts){0}, h);
                h->audit_want_from = xstrdup("default");
        }
}

void hostsec_collect(const struct rootfs *root, const struct rootfs *proc, const struct proc_table *procs,
                     const struct hostsec_opts *o, struct host_facts *h)
{
        memset(h, 0, sizeof(*h));
        h->sys_live = is_dir(root, "/sys/kernel") || is_dir(root, "/sys/fs");
        collect_sysctls(root, proc, h);
        collect_modules(root, proc, h);
        collect_selinux(root, h);
        collect_lockdown(root, h);
        collect_verity(root, proc, h);
        collect_chrony(root, procs, h);
        collect_journal(root, h);
        collect_auditd(root, procs, o, h);
}

const struct host_sysctl *hostsec_sysctl(const struct host_facts *h, const char *name)
{
        for (size_t i = 0; i < h->n_sysctls; i++)
                if (strcmp(h->sysctls[i].name, name) == 0)
                        return &h->sysctls[i];
        return NULL;
}

void host_facts_free(struct host_facts *h)
{
        if (!h)
                return;
        for (size_t i = 0; i < h->n_sysctls; i++)
                free(h->sysctls[i].live);
        free(h->sysctls);
        sysctl_boot_free(&h->boot);
        free(h->selinux_config_origin);
        free(h->selinux_type);
        free(h->lockdown);
        free(h->cmdline);
        free(h->dm0_name);
        free(h->chronyd_enabled);
        free(h->chrony_conf);
        free(h->chrony_source);
        free(h->timesyncd_enabled);
        modprobe_conf_free(&h->modprobe);
        free(h->proc_modules);
        journald_conf_free(&h->journald);
        free(h->journal_open);
        free(h->journal_error);
        free(h->auditd_enabled);
        audit_rules_free(&h->audit);
        if (h->audit_want)
                strv_free(h->audit_want, h->n_audit_want);
        free(h->audit_want_from);
        if (h->audit_absent)
                strv_free(h->audit_absent, h->n_audit_absent);
        memset(h, 0, sizeof(*h));
}

/* An absolute path without blanks or a ".." component. */
static bool audit_watch_valid(const char *l)
{
        return l[0] == '/' && strlen(l) <= 4095 && !strstr(l, "/../") && !str_endswith(l, "/..") && !strpbrk(l, " \t");
}

int audit_watch_load_file(const char *path, char ***v, size_t *n, char **ret_err)
{
        static const struct oplist_spec spec = {
                .cap = AUDIT_WATCH_FILE_CAP,
                .max = AUDIT_WATCH_MAX,
                .valid = audit_watch_valid,
                .expected = "an absolute path (e.g. /usr/bin/kubelet)",
        };
        return oplist_load_file(path, &spec, v, n, ret_err);
}
