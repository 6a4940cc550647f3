/* policy: the operator's approvals, and the registry allowlist file they come from. */
#define _GNU_SOURCE
#include "policy/policy.h"

#include <stdlib.h>
#include <string.h>

#include "policy/allowlist.h"
#include "base/oplist.h"
#include "base/rootfs.h"
#include "base/util.h"

void policy_free(struct policy *p)
{
        if (!p)
                return;
        if (p->allow_listeners)
                strv_free(p->allow_listeners, p->n_allow_listeners);
        if (p->allow_registries)
                strv_free(p->allow_registries, p->n_allow_registries);
        memset(p, 0, sizeof(*p));
}

/* A registry host[:port] or a glob of one: no scheme, path, blank or control character. */
static bool registry_entry_valid(const char *e)
{
        for (const char *p = e; *p; p++)
                if ((unsigned char)*p < ' ' || *p == 0x7f)
                        return false;
        return !strpbrk(e, " \t/") && !strstr(e, "://");
}

int containerd_allowlist_load(const char *path, char ***v, size_t *n, char **ret_err)
{
        static const struct oplist_spec spec = {
                .cap = ALLOWLIST_FILE_CAP,
                .max = ALLOWLIST_MAX,
                .valid = registry_entry_valid,
                .expected = "a registry host[:port] or a glob of one (e.g. *.dkr.ecr.*.amazonaws.com)",
        };
        return oplist_load_file(path, &spec, v, n, ret_err);
}
