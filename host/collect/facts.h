/* facts: everything collected from the node, the only input the checks see. */
#pragma once

#include <stdbool.h>

#include "collect/kubelet/apiserver.h"
#include "collect/node/bottlerocket.h"
#include "collect/node/hostsec.h"
#include "collect/node/containerd.h"
#include "collect/probes/imds.h"
#include "collect/kubelet/kubelet.h"
#include "collect/kubelet/kubelet_files.h"
#include "collect/probes/kubelet_live.h"
#include "collect/kubelet/kubeproxy.h"
#include "collect/observe/observe.h"
#include "base/proc.h"
#include "base/rootfs.h"
#include "collect/sshd/sshd_facts.h"
#include "collect/net/sockets.h"
#include "collect/node/sysctl.h"

/* What a check needs collected; collectors for unneeded facts never run. */
enum {
        FACT_NODE = 1u << 0,
        FACT_PROCS = 1u << 1,
        FACT_KUBELET = 1u << 2,
        FACT_SSHD = 1u << 3,
        FACT_SOCKETS = 1u << 4,       /* listeners with their first owner, and node addresses */
        FACT_KUBELET_FILES = 1u << 5, /* kubelet.service and its drop-ins, stat'ed */
        FACT_SYSCTL = 1u << 6,        /* the kernel settings protectKernelDefaults needs, from PROC/sys */
        FACT_KUBE_PROXY = 1u << 7,    /* kube-proxy's config and kubeconfig */
        /* Network probes: only runs that select these checks touch the network. */
        FACT_IMDS = 1u << 8,          /* the metadata service from the node */
        FACT_POD_IMDS = 1u << 9,      /* the metadata service from a pod's namespace */
        FACT_POD_SSH = 1u << 10,      /* node SSH from a pod's namespace */
        FACT_APISERVER = 1u << 11,    /* the kubelet's API server endpoint, resolved */
        FACT_KUBELET_LIVE = 1u << 12, /* the running kubelet's ports, from the node and a pod */
        /* Whose listeners a check names: only these owners are looked for (FACT_SOCKETS). */
        FACT_OWNERS_SSH = 1u << 13,      /* TCP on sshd's ports, and every listener of an sshd process */
        FACT_OWNERS_WILDCARD = 1u << 14, /* listeners on every address */
        FACT_OWNERS_KUBELET = 1u << 15,  /* TCP on the kubelet's API and read-only ports */
        FACT_HOST = 1u << 17,       /* host hardening: kernel settings live and at boot, SELinux, journald, auditd */
        FACT_CONTAINERD = 1u << 18, /* containerd's config, imports, hosts.toml and CRI socket */
        FACT_CONNWATCH = 1u << 16,  /* loads eBPF: only with --observe */
        /* Bottlerocket: settings datastore, host containers, the admin container's sshd. */
        FACT_BOTTLEROCKET = 1u << 24,
};
#define FACTS_OWNERS (FACT_OWNERS_SSH | FACT_OWNERS_WILDCARD | FACT_OWNERS_KUBELET)
/* Facts only a live node has: its sockets, network and kernel events. */
#define FACTS_LIVE \
        (FACT_SOCKETS | FACT_IMDS | FACT_POD_IMDS | FACT_POD_SSH | FACT_APISERVER | FACT_KUBELET_LIVE | FACT_CONNWATCH)
/* The facts that send packets or DNS queries. */
#define FACT_PROBES (FACT_IMDS | FACT_POD_IMDS | FACT_POD_SSH | FACT_APISERVER | FACT_KUBELET_LIVE)

/* What became of one fact (a FACT_* bit), as the checks see it: checks/gate.c maps
 * each bit to its status in one table and turns every status but FS_OK into the
 * same verdict for every check, so no two checks read a missing fact differently. */
enum fact_state {
        FS_OK,         /* collected, or nothing says it could not be */
        FS_ABSENT,     /* not there to read on this node (not EC2): a check that needs it skips */
        FS_UNREADABLE, /* the collector ran and could not read it: a check that needs it is an error */
        FS_NOT_LIVE,   /* a copied root has no live network: a check that needs it skips */
        FS_PROBES_OFF, /* the network probes were not sent: a check that needs them skips */
        FS_UNFINISHED, /* the run's deadline passed before its collector finished: an error */
};
struct fact_status {
        enum fact_state state;
        const char *what; /* the fact in words ("the process table"); NULL with FS_OK */
        const char *why;  /* the reason, borrowed from the facts; NULL with FS_OK */
};

