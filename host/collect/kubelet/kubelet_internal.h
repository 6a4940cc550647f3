/* kubelet_internal: what the kubelet collector's files share (not for checks). */
#pragma once

#include "collect/kubelet/kubelet.h"

/* One source of configuration, lowest first: the --config file, each drop-in in
 * walk order, then the command line. */
struct layer {
        const char *origin; /* host path, or "flag" */
        enum ksource kind;
        cJSON *doc;
};

/* Walk --config-dir as the kubelet's filepath.WalkDir does and append every drop-in
 * it would read to k->dropins (paths only). An error the kubelet would stop on is
 * returned in *ret_err; a walk that reads nothing says why in k->dropin_note. */
int kubelet_walk_config_dir(const struct rootfs *root, struct kubelet_facts *k, char **ret_err);

/* Resolve every field of kfield_defs over @layers (file, drop-ins, flags) with the
 * kubelet's defaulting and merge rules; fills k->f[] and k->effective. */
void kubelet_resolve(struct kubelet_facts *k, const struct layer *layers, size_t nl, const cJSON *flag_only);
