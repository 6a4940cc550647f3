/* imds_identity: the account, region and instance id out of the instance identity document
 * (GET /latest/dynamic/instance-identity/document), for the ASFF findings' identity. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <string.h>

#include "collect/probes/imds.h"

static bool all_of(const char *s, const char *set, size_t min, size_t max)
{
        size_t n = strlen(s);
        return n >= min && n <= max && strspn(s, set) == n;
}

/* @field of @doc when it is a string of @min..@max characters of @set, copied to @dst. */
static bool take(const cJSON *doc, const char *field, const char *set, size_t min, char *dst, size_t size)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, field);
        if (!cJSON_IsString(v) || !all_of(v->valuestring, set, min, size - 1))
                return false;
        memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
        return true;
}

int imds_identity_parse(const char *body, size_t len, struct imds_identity *ret)
{
        if (!body || len == 0 || len > IMDS_IDENTITY_MAX)
                return -EINVAL;
        cJSON *doc = cJSON_ParseWithLength(body, len);
        if (!cJSON_IsObject(doc)) {
                cJSON_Delete(doc);
                return -EINVAL;
        }
        struct imds_identity id = {0};
        static const char lower[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
        bool ok = take(doc, "accountId", "0123456789", 12, id.account, 13) &&
                  take(doc, "region", lower, 4, id.region, sizeof(id.region)) &&
                  take(doc, "instanceId", lower, 3, id.instance, sizeof(id.instance));
        cJSON_Delete(doc);
        if (!ok)
                return -EINVAL;
        *ret = id;
        return 0;
}
