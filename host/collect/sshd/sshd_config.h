/* sshd_config: sshd's effective configuration, parsed and resolved exactly as OpenSSH 9.x sshd does. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/proc.h"
#include "base/rootfs.h"

/* The settings nodeward records (and prints, in `sshd -T` order). Keywords sshd knows
 * but nodeward does not record are still parsed (validated where cheap) and skipped. */
enum sshd_opt {
        SO_ADDRESS_FAMILY,
        SO_USE_PAM,
        SO_LOGIN_GRACE_TIME,
        SO_MAX_AUTH_TRIES,
        SO_MAX_SESSIONS,
        SO_CLIENT_ALIVE_INTERVAL,
        SO_CLIENT_ALIVE_COUNT_MAX,
        SO_PERMIT_ROOT_LOGIN,
        SO_IGNORE_RHOSTS,
        SO_HOSTBASED_AUTH,
        SO_PUBKEY_AUTH,
        SO_PASSWORD_AUTH,
        SO_KBD_INTERACTIVE_AUTH,
        SO_X11_FORWARDING,
        SO_STRICT_MODES,
        SO_PERMIT_EMPTY_PASSWORDS,
        SO_GATEWAY_PORTS,
        SO_ALLOW_TCP_FORWARDING,
        SO_ALLOW_AGENT_FORWARDING,
        SO_DISABLE_FORWARDING,
        SO_AUTHORIZED_KEYS_COMMAND,
        SO_AUTHORIZED_KEYS_COMMAND_USER,
        SO_LOG_LEVEL,
        SO_AUTHORIZED_KEYS_FILE,
        SO_ALLOW_USERS,
        SO_DENY_USERS,
        SO_ALLOW_GROUPS,
        SO_DENY_GROUPS,
        SO_PERMIT_TUNNEL,
        SO_PERMIT_USER_ENVIRONMENT,
        SO_HOST_KEY, /* not printed (sshd -T prints the keys it loaded) */
        SO__COUNT
};

/* Canonical values of the multi-state settings (sshd's own numbering where it matters). */
enum {
        SSHD_NO = 0,
        SSHD_YES = 1
};
enum {
        PRL_NO,
        PRL_WITHOUT_PASSWORD,
        PRL_FORCED_COMMANDS_ONLY,
        PRL_YES
};
enum {
        AF_ANY_,
        AF_INET_,
        AF_INET6_
};
enum {
        IRH_NO,
        IRH_YES,
        IRH_SHOSTS_ONLY
};
enum {
        GWP_NO,
        GWP_YES,
        GWP_CLIENTSPECIFIED
};
enum {
        FWD_NO,
        FWD_YES,
        FWD_LOCAL,
        FWD_REMOTE
};
enum {
        TUN_NO,
        TUN_POINTOPOINT,
        TUN_ETHERNET,
        TUN_YES
};
enum {
        LL_QUIET,
        LL_FATAL,
        LL_ERROR,
        LL_INFO,
        LL_VERBOSE,
        LL_DEBUG1,
        LL_DEBUG2,
        LL_DEBUG3
};

struct sshd_value {
        bool set;
        int num;     /* flags, multi-state values, integers, seconds */
        char *str;   /* strings; PermitUserEnvironment's pattern list */
        char **list; /* lists (access lists, AuthorizedKeysFile, HostKey) */
        size_t n, cap;
        const char *file; /* where it was set (owned by sshd_config.files or "command-line") */
        unsigned line;
};

struct sshd_settings {
        struct sshd_value v[SO__COUNT];
};

/* One setting a Match block sets. */
struct sshd_match_setting {
        int opt; /* enum sshd_opt */
        struct sshd_value v;
};

/* A Match block: its criteria and what it sets (as if it applied). Only the settings
 * it sets are stored, so a file of many blocks costs memory in proportion to its
 * size, not to its blocks times every setting. */
struct sshd_match {
        char *criteria; /* the Match line's arguments as written */
        const char *file;
        unsigned line;
        struct sshd_match_setting *set; /* at most one per setting, in the order first set */
        size_t n_set;
};

struct sshd_listen {
        char addr[64]; /* numeric, without brackets, or the host name as written */
        int family;    /* AF_INET, AF_INET6, or 0 for an unresolved host name */
        int port;
};

struct sshd_file {
        char *path; /* host path (inside the root) */
        struct stat st;
};

struct sshd_config {
        const struct rootfs *root; /* not owned; set by the caller before parsing */
        bool found;                /* a config file was there to read */
        char *main_path;           /* the main file (host path) */
        pid_t pid;                 /* running sshd whose command line counted, 0 if none */
        char **argv;               /* its command line, as far as it counted */
        size_t argc;
        struct sshd_settings s;
        int ports[256];
        size_t n_ports;
        bool ports_from_cmdline;
        struct {
                char *addr;
                int port;
                unsigned line;
                const char *file;
        } * queued;
        size_t n_queued;
        struct sshd_listen *listen; /* after sshd_config_fill_defaults() */
        size_t n_listen;
        struct sshd_match *matches;
        size_t n_matches, cap_matches;
        struct sshd_file *files; /* every file read: the main file, then includes */
        size_t n_files;
        char **warnings; /* deprecated / unsupported keywords: "FILE line N: ..." */
        size_t n_warnings;
        char *error; /* what sshd would reject: "FILE line N: reason" (first one) */
};

