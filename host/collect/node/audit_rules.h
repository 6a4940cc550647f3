/* audit_rules: the file watches an audit rule set loads, read from auditctl(8) rule files under the root. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base/rootfs.h"

#define AUDIT_RULES_FILE_CAP (1024u * 1024u)
#define AUDIT_RULES_MAX_WATCHES 65536u

struct audit_watch {
        char *path;    /* no trailing slash */
        char perms[5]; /* of "rwxa"; "rwxa" when the rule names none (auditctl's default) */
        bool subtree;  /* -w or -F dir=: the path and everything below it; -F path=: that path only */
        bool dead;     /* an earlier "never,exit" rule on every syscall matches first */
        char *file;
        unsigned line;
};

struct audit_rules {
        struct audit_watch *v;
        size_t n, cap;
        char **files; /* read, in load order */
        size_t n_files;
        char *never_all; /* "FILE:LINE" of a rule that drops every syscall event, NULL without one */
        int enabled;     /* the last -e value; -1 when none is given */
        bool augenrules; /* rules.d mode: augenrules hoists -D (and -b, -f) above every rule */
        char *error;     /* the first file that could not be read: "PATH: reason" */
};

/* Apply one rule file's text to @acc in load order: -D clears what came before
 * (unless @acc->augenrules: augenrules(8) moves -D to the top of what it loads),
 * -W removes a watch, -w/-p and -a/-A with -F path=/dir=/perm= add watches. */
void audit_rules_parse(const char *buf, size_t len, const char *file, struct audit_rules *acc);

/* augenrules' /etc/audit/rules.d/ *.rules (sorted by name) when there are any, else /etc/audit/audit.rules. */
void audit_rules_collect(const struct rootfs *root, struct audit_rules *ret);

/* The live watch that reports writes and attribute changes to @path, or NULL. */
const struct audit_watch *audit_rules_covering(const struct audit_rules *a, const char *path);

void audit_rules_free(struct audit_rules *a);
