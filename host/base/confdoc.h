/* confdoc: JSON and YAML configuration documents as one tree (cJSON), with positioned errors. */
#pragma once

#include <cjson/cJSON.h>
#include <stddef.h>

/* Parse @buf (JSON when it starts with '{', YAML otherwise) into a tree.
 * On error returns -EINVAL with *ret_err = "line:col: reason" (malloc'ed).
 * Duplicate mapping keys keep the last value, as the kubelet's decoder does;
 * YAML scalars resolve like YAML 1.1 (yes/no/on/off are booleans). */
int confdoc_parse(const char *buf, size_t len, cJSON **ret_doc, char **ret_err);

/* Merge @src over @dst: objects merge recursively, everything else replaces. */
void confdoc_merge(cJSON *dst, const cJSON *src);

/* Dotted path lookup ("authentication.anonymous.enabled"), case-sensitive. */
const cJSON *confdoc_get(const cJSON *doc, const char *path);

/* Set a value at a dotted path, creating objects on the way; takes @val. */
void confdoc_set(cJSON *doc, const char *path, cJSON *val);

/* Short JSON text of a value ("10255", "\"Webhook\"", "[...]"), malloc'ed. */
char *confdoc_value_str(const cJSON *v);

/* Apply @patch to @target as a JSON merge patch (RFC 7386), both objects: a null
 * member deletes the key, objects merge recursively, anything else (lists too)
 * replaces. Nulls inside newly added objects are dropped, as the RFC says. */
void confdoc_merge_patch(cJSON *target, const cJSON *patch);

enum confdoc_found {
        CONFDOC_ABSENT,  /* no such key */
        CONFDOC_NULL,    /* null at the path or at an object on the way */
        CONFDOC_VALUE,   /* *ret_v is the value */
        CONFDOC_BLOCKED, /* *ret_v is a scalar or list where an object is needed on the way */
};
/* Look up a dotted path, telling absent, null and blocked apart (confdoc_get cannot). */
enum confdoc_found confdoc_lookup(const cJSON *doc, const char *path, const cJSON **ret_v);

/* Remove every null member, recursively. */
void confdoc_strip_nulls(cJSON *doc);
