/* fix: the drop-ins that make the failed kubelet and sshd checks pass, proved on a copy. */
#pragma once

#include <stdio.h>

struct fix_opts {
        const char *root;    /* default "/" */
        const char *proc;    /* default ROOT/proc */
        const char *out_dir; /* NULL: the files go to @out with the rest */
        unsigned width;      /* wrap and shorten the text to this many columns; 0: full lines */
};

/* Plan the files, re-resolve a temporary copy of the node's kubelet and sshd
 * files with them added, and print the files and each check before -> after.
 * Never writes under --root. Returns 0 when every planned check passes on the
 * copy and no other kubelet or sshd check fails, 1 when some failure needs a
 * change no drop-in can make or a planned check still fails or errors, 2 on errors. */
int fix_dry_run(const struct fix_opts *o, FILE *out);
