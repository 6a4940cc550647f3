/* manifest: the fleet manifests as data (tests/validate/yaml2json.js), for the tests that run what they say. */
#pragma once
#include "fleet.h"

/* Every document of a YAML file, as a JSON array. */
static inline cJSON *mf_load(const char *file)
{
        fl_need_node_modules();
        char cmd[4096], *out, *err;
        snprintf(cmd, sizeof(cmd), "node tests/validate/yaml2json.js '%s'", file);
        int rc = fl_sh(cmd, &out, &err);
        if (rc != 0)
                fail_msg("%s: %s", file, err);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        free(out);
        free(err);
        return j;
}

static inline const cJSON *mf_get(const cJSON *o, const char *dotted)
{
        char buf[512];
        snprintf(buf, sizeof(buf), "%s", dotted);
        for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
                o = cJSON_GetObjectItemCaseSensitive(o, k);
        return o;
}

static inline const char *mf_str(const cJSON *o, const char *dotted)
{
        const cJSON *v = mf_get(o, dotted);
        return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline const cJSON *mf_find(const cJSON *docs, const char *kind, const char *name)
{
        const cJSON *d;
        cJSON_ArrayForEach(d, docs) if (strcmp(mf_str(d, "kind") ? mf_str(d, "kind") : "", kind) == 0 &&
                                        strcmp(mf_str(d, "metadata.name") ? mf_str(d, "metadata.name") : "", name) ==
                                                0) return d;
        fail_msg("no %s %s in the manifest", kind, name);
        return NULL;
}

/* An element of array @arr whose "name" is @name. */
static inline const cJSON *mf_named(const cJSON *arr, const char *name)
{
        const cJSON *e;
        cJSON_ArrayForEach(e, arr) if (mf_str(e, "name") && strcmp(mf_str(e, "name"), name) == 0) return e;
        return NULL;
}

/* The container's mount at @path and its volume. */
static inline const cJSON *mf_mount(const cJSON *ctr, const char *path)
{
        const cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItem(ctr, "volumeMounts")) if (strcmp(mf_str(m, "mountPath"), path) ==
                                                                            0) return m;
        return NULL;
}

/* Whether string array @arr holds @s. */
static inline bool mf_has(const cJSON *arr, const char *s)
{
        const cJSON *e;
        cJSON_ArrayForEach(e, arr) if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0) return true;
        return false;
}
