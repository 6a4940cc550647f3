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
