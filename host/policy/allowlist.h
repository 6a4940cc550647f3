/* allowlist: the operator's PROC:PORT listener allowlist, from options and from a file. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define ALLOWLIST_FILE_CAP (256u * 1024u)
#define ALLOWLIST_MAX 4096u

/* "PROC:PORT": PROC a process name or "*", PORT 0-65535 or "*". */
bool allowlist_entry_valid(const char *s);

/* Append each entry of @path (one per line; blank lines and # comments ignored)
 * to *v (grown with realloc). A bad line is "FILE line N: ..." in *ret_err. */
int allowlist_load_file(const char *path, char ***v, size_t *n, char **ret_err);
/* The same for the file's text @buf (modified in place), named @name in errors. */
int allowlist_parse(char *buf, const char *name, char ***v, size_t *n, char **ret_err);
