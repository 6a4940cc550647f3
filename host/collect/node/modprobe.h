/* modprobe: what modprobe would do for a kernel module (install commands and blacklists in modprobe.d), and whether the kernel has it loaded. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base/rootfs.h"

#define MODPROBE_D_FILE_CAP (256u * 1024u)
#define MODPROBE_MAX_RULES 4096u
#define PROC_MODULES_CAP (1024u * 1024u)

enum modprobe_kind {
        MODPROBE_INSTALL,
        MODPROBE_BLACKLIST
};

struct modprobe_rule {
        enum modprobe_kind kind;
        char *module;  /* as kmod stores it: "-" turned to "_" outside brackets; may be a glob (install) */
        char *command; /* install: the shell command, trimmed; NULL for blacklist */
        char *file;    /* host path of the file that says it */
        unsigned line; /* the first line of a continued line */
};

struct modprobe_conf {
        struct modprobe_rule *v; /* in the order kmod reads them */
        size_t n;
        char **files; /* read, in order */
        size_t n_files;
        char *error; /* a file that could not be read: "PATH: reason" (the first) */
};

/* Append the install and blacklist lines of one modprobe.d file to @acc (modprobe.d(5): "#"
 * comments, a trailing "\" continues a line, other keywords ignored). */
void modprobe_conf_parse(const char *buf, size_t len, const char *file, struct modprobe_conf *acc);

/* Read /etc/modprobe.d, /run/modprobe.d, /usr/local/lib/modprobe.d, /usr/lib/modprobe.d and
 * /lib/modprobe.d (*.conf; a name in an earlier directory hides it in later ones; files read
 * sorted by name), as kmod's modprobe does (libkmod.c default_config_paths, kmod 29 and later). */
void modprobe_conf_collect(const struct rootfs *root, struct modprobe_conf *ret);

/* The install command modprobe runs instead of loading @module: kmod takes the first install
 * line whose (glob) name matches. NULL: modprobe loads the module. */
const struct modprobe_rule *modprobe_install_for(const struct modprobe_conf *c, const char *module);
/* The first blacklist line naming @module, or NULL. */
const struct modprobe_rule *modprobe_blacklist_for(const struct modprobe_conf *c, const char *module);
/* Whether an install command only exits (true or false): the module is never loaded. */
bool modprobe_command_refuses(const char *command);

/* Whether the kernel command line's @param ("module_blacklist", which the kernel enforces on every
 * load, or "modprobe.blacklist", which kmod adds to its blacklist) lists @module in its comma list. */
bool cmdline_lists_module(const char *cmdline, const char *param, const char *module);

/* Whether /proc/modules text lists @module as loaded (its first field; "-" and "_" alike). */
bool proc_modules_lists(const char *text, size_t len, const char *module);

void modprobe_conf_free(struct modprobe_conf *c);
