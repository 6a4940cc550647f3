/* sdunit: what command line a systemd service unit would start, read from its files under the root. */
#pragma once

#include <stddef.h>

#include "base/rootfs.h"

#define SDUNIT_MAX_DROPINS 1024

struct sdunit {
        char *path;     /* the unit file used (host path) */
        char **dropins; /* drop-ins applied, in order (host paths) */
        size_t n_dropins;
        char **argv; /* ExecStart after environment expansion */
        size_t argc;
        char *working_dir; /* WorkingDirectory=, NULL when unset */
        char **env_files;  /* EnvironmentFile= files read, in order (host paths) */
        size_t n_env_files;
        char **env_files_missing; /* EnvironmentFile=- entries that did not exist */
        size_t n_env_files_missing;
};

/* Load @name (e.g. "kubelet.service") as systemd would: the unit file from the
 * first of /etc, /run, /usr/lib, /lib systemd directories that has it, its
 * NAME.d/ *.conf drop-ins (same file name: the higher directory wins; applied
 * sorted by name), Environment= and EnvironmentFile= (which wins over
 * Environment=), and ExecStart= with $VAR (split) and ${VAR} (one word).
 * -ENOENT when no unit exists (or it is masked); other errors set *ret_err
 * (-ENOEXEC: the unit exists but systemd would not start it, e.g. no ExecStart=
 * or a required EnvironmentFile= missing). */
int sdunit_load(const struct rootfs *root, const char *name, struct sdunit *ret, char **ret_err);
void sdunit_free(struct sdunit *u);

/* The command line a unit body would run, with @env_text as the content of one
 * EnvironmentFile=; no files are read. For tests and fuzzing. */
int sdunit_exec_from_text(const char *unit_text, const char *env_text, char ***ret_argv, size_t *ret_argc);

/* systemd-style word splitting with quotes and backslash escapes. */
int sd_split_words(const char *s, char ***ret_words, size_t *ret_n);

/* Parse an EnvironmentFile= body into KEY=VALUE strings appended to *env;
 * -E2BIG when *env would pass 4096 entries (the rest is never dropped silently). */
int sd_parse_env_file(const char *buf, char ***env, size_t *n);
