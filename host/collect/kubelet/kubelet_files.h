/* kubelet_files: the kubelet's systemd unit and its drop-ins, stat'ed for the permission items. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "collect/kubelet/kubelet.h"
#include "base/rootfs.h"

struct kubelet_unit_files {
        bool found;          /* kubelet.service exists under the root */
        char *absent_reason; /* when !found */
        char *error;         /* the unit could not be read */
        struct kfile *files; /* the unit file first, then its drop-ins in the order systemd applies them */
        size_t n;
};

/* Find kubelet.service as systemd would (sdunit_load) and stat every file it is made of. */
void kubelet_unit_files_collect(const struct rootfs *root, struct kubelet_unit_files *ret);
void kubelet_unit_files_free(struct kubelet_unit_files *u);
