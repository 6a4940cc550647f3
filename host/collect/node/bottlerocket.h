/* bottlerocket: what makes a Bottlerocket node itself: its settings datastore and its host containers. */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/proc.h"
#include "base/rootfs.h"
#include "collect/sshd/sshd_config.h"

/* Where the API server keeps settings: one file per key, each holding a JSON value
 * (sources/api/datastore/src/filesystem.rs); "current" links to the versioned store. */
#define BR_DATASTORE_DIR "/var/lib/bottlerocket/datastore"
#define BR_DATASTORE BR_DATASTORE_DIR "/current/live"
/* Every datastore value and user-data blob is small; a larger one is refused. */
#define BR_VALUE_CAP (64u * 1024u)
/* Where host-containers writes each container's decoded user-data (persistent storage). */
#define BR_HOST_CONTAINERS "/local/host-containers"

/* A tri-state setting: what the datastore says, or that it says nothing. */
enum br_tri {
        BR_UNSET = -1,
        BR_FALSE = 0,
        BR_TRUE = 1
};

/* What an admin container's user-data lets in over SSH: counts and kinds, never keys. */
struct br_ssh_access {
        bool parsed;              /* user-data was present and decoded to a JSON object */
        char *error;              /* why it could not be read or decoded */
        const char *from;         /* "datastore" or "persistent storage" */
        size_t n_authorized_keys; /* ssh.authorized-keys (or authorized_keys) entries */
        size_t n_trusted_ca_keys; /* ssh.trusted-user-ca-keys entries */
        bool keys_command;        /* ssh.authorized-keys-command is set */
        char *keys_command_user;  /* ssh.authorized-keys-command-user (an account name) */
        bool password_hash;       /* a password-hash for the serial console is set */
        char *user;               /* the login account ("user", default ec2-user) */
};

struct br_container {
        enum br_tri enabled;
        enum br_tri superpowered;
        char *source;       /* the image reference (not secret) */
        bool has_user_data; /* settings.host-containers.NAME.user-data is set */
};

/* The admin container's own sshd, seen from the host's process table. */
struct br_admin_sshd {
        pid_t pid;              /* 0: none found */
        char *root_error;       /* its PROC/PID/root could not be opened */
        struct sshd_config cfg; /* resolved inside the container's root */
};

struct br_kube_settings {
        enum br_tri standalone_mode;
        char *authentication_mode; /* "aws", "tls" */
        enum br_tri server_tls_bootstrap;
        char *cluster_name;
        bool has_api_server;
};

struct br_facts {
        bool is_bottlerocket; /* os-release ID=bottlerocket, or no os-release and a settings datastore */
        char *detected_by;    /* how: "os-release ID=bottlerocket in PATH" or "its settings datastore ..." */
        char *variant;        /* VARIANT_ID, e.g. aws-k8s-1.31; NULL when detected by the datastore */
        char *version;        /* VERSION_ID, else the datastore's version */
        bool datastore_found;
        char *datastore_error; /* the datastore exists but a value could not be read */
        struct br_container admin, control;
        struct br_ssh_access admin_ssh;
        struct br_admin_sshd admin_sshd;
        struct br_kube_settings kube;
};

/* os-release of @root names Bottlerocket, or @root has no os-release but Bottlerocket's settings
 * datastore: fills is_bottlerocket, detected_by, variant and version only. */
void bottlerocket_detect(const struct rootfs *root, struct br_facts *ret);

/* Read the settings and the admin container's sshd (through PROC/PID/root). Never
 * fails for host reasons: they land in the facts. Call after bottlerocket_detect(). */
void bottlerocket_collect(const struct rootfs *root, const struct rootfs *proc, const struct proc_table *procs,
                          struct br_facts *f);
void bottlerocket_facts_free(struct br_facts *f);

/* Where /etc/kubernetes/kubelet/config is not rendered (yet), the settings are what
 * the kubelet will get: the fields nodeward's checks read, rendered from the datastore
 * as the kubelet-config template of packages/kubernetes-1.30 renders them. -ENOENT:
 * not Bottlerocket, or no kubernetes settings under the root. */
#define BR_SETTINGS_ORIGIN "settings.kubernetes (Bottlerocket datastore; the config file is not rendered)"
int bottlerocket_kubelet_from_settings(const struct rootfs *root, cJSON **ret_doc);

/* Parsers, exposed for tests and the fuzz harness. */

/* The version in a datastore directory name ("v1.20.3_5c2b6e1a" -> "1.20.3", "v1.20" -> "1.20"), or NULL. */
char *br_datastore_version(const char *target);
/* Percent-encode one key segment as the datastore names its files ([A-Za-z0-9_-] kept). */
char *br_encode_segment(const char *seg);
/* A datastore value (JSON text) as a boolean / a string; -EINVAL when it is neither. */
int br_value_bool(const char *json, size_t len, bool *ret);
int br_value_string(const char *json, size_t len, char **ret);
/* Strict RFC 4648 base64 (padding optional, whitespace ignored); -EINVAL on any other byte. */
int br_base64_decode(const char *in, size_t len, char **ret_buf, size_t *ret_len);
/* Judge decoded admin user-data (JSON) into @ret without keeping any key. */
int br_parse_admin_user_data(const char *json, size_t len, struct br_ssh_access *ret);
void br_ssh_access_free(struct br_ssh_access *a);
