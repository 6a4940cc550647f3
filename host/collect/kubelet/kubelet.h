/* kubelet: the kubelet's effective configuration, resolved as the kubelet itself does. */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "collect/kubelet/kubeconfig.h"
#include "base/proc.h"
#include "base/rootfs.h"

enum kfield {
        KF_ANONYMOUS_AUTH,
        KF_WEBHOOK_AUTHN,
        KF_AUTHZ_MODE,
        KF_CLIENT_CA_FILE,
        KF_READ_ONLY_PORT,
        KF_PORT,
        KF_STREAMING_IDLE_TIMEOUT,
        KF_PROTECT_KERNEL_DEFAULTS,
        KF_IPTABLES_UTIL_CHAINS,
        KF_EVENT_QPS,
        KF_ROTATE_CERTIFICATES,
        KF_SERVER_TLS_BOOTSTRAP,
        KF_FG_ROTATE_SERVER_CERT,
        KF_TLS_CIPHER_SUITES,
        KF_HOSTNAME_OVERRIDE,
        KF_KUBECONFIG,
        KF_POD_PIDS_LIMIT,
        KF_SECCOMP_DEFAULT,
        KF_TLS_CERT_FILE,
        KF_TLS_PRIVATE_KEY_FILE,
        KF__COUNT
};

enum ksource {
        KSRC_UNSET,
        KSRC_DEFAULT,
        KSRC_FILE,
        KSRC_DROPIN,
        KSRC_FLAG
};

enum ktype {
        KT_BOOL,
        KT_INT,
        KT_STRING,
        KT_DURATION,
        KT_STRINGLIST,
        KT_MAP_BOOL
};

/* When the kubelet's v1beta1 defaulting (SetDefaults_KubeletConfiguration) fills a
 * field of the --config file: pointer fields only when nil (absent or null), value
 * fields also when they hold Go's zero value, some never (Go's zero value stays). */
enum kdefault_rule {
        KDEF_IF_NIL,
        KDEF_IF_ZERO,
        KDEF_NONE,
        KDEF_FEATURE_GATE
};

struct kfield_def {
        enum kfield id;
        const char *path; /* in KubeletConfiguration; NULL for flag-only settings */
        const char *flag; /* without the dashes */
        enum ktype type;
        const char *cfg_default;  /* JSON text: default with --config (v1beta1); NULL: none */
        const char *flag_default; /* JSON text: default without --config */
        enum kdefault_rule rule;
};

/* Indexed by enum kfield; sized by its rows, so kubelet_flags.c can assert one per field. */
extern const struct kfield_def kfield_defs[];

struct kfield_value {
        cJSON *value; /* NULL: unset and no default */
        enum ksource source;
        char *origin;         /* e.g. "flag --read-only-port", "/etc/.../config.json", "config-file default" */
        char *shadowed;       /* what a lower layer said, e.g. "config file says 0"; NULL if nothing */
        char *error;          /* the value has the wrong type (the kubelet would refuse to start) */
        char *default_reason; /* source default: why ("absent", "zero value replaced", ...) */
};

struct kfile {
        char *path; /* host path */
        int err;    /* 0 or -errno from opening/reading it */
        struct stat st;
};

struct kubelet_facts {
        bool found;
        char *absent_reason; /* when !found */
        char *found_by;      /* "process 811 (/usr/bin/kubelet)", "systemd unit ...", "well-known path ..." */
        pid_t pid;
        char **argv; /* the command line used (argv[0] first) */
        size_t argc;
        bool has_config;
        struct kfile config; /* --config */
        char *config_dir;    /* --config-dir, NULL without it */
        struct kfile *dropins;
        size_t n_dropins;
        char *ignored_dropin_dir; /* exists next to the config but --config-dir is unset */
        char *dropin_note;        /* why --config-dir contributes nothing, e.g. it is a symlink */
        char *load_error;         /* first error loading config/drop-ins: "PATH:LINE:COL: reason" */
        char *flag_error;         /* a flag value the kubelet would reject */
        struct kfile kubeconfig;
        bool has_kubeconfig;
        char *bootstrap_kubeconfig; /* --bootstrap-kubeconfig as a host path, NULL without it */
        bool kc_parsed;             /* kc_auth holds what --kubeconfig's current context uses */
        struct kubeconfig_auth kc_auth;
        char *kc_error; /* reading or parsing --kubeconfig failed: "PATH: reason" */
        struct kfile client_ca;
        int client_ca_pem; /* 1: holds a PEM certificate, 0: does not, -1: not read */
        struct kfield_value f[KF__COUNT];
        cJSON *effective; /* file + drop-ins + flags, before defaults */
};

/* Find the kubelet (process, then systemd unit, then well-known paths) and resolve
 * its configuration. Never fails for host reasons: those land in the facts. */
void kubelet_collect(const struct rootfs *root, const struct rootfs *proc, const struct proc_table *procs,
                     struct kubelet_facts *ret);
void kubelet_facts_free(struct kubelet_facts *k);

/* Parse a Go duration ("4h0m0s", "90s", "1.5h") into milliseconds. */
int go_duration_ms(const char *s, long long *ret_ms);
/* The same in nanoseconds, truncated toward zero as Go's time.ParseDuration does. */
int go_duration_ns(const char *s, long long *ret_ns);

/* Parse a boolean as Go's strconv.ParseBool does. */
int go_parse_bool(const char *s, bool *ret);

/* Split a kubelet command line into (flag, value) pairs the way the kubelet's flag
 * parser reads it; exposed for tests. Returns the effective JSON layer of config
 * fields set by flags, and flag-only values in *ret_flag_only (object: flag -> value). */
int kubelet_flags_layer(char **argv, size_t argc, cJSON **ret_layer, cJSON **ret_flag_only, char **ret_err);

/* The kubelet's effective configuration and the origin of each checked field, as
 * `nodeward explain kubelet` prints it. */
cJSON *kubelet_explain_json(const struct kubelet_facts *k);
