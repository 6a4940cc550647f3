/* podattr: name the pod behind a cgroup: cgroup id -> cgroup path -> pod UID, container, name. */
#pragma once

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/rootfs.h"

struct pod_ref {
        char uid[65];           /* dashes, as the API server spells it */
        char container_id[129]; /* empty for the pod-level cgroup itself */
        char qos[12];           /* besteffort, burstable or guaranteed */
};

/* Parse a cgroup path as the kubelet names it, with the systemd driver
 * (.../kubepods-besteffort-pod<uid_with_underscores>.slice/cri-containerd-<id>.scope)
 * or the cgroupfs driver (.../kubepods/besteffort/pod<uid>/<id>). Pure: no I/O.
 * Returns 0 for a pod cgroup, -ENOENT for a cgroup outside kubepods (a host
 * process), -EINVAL for a kubepods path that does not name a pod. */
int cgroup_path_parse_pod(const char *path, struct pod_ref *ret);

/* Paths of cgroups by id, found by walking the cgroup v2 mount once per miss. */
struct cgroup_index {
        char *mount; /* "/sys/fs/cgroup/unified" or "/sys/fs/cgroup", inside the root */
        struct cgroup_entry {
                uint64_t id;
                char *path; /* relative to the mount, leading '/' */
        } * v;
        size_t n;
        /* Paths kept from the first sighting of an attempt until released, so a
         * pod that is gone by the report is still named (copies of live entries). */
        struct cgroup_entry *kept;
        size_t n_kept;
        uint64_t *gone; /* ids no walk found: cgroup ids are never reused */
        size_t n_gone;
};

/* Find the cgroup v2 mount under @root. Returns 0 or -errno (-ENOENT: none). */
int cgroup_index_open(const struct rootfs *root, struct cgroup_index *ret);
/* Path of cgroup @id (walking the hierarchy again when not yet known), or NULL
 * when no cgroup has that id (it was removed). The string belongs to @ix. */
const char *cgroup_index_path(const struct rootfs *root, struct cgroup_index *ix, uint64_t id);
/* Keep @id's path past the cgroup's removal (it must be known now); release it
 * when no attempt names it any more. */
void cgroup_index_keep(const struct rootfs *root, struct cgroup_index *ix, uint64_t id);
void cgroup_index_release(struct cgroup_index *ix, uint64_t id);
/* Walk the hierarchy again now; afterwards cgroup_index_live() says which ids exist. */
void cgroup_index_refresh(const struct rootfs *root, struct cgroup_index *ix);
bool cgroup_index_live(const struct cgroup_index *ix, uint64_t id);
void cgroup_index_free(struct cgroup_index *ix);

/* Pod namespace and name from the CRI log directory /var/log/pods/<ns>_<name>_<uid>
 * under @root. Returns 0 or -ENOENT. */
int pod_lookup_name(const struct rootfs *root, const char *uid, char **ret_ns, char **ret_name);
/* One entry of that directory: namespace and name when @dir is <ns>_<name>_<uid>
 * for this @uid. Pure: no I/O. Returns 0 or -ENOENT. */
int pod_log_dir_parse(const char *dir, const char *uid, char **ret_ns, char **ret_name);
