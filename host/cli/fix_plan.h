/* fix_plan: the files `nodeward fix` plans, and the proof that runs on a copy of the node's files (fix_proof.c). */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "check.h"
#include "engine.h"
#include "cli/fix.h"
#include "base/rootfs.h"
#include "base/util.h"

struct facts;

#define FIX_MAX_FILES 512
#define FIX_FILE_CAP (1u << 20)

struct planned {
        char *path;    /* where it goes on the node */
        char *content; /* the whole file */
        mode_t mode;
};

struct plan {
        struct planned files[2];
        size_t n_files;
        struct strbuf manual; /* what no drop-in can do, one "  id: text" line each */
        bool *handled;        /* by catalog index: in a planned file or on the manual list */
};

static inline bool fix_failed(const struct result *r)
{
        return r->status == ST_FAIL || r->status == ST_WARN;
}

/* Not passing: failed, or not evaluated (a check that errors is not fixed). */
static inline bool fix_not_ok(const struct result *r)
{
        return fix_failed(r) || r->status == ST_ERROR;
}

/* @path (absolute on the node) placed under @dir, or NULL for a path with "." or
 * ".." components. */
char *fix_under(const char *dir, const char *path);
/* Create @path (inside a directory of ours) and its directories, with @buf. */
int fix_write_new_file(const char *path, const char *buf, size_t len, mode_t mode);
/* Collect what the checks of @sel need under @root and run them; -EINVAL (said on
 * stderr) when the root cannot be read. */
int fix_collect_and_run(const char *root, const char *proc, const bool *sel, struct facts *f, struct run *run);
/* Re-resolve a copy of the node's files with @p's added, running the checks of
 * @sel; print each before -> after. Returns how many of them still fail or cannot
 * be evaluated, or -errno. */
int fix_prove(const struct fix_opts *o, const struct rootfs *root, const struct facts *f, const struct plan *p,
              const bool *sel, const struct run *before, FILE *out);
