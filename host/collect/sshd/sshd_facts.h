/* sshd_facts: what the ssh checks see: the resolved config plus host keys, authorized keys and the service. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>

#include "base/proc.h"
#include "base/rootfs.h"
#include "collect/sshd/sshd_config.h"

struct sshd_keyfile {
        char *path; /* host path */
        int err;    /* 0, or -errno from stat */
        struct stat st;
};

struct sshd_facts {
        struct sshd_config cfg;
        struct sshd_keyfile *host_keys; /* private host keys (only stat'ed, never read) */
        size_t n_host_keys;
        struct sshd_keyfile *authorized_keys; /* ~/.ssh/authorized_keys* of accounts in /etc/passwd */
        size_t n_authorized_keys;
        char **account_of;           /* the account each authorized_keys file belongs to */
        char *authorized_keys_error; /* why they could not all be looked for, or NULL */
        pid_t running_pid;           /* 0 when no sshd runs */
        char **enabled_units;        /* wants/ symlinks that enable ssh.service or sshd.service */
        size_t n_enabled_units;
};

/* sshd's effective configuration and running process; unless @config_only, also its
 * host keys, the accounts' authorized_keys files and the units that enable it. */
void sshd_collect(const struct rootfs *root, const struct proc_table *procs, bool config_only, struct sshd_facts *ret);
void sshd_facts_free(struct sshd_facts *f);
