/* textfile: replace a file atomically (temp file in the same directory, fsync, rename), as node_exporter's textfile collector needs. */
#pragma once

#include <stdio.h>

struct textfile {
        char *path;     /* the final name */
        char *tmp_path; /* ".NAME.XXXXXX" beside it: never matches the collector's *.prom */
        FILE *f;        /* write the content here, then textfile_commit() */
        int dirfd;      /* the directory, held from begin to commit: both names are in it */
};

/* Create the temporary file now. The directory is opened once, never through a
 * link as its last component, and the temporary file is a new one in it (never
 * through a link either); the rename replaces whatever the final name is, a link
 * included, without following it. */
int textfile_begin(const char *path, struct textfile *ret);
/* fsync the content, rename it over @tf->path, fsync the directory. Always releases @tf. */
int textfile_commit(struct textfile *tf);
/* Remove the temporary file; accepts a zeroed or committed @tf. */
void textfile_abort(struct textfile *tf);
