/* textfile: replace a file atomically (temp file in the same directory, fsync, rename), as node_exporter's textfile collector needs. */
#pragma once

#include <stdio.h>

struct textfile {
        char *path;     /* the final name */
        char *tmp_path; /* ".NAME.XXXXXX" beside it: never matches the collector's *.prom */
        FILE *f;        /* write the content here, then textfile_commit() */
};

/* Create the temporary file now (before privileges are dropped). */
int textfile_begin(const char *path, struct textfile *ret);
/* fsync the content, rename it over @tf->path, fsync the directory. Always releases @tf. */
int textfile_commit(struct textfile *tf);
/* Remove the temporary file; accepts a zeroed or committed @tf. */
void textfile_abort(struct textfile *tf);
