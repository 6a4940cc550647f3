/* containerd: the effective registry trust and CRI settings of containerd, resolved as containerd resolves them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/rootfs.h"

#define CONTAINERD_CONFIG "/etc/containerd/config.toml"
#define CONTAINERD_SOCKET "/run/containerd/containerd.sock"
/* Where packages install containerd, then where its release tarball's instructions put it. */
#define CONTAINERD_BINARIES                                        \
        {                                                          \
                "/usr/bin/containerd", "/usr/local/bin/containerd" \
        }
#define CONTAINERD_MAX_FILES 64      /* config.toml and its imports */
#define CONTAINERD_MAX_HOST_DIRS 256 /* per config_path root */

/* Where a value came from: a file and line, or containerd's default (file NULL). */
struct ctrd_origin {
        char *file;
        unsigned line;
};

/* One place containerd may pull from: a mirror endpoint, a hosts.toml server or [host."..."]. */
struct ctrd_host {
        char *registry; /* the namespace it serves: "docker.io", "_default" (any), "*" (mirrors."*") */
        char *url;      /* as written, or with https:// added as containerd adds it */
        char *kind;     /* "mirror endpoint", "hosts.toml server", "hosts.toml host", "registry configs" */
        bool plain_http;
        int skip_verify;    /* -1 not set, 0 or 1 */
        char *capabilities; /* "pull,resolve" as written; NULL: all */
        bool has_ca;
        struct ctrd_origin origin;
};

struct ctrd_bool {
        bool value;
        bool set; /* false: containerd's default for the version */
        struct ctrd_origin origin;
};

struct containerd_facts {
        bool found;   /* config.toml exists under the root */
        char *error;  /* "FILE line N: reason": containerd would not start with this */
        char **files; /* config.toml, then imports in the order containerd loads them */
        size_t n_files;
        long version;
        int major;             /* the containerd major version whose import merge and defaults apply: 1 or 2 */
        char *semantics;       /* which major was assumed and from what: the installed binary or the config version */
        char *binary_path;     /* the first of CONTAINERD_BINARIES that exists; NULL: none */
        char *binary_version;  /* "v2.0.4": its version, from its Go build info; NULL: not read */
        char *binary_note;     /* why there is no binary_version, when the binary exists */
        bool deep_merge;       /* containerd 2.x merges imported plugin sections key by key */
        char *registry_plugin; /* the plugin id the registry section was read from */
        char *config_path;     /* registry.config_path, colon-separated roots; NULL when unset */
        struct ctrd_origin config_path_origin;
        struct ctrd_host *hosts;
        size_t n_hosts;
        char *ignored;   /* mirrors/configs present but ignored because config_path is set */
        char **warnings; /* e.g. a hosts.toml containerd cannot parse (it then ignores the file) */
        size_t n_warnings;
        char *sandbox_image;
        struct ctrd_origin sandbox_origin;
        struct ctrd_bool unpriv_ports, unpriv_icmp;
        char *socket_path;
        struct ctrd_origin socket_origin;
        bool socket_found;
        char *socket_error;
        mode_t socket_mode; /* full st_mode, lstat'ed */
        uid_t socket_uid;
        gid_t socket_gid;
};

void containerd_collect(const struct rootfs *root, struct containerd_facts *ret);
void containerd_facts_free(struct containerd_facts *c);

/* Add the hosts one hosts.toml declares for @registry. On a parse error, *ret_err says why
 * (containerd logs it and ignores the file) and nothing is added. Pure: for tests and fuzzing. */
int containerd_parse_hosts(const char *buf, size_t len, const char *file, const char *registry,
                           struct containerd_facts *c, char **ret_err);

/* The containerd version a Go binary's module text (go_buildinfo) records: the linker's
 * -X .../version.Version (as containerd's Makefile sets it), else the main module's version. */
char *containerd_version_from_modinfo(const char *modinfo);

/* "docker.io" from a certs.d directory name: "host_port_" is "host:port". */
char *containerd_registry_from_dir(const char *dir);

/* Does @host (a registry "host[:port]" or a URL) match one of @patterns (host[:port] globs)? */
bool containerd_registry_allowed(const char *host, char *const *patterns, size_t n);
/* The registry host of a URL or image reference ("docker.io" for a bare "nginx"). */
char *containerd_url_host(const char *url_or_ref);

/* The effective configuration as JSON (explain containerd); the caller deletes it. */
struct cJSON;
struct cJSON *containerd_explain_json(const struct containerd_facts *c);
