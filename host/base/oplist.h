/* oplist: an operator's list file (a ConfigMap key, say), one entry a line, named on the command line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* What one kind of list accepts. */
struct oplist_spec {
        size_t cap;                       /* bytes read at most */
        size_t max;                       /* entries at most */
        bool (*valid)(const char *entry); /* an entry, trimmed, without its comment */
        const char *expected;             /* for errors: "PROC:PORT (e.g. nginx:8080)" */
};

/* Append each entry of the text buf[0..len) (modified in place; '#' starts a comment,
 * blanks around an entry and blank lines are ignored) to *v, grown with realloc.
 * An entry @s refuses, or one past s->max, is -EINVAL with "NAME line N: expected
 * ..., got "..."" in *ret_err; lines are counted as an editor shows them. */
int oplist_parse(char *buf, size_t len, const char *name, const struct oplist_spec *s, char ***v, size_t *n,
                 char **ret_err);

/* The same for the file @path. It is the operator's own file, not a host file under
 * --root, so it is opened as named; still only a regular file is read (a FIFO cannot
 * hang the run), at most s->cap bytes. Errors name the file in *ret_err. */
int oplist_load_file(const char *path, const struct oplist_spec *s, char ***v, size_t *n, char **ret_err);
