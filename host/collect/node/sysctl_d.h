/* sysctl_d: the kernel settings a node applies at boot, from sysctl.d files in systemd-sysctl's order. */
#pragma once

#include <stddef.h>

#include "base/rootfs.h"

#define SYSCTL_D_FILE_CAP (256u * 1024u)
#define SYSCTL_D_MAX_ASSIGNS 65536u

struct sysctl_assign {
        char *name;  /* dotted ("net.ipv4.conf.all.rp_filter"); may be a glob ("net.ipv4.conf.*.rp_filter") */
        char *value; /* trimmed, inner whitespace as written */
        char *file;  /* host path of the file that says it */
        unsigned line;
};

struct sysctl_boot {
        struct sysctl_assign *v; /* in the order they are applied: a later one wins */
        size_t n;
        char **files; /* read, in order */
        size_t n_files;
        char *error; /* a file that could not be read: "PATH: reason" (the first) */
};

/* Append the assignments in one file's text to @acc (sysctl.d(5): "#" and ";"
 * comments, "KEY = VALUE", a leading "-" on KEY, "/" or "." separators). Lines
 * that are not assignments are ignored as systemd-sysctl ignores them. */
void sysctl_d_parse(const char *buf, size_t len, const char *file, struct sysctl_boot *acc);

/* Read /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d and
 * /lib/sysctl.d (*.conf; a name in an earlier directory hides it in later ones;
 * files applied sorted by name), then /etc/sysctl.conf, as procps' sysctl --system does. */
void sysctl_boot_collect(const struct rootfs *root, struct sysctl_boot *ret);

/* The assignment that sets @name last at boot (exact name or a glob matching it), or NULL. */
const struct sysctl_assign *sysctl_boot_find(const struct sysctl_boot *b, const char *name);

/* Whitespace-insensitive comparison of two sysctl values ("4096\t20480" == "4096 20480"). */
int sysctl_value_equal(const char *a, const char *b);

void sysctl_boot_free(struct sysctl_boot *b);
