/* allowlist: the operator's PROC:PORT listener allowlist, from options and from a file. */
#define _GNU_SOURCE
#include "policy/allowlist.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/oplist.h"

bool allowlist_entry_valid(const char *s)
{
        const char *colon = strrchr(s, ':');
        if (!colon || colon == s || strlen(s) > 256)
                return false;
        for (const char *p = s; p < colon; p++)
                if ((unsigned char)*p <= ' ' || *p == 0x7f)
                        return false;
        if (strcmp(colon + 1, "*") == 0)
                return true;
        char *end = NULL;
        errno = 0;
        unsigned long port = strtoul(colon + 1, &end, 10);
        return colon[1] >= '0' && colon[1] <= '9' && !*end && !errno && port <= 65535;
}

static const struct oplist_spec allowlist_spec = {
        .cap = ALLOWLIST_FILE_CAP,
        .max = ALLOWLIST_MAX,
        .valid = allowlist_entry_valid,
        .expected = "PROC:PORT (e.g. nginx:8080)",
};

int allowlist_parse(char *buf, const char *name, char ***v, size_t *n, char **ret_err)
{
        return oplist_parse(buf, strlen(buf), name, &allowlist_spec, v, n, ret_err);
}

int allowlist_load_file(const char *path, char ***v, size_t *n, char **ret_err)
{
        return oplist_load_file(path, &allowlist_spec, v, n, ret_err);
}
