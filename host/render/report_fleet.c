/* report_fleet: what the fleet renderers share: the node's name, a check's area, capped evidence. */
#define _GNU_SOURCE
#include "render/report_fleet.h"

#include <string.h>

#include "base/util.h"

const char *fleet_node_name(const struct run *run)
{
        if (run->node.name && *run->node.name)
                return run->node.name;
        if (run->node.hostname && *run->node.hostname)
                return run->node.hostname;
        return "unknown";
}

char *fleet_area(const char *check_id)
{
        return xasprintf("%.*s", (int)strcspn(check_id, "."), check_id);
}

char *fleet_cap(const char *s, size_t max)
{
        size_t n = strlen(s);
        if (n <= max)
                return xstrdup(s);
        size_t keep = max > 3 ? max - 3 : 0;
        /* Never end inside a UTF-8 sequence: back up to the start of a character. */
        while (keep > 0 && ((unsigned char)s[keep] & 0xc0) == 0x80)
                keep--;
        return xasprintf("%.*s...", (int)keep, s);
}

void fleet_add_reference_strings(cJSON *arr, const struct run *run, const struct result *r)
{
        if (run->benchmark && r->item) {
                _cleanup_free_ char *s = benchmark_ref_str(run->benchmark, r->item);
                cJSON_AddItemToArray(arr, cJSON_CreateString(s));
        }
        for (size_t k = 0; k < MAX_REFS && r->check->references[k]; k++)
                cJSON_AddItemToArray(arr, cJSON_CreateString(r->check->references[k]));
}
