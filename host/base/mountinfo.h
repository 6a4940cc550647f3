/* mountinfo: /proc/PID/mountinfo read, and a container's path mapped to the host path behind it. */
#pragma once

#include <stddef.h>

struct mount_entry {
        unsigned major, minor;
        char *root;       /* the path inside its filesystem that is mounted */
        char *mountpoint; /* where, in the process's mount namespace */
};

struct mounts {
        struct mount_entry *v;
        size_t n;
};

#define MOUNTINFO_MAX_ENTRIES 65536u

/* Parse the text of a mountinfo file (proc(5)); octal escapes (\040) are decoded.
 * A malformed line is -EINVAL; more than MOUNTINFO_MAX_ENTRIES lines is -E2BIG. */
int mountinfo_parse(const char *buf, size_t len, struct mounts *ret);
void mounts_free(struct mounts *m);

/* The host path of @path as a process with mounts @proc sees it, given the host's
 * mounts @host (pid 1's): the process mount that holds @path is located by its
 * device and root in a host mount of the same device. -ENOENT when no host mount
 * shows that part of the filesystem (e.g. a tmpfs only the container has). */
int mountinfo_host_path(const struct mounts *proc, const struct mounts *host, const char *path, char **ret);
