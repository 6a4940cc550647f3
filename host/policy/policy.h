/* policy: what the operator approves on this node, given on the command line; the
 * checks that judge against it receive it beside the facts, collectors never see it. */
#pragma once

#include <stddef.h>

struct policy {
        /* Listeners the node may have on every address (--allow-listener PROC:PORT and
         * --allow-listeners-file). */
        char **allow_listeners;
        size_t n_allow_listeners;
        /* Registries containerd may pull from (--allow-registries FILE); NULL: not
         * given, so the registry allowlist check has nothing to judge by. */
        char **allow_registries;
        size_t n_allow_registries;
};

void policy_free(struct policy *p);

/* Load a registry allowlist file (one host glob per line, # comments), appending
 * to *v. A bad line is "FILE line N: ..." in *ret_err. */
int containerd_allowlist_load(const char *path, char ***v, size_t *n, char **ret_err);
