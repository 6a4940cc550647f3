/* hostsec: the host hardening under the kubelet: kernel settings live and at boot, kernel modules, SELinux, lockdown, dm-verity, time sync, journald, auditd. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "collect/node/audit_rules.h"
#include "collect/node/journald_conf.h"
#include "collect/node/modprobe.h"
#include "base/proc.h"
#include "base/rootfs.h"
#include "collect/node/sysctl_d.h"

#define HOSTSEC_MAX_JOURNAL_FILES 10000u
#define AUDIT_WATCH_FILE_CAP (256u * 1024u)
#define AUDIT_WATCH_MAX 1024u

/* One kernel setting: what the kernel says now and what the boot files set. */
struct host_sysctl {
        const char *name;
        char *live; /* NULL when unreadable: live_err */
        int live_err;
        const struct sysctl_assign *boot; /* the winning boot assignment (into host_facts.boot), or NULL */
};

enum selinux_mode {
        SELINUX_UNKNOWN,
        SELINUX_DISABLED,
        SELINUX_PERMISSIVE,
        SELINUX_ENFORCING
};

struct host_facts {
        bool sys_live; /* ROOT/sys has a kernel/ or fs/ directory: absent files there mean absent features */
        struct sysctl_boot boot;
        struct host_sysctl *sysctls;
        size_t n_sysctls;

        enum selinux_mode selinux_live;   /* from sys/fs/selinux/enforce; UNKNOWN when !sys_live */
        enum selinux_mode selinux_config; /* SELINUX= in /etc/selinux/config; UNKNOWN without one */
        char *selinux_config_origin;      /* "FILE:LINE" */
        char *selinux_type;               /* SELINUXTYPE= */

        char *lockdown; /* the bracketed mode in sys/kernel/security/lockdown, NULL when unreadable */
        int lockdown_err;

        char *cmdline;  /* PROC/cmdline, NULL when unreadable */
        char *dm0_name; /* sys/block/dm-0/dm/name, NULL when absent */

        pid_t chronyd_pid;     /* 0: not in the process table */
        char *chronyd_enabled; /* the .wants/ link that enables chronyd.service, NULL when none */
        char *chrony_conf;     /* the config read, NULL when none */
        char *chrony_source;   /* "FILE:LINE server|pool NAME" of the first time source */
        size_t chrony_sources;
        char *timesyncd_enabled;

        struct modprobe_conf modprobe;
        char *proc_modules; /* PROC/modules, NULL when unreadable: proc_modules_err */
        size_t proc_modules_len;
        int proc_modules_err;

        struct journald_conf journald;
        bool var_log_journal; /* /var/log/journal is a directory */
        size_t journal_files;
        char *journal_open; /* files readable by others: "PATH mode 0644; ..." (first few) */
        size_t n_journal_open;
        char *journal_error;

        pid_t auditd_pid;
        char *auditd_enabled;
        bool auditd_installed; /* an auditd binary or unit is on the root */
        struct audit_rules audit;
        char **audit_want; /* the paths that should be watched */
        size_t n_audit_want;
        char *audit_want_from; /* "--audit-watch FILE" or "default" */
        char **audit_absent;   /* default paths left out because the node has no such file */
        size_t n_audit_absent;
};

struct hostsec_opts {
        char *const *audit_watch; /* operator's list; NULL: the default set */
        size_t n_audit_watch;
        const char *audit_watch_from;
        const char *kubelet_binary; /* from the kubelet's command line, NULL when unknown */
        const char *kubelet_config; /* --config, host path */
};

/* The settings read, in report order. */
extern const char *const hostsec_sysctl_names[];
extern const size_t hostsec_sysctl_names_len;

void hostsec_collect(const struct rootfs *root, const struct rootfs *proc, const struct proc_table *procs,
                     const struct hostsec_opts *o, struct host_facts *ret);
const struct host_sysctl *hostsec_sysctl(const struct host_facts *h, const char *name);
void host_facts_free(struct host_facts *h);

/* The operator's watch list (--audit-watch FILE): one absolute path per line, "#" comments. */
int audit_watch_load_file(const char *path, char ***v, size_t *n, char **ret_err);