/* Parse one config file (host path @path, read under @root) into @c, recording
 * only what the file says. Includes are followed through @root. Returns 0, or
 * -ENOENT when the file is missing, or -EINVAL with c->error set. */
int sshd_config_parse_file(struct sshd_config *c, const struct rootfs *root, const char *path);
/* Parse a string as file @name (tests, the fuzz harness). */
int sshd_config_parse_string(struct sshd_config *c, const struct rootfs *root, const char *name, const char *text);
/* One `-o Keyword=value` from the command line (file "command-line", line 0). */
int sshd_config_parse_option(struct sshd_config *c, const char *line);
/* `-p PORT`: overrides every Port line that follows (files included). */
int sshd_config_add_cmdline_port(struct sshd_config *c, const char *port);
/* Fill every unset setting with its default as Debian 12's `sshd -T` prints it for an
 * empty file, and expand listen addresses. -EINVAL with c->error set on an invalid result. */
int sshd_config_fill_defaults(struct sshd_config *c);

/* Is @e sshd's listening daemon: comm "sshd" and a command line that is not a
 * per-connection child's ("sshd: user [priv]", "sshd: user@pts/0")? */
bool sshd_proc_is_listener(const struct proc_entry *e);

/* Everything at once: find the running sshd in @procs, the listener with the lowest
 * pid (sshd_proc_is_listener(); its -f, -o and -p count),
 * read its config under @root (default /etc/ssh/sshd_config) and fill defaults.
 * Returns 0; c->found false when there is no config file; c->error when sshd would
 * refuse the configuration. @procs may be NULL. */
int sshd_config_load(struct sshd_config *c, const struct rootfs *root, const struct proc_table *procs);
void sshd_config_free(struct sshd_config *c);

/* What Match block @m sets @o to; NULL when the block does not set it. */
const struct sshd_value *sshd_match_value(const struct sshd_match *m, enum sshd_opt o);

/* `sshd -T`-style output of the resolved configuration. */
void sshd_config_dump(const struct sshd_config *c, FILE *out);
/* The canonical `sshd -T` text of one setting's value ("without-password", "120"). */
char *sshd_value_text(enum sshd_opt o, const struct sshd_value *v);
const char *sshd_opt_keyword(enum sshd_opt o);

/* The effective listening ports and addresses (after defaults), for other areas. */
size_t sshd_config_ports(const struct sshd_config *c, const int **ret_ports);
size_t sshd_config_listen(const struct sshd_config *c, const struct sshd_listen **ret);

/* Internal to the sshd_* files: the keyword table. */
enum sshd_kw_type {
        KW_FLAG,
        KW_MULTI,
        KW_INT,
        KW_TIME,
        KW_PORT,
        KW_LISTEN,
        KW_LOGLEVEL,
        KW_STRING,
        KW_ACCESS_LIST,
        KW_LIST_FIRST,
        KW_LIST_ACCUM,
        KW_RAW_COMMAND,
        KW_PERMIT_USER_ENV,
        KW_PERMIT_TUNNEL,
        KW_CONSUME,
        KW_DEPRECATED,
        KW_UNSUPPORTED,
        KW_IGNORE,
        KW_MATCH,
        KW_INCLUDE
};
#define KWF_MATCH 1u /* allowed inside a Match block */

struct sshd_multi {
        const char *name;
        int value;
};

struct sshd_keyword {
        const char *name;
        enum sshd_kw_type type;
        unsigned flags;
        int opt; /* enum sshd_opt, or -1 when nodeward does not record it */
        const struct sshd_multi *multi;
};

/* A keyword sshd accepts under another name (its flags may differ from the main one's). */
struct sshd_alias {
        const char *name;
        unsigned flags;
};

/* One recorded setting (sshd_keywords.c): how it is parsed and what it defaults to. */
struct sshd_opt_def {
        const char *name; /* the keyword sshd -T prints */
        enum sshd_kw_type type;
        unsigned flags;
        const struct sshd_multi *multi; /* value names, sshd -T's first (choices and flags) */
        int def;                        /* default of numbers and choices */
        const char *def_list[4];        /* default entries of a list setting */
        struct sshd_alias aliases[2];
        bool hidden; /* not printed by sshd -T */
};

/* Sized by its rows, so sshd_keywords.c can assert there is one per setting. */
extern const struct sshd_opt_def sshd_opt_defs[];

/* The keyword @name (case-insensitive, aliases included) into *@ret: 0, or -ENOENT
 * when sshd does not know it. */
int sshd_keyword_find(const char *name, struct sshd_keyword *ret);
const struct sshd_multi *sshd_multi_of(enum sshd_opt o);
