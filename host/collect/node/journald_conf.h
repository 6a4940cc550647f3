/* journald_conf: where journald keeps the journal (Storage=), from journald.conf and its drop-ins under the root. */
#pragma once

#include <stddef.h>

#include "base/rootfs.h"

#define JOURNALD_CONF_CAP (256u * 1024u)

struct journald_conf {
        char *storage; /* the last Storage= in [Journal], NULL when no file sets it (journald's default: auto) */
        char *origin;  /* "FILE:LINE" of that assignment */
        char **files;  /* read, in order */
        size_t n_files;
        char *error; /* the first file that could not be read */
};

/* Apply one file's text: only [Journal] counts; "#" and ";" start comments; a
 * later Storage= replaces an earlier one; an empty value resets to the default. */
void journald_conf_parse(const char *buf, size_t len, const char *file, struct journald_conf *acc);

/* The main file (the first of /etc/systemd, /run/systemd, /usr/local/lib/systemd,
 * /usr/lib/systemd that has journald.conf), then journald.conf.d/ *.conf from the
 * same directories in systemd's order (journald.conf(5)). */
void journald_conf_collect(const struct rootfs *root, struct journald_conf *ret);
void journald_conf_free(struct journald_conf *c);