struct node_info {
        char *hostname;
        char *name; /* the Kubernetes node name (NODE_NAME, from the pod spec), or NULL */
        char *kernel;
        char *os;
        char *os_id;         /* os-release ID ("amzn", "bottlerocket", "debian"), or NULL */
        char *os_version_id; /* os-release VERSION_ID ("2", "2023"), or NULL */
        /* From os-release on every run; the rest of it only with FACT_BOTTLEROCKET. */
        struct br_facts br;
};

/* One KEY=value of an os-release file (shell quotes removed), at most 256 bytes;
 * NULL if absent or longer. */
char *os_release_field(const char *buf, const char *key);

#define NODE_HOSTNAME_CAP 4096u /* ROOT/etc/hostname */
/* The host name an /etc/hostname text gives (comment lines skipped), or NULL when
 * it gives none (the running system's name is used then). */
char *node_hostname_parse(const char *buf);

struct facts {
        char *root_path;
        char *proc_path;
        unsigned collected; /* FACT_* bits */
        struct node_info node;
        struct proc_table procs;
        char *procs_error;
        struct kubelet_facts kubelet;
        struct sshd_facts sshd;
        struct imds_facts imds;
        struct apiserver_facts apiserver;
        struct klive_facts klive;
        struct sockets sockets;
        struct observe_facts observe;
        struct kubelet_unit_files kubelet_unit;
        struct sysctl_facts sysctl;
        struct kube_proxy_facts kube_proxy;
        struct host_facts host;
        char *privs_error; /* dropping capabilities after attaching failed (see privs.h) */
        /* Set when PROC is a copied process table (a bundled or archived root): why
         * no live fact was collected, since the network around nodeward is not the
         * root's. The checks that need one skip with this reason. */
        char *not_live;
        struct containerd_facts containerd;
        char *probes_off; /* why the network probes did not run (checks that need them skip) */
        /* The run's deadline passed with these collectors unfinished (FACT_* bits):
         * the checks that need one are errors saying why (@deadline_error). Such
         * facts share memory with the collector still running, so facts_free()
         * leaves them to the process's exit. */
        unsigned unfinished;
        char *deadline_error;
        /* Parts lent by a longer-lived owner (collect/session.h), which frees
         * them: FACT_CONNWATCH names observe, FACT_IMDS, FACT_POD_IMDS or
         * FACT_POD_SSH imds, FACT_KUBELET_LIVE klive. facts_free() skips them. */
        unsigned borrowed;
};

struct collect_opts {
        const char *root; /* default "/" */
        const char *proc; /* default ROOT/proc */
        unsigned needs;
        const char *pod_netns;                    /* --pod-netns */
        const char *netns;                        /* the node's network namespace; default PROC/1/ns/net */
        const struct netns_handles *sock_handles; /* opened earlier (watch); NULL: open now */
        const char *sock_netns_what;              /* which namespace they are in */
        int observe_seconds;                      /* 0: FACT_CONNWATCH is not collected (the checks skip) */
        bool verbose;                             /* libbpf's messages on stderr */
        char *const *audit_watch;                 /* --audit-watch FILE's paths; NULL: the default set */
        size_t n_audit_watch;
        const char *audit_watch_from;
        bool probe; /* --probe: network probes even when PROC is not a live procfs */
        /* explain sshd: when nothing but sshd needs the process table, the running sshd
         * comes from its pid file (sshd_running.h) and the table is read only when that
         * fails; FACT_PROCS is then not collected. */
        bool sshd_by_pid_file;
        /* explain sshd: the effective configuration only; no host or authorized key
         * files are looked for and no units read. */
        bool sshd_config_only;
        /* --deadline: after this many milliseconds (plus the --observe window) the
         * run goes on with what is collected; 0: no deadline, one thread. */
        unsigned deadline_ms;
};

/* Network policy enforcers (process names); each kills the "every pod reaches
 * every node port" default. The process table keeps their command lines. */
extern const char *const facts_policy_engines[];
extern const size_t facts_n_policy_engines;

/* Collect what @o->needs. Fails only when the root or proc directory cannot be
 * opened at all (the usage error the CLI reports); host problems become facts.
 * With a deadline the collectors run on a thread of their own; when it passes,
 * @ret holds the collectors that finished and names the rest in ->unfinished. */
int facts_collect(const struct collect_opts *o, struct facts *ret, char **ret_err);

/* The ports the eBPF probe watches for SSH: sshd's effective Port and ListenAddress
 * ports as the sshd area resolves them (none added when no configuration is known). */
void observe_ports_from_sshd(const struct sshd_facts *s, struct observe_opts *oo);
void facts_free(struct facts *f);

/* Is @proc a live procfs (the root is a running node, not a fixture)? */
bool proc_is_live(const struct rootfs *proc);
