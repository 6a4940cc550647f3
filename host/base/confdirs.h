/* confdirs: the files of a systemd-style configuration directory set, in the order systemd applies them. */
#pragma once

#include <stddef.h>

#include "base/rootfs.h"

#define CONFDIRS_MAX_FILES 1024u

/* The files ending in @suffix in @dirs (highest precedence first): a name in an
 * earlier directory hides the same name in later ones, a file linked to
 * /dev/null masks it, and the result is sorted by file name (systemd's
 * conf_files_list(), as sysctl.d(5) and journald.conf(5) describe). Missing
 * directories are skipped. *ret_paths are host paths ("/etc/sysctl.d/99-x.conf").
 * -E2BIG beyond CONFDIRS_MAX_FILES. */
int confdirs_list(const struct rootfs *root, const char *const *dirs, size_t n_dirs, const char *suffix,
                  char ***ret_paths, size_t *ret_n);
