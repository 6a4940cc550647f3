/* kubelet_files: the kubelet's systemd unit and its drop-ins, stat'ed for the permission items. */
#define _GNU_SOURCE
#include "collect/kubelet/kubelet_files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/sdunit.h"
#include "base/util.h"

static void add_file(const struct rootfs *root, struct kubelet_unit_files *u, const char *path)
{
        struct kfile *f = &u->files[u->n++];
        f->path = xstrdup(path);
        f->err = rootfs_stat(root, path, &f->st);
}

void kubelet_unit_files_collect(const struct rootfs *root, struct kubelet_unit_files *u)
{
        memset(u, 0, sizeof(*u));
        struct sdunit unit;
        char *err = NULL;
        int r = sdunit_load(root, "kubelet.service", &unit, &err);
        if (r == -ENOENT) {
                /* Bottlerocket and nodes that run the kubelet outside systemd have none. */
                u->absent_reason = xstrdup(
                        "no kubelet.service unit under /etc/systemd/system, /run/systemd/system, "
                        "/usr/local/lib/systemd/system, /usr/lib/systemd/system or /lib/systemd/system");
                free(err);
                return;
        }
        u->found = true;
        if (r < 0) {
                u->error = err ? err : xasprintf("kubelet.service: %s", rootfs_strerror(r));
                return;
        }
        free(err);
        u->files = xcalloc(1 + unit.n_dropins, sizeof(struct kfile));
        add_file(root, u, unit.path);
        for (size_t i = 0; i < unit.n_dropins; i++)
                add_file(root, u, unit.dropins[i]);
        sdunit_free(&unit);
}

void kubelet_unit_files_free(struct kubelet_unit_files *u)
{
        if (!u)
                return;
        for (size_t i = 0; i < u->n; i++)
                free(u->files[i].path);
        free(u->files);
        free(u->absent_reason);
        free(u->error);
        memset(u, 0, sizeof(*u));
}
