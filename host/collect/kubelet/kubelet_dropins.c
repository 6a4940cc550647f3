/* kubelet_dropins: the --config-dir walk, visiting what the kubelet's filepath.WalkDir visits, in its order. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/kubelet/kubelet_internal.h"
#include "base/util.h"

/* No real node comes near these; a hostile tree stops here with an error. */
#define MAX_DROPIN_ENTRIES 65536
#define MAX_DROPIN_DEPTH 16

struct entry {
        char *name;
        unsigned char type; /* DT_* of the entry itself (a symlink is DT_LNK) */
};

struct walk {
        struct kubelet_facts *k;
        size_t visited;
        char *err;
};

static int cmp_entry(const void *a, const void *b)
{
        return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static void entries_free(struct entry *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i].name);
        free(v);
}

/* The entries of an open directory, sorted by name as os.ReadDir sorts them. */
static int read_entries(struct walk *w, int dirfd, struct entry **ret, size_t *ret_n)
{
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                int e = -errno;
                close(fd);
                return e;
        }
        struct entry *v = NULL;
        size_t n = 0;
        int e = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (++w->visited > MAX_DROPIN_ENTRIES) {
                        e = -E2BIG;
                        break;
                }
                unsigned char t = de->d_type;
                struct stat st;
                if (t == DT_UNKNOWN && fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                        t = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
                if (!(n & (n - 1)))
                        v = xrealloc(v, (n ? n * 2 : 1) * sizeof(*v));
                v[n++] = (struct entry){xstrdup(de->d_name), t};
        }
        closedir(d);
        if (e < 0) {
                entries_free(v, n);
                return e;
        }
        if (n)
                qsort(v, n, sizeof(*v), cmp_entry);
        *ret = v;
        *ret_n = n;
        return 0;
}

static void add_dropin(struct kubelet_facts *k, const char *path)
{
        if (!(k->n_dropins & (k->n_dropins - 1)))
                k->dropins = xrealloc(k->dropins, (k->n_dropins ? k->n_dropins * 2 : 1) * sizeof(*k->dropins));
        struct kfile *f = &k->dropins[k->n_dropins++];
        memset(f, 0, sizeof(*f));
        f->path = xstrdup(path);
}

/* Depth first, each directory's entries in name order: a file "a.conf" is read after
 * everything under a directory "a", because "a" sorts first. Directories are entered
 * only when they are real directories (WalkDir never follows a symlink); every other
 * entry whose name ends in ".conf" is a drop-in, a symlink included (the kubelet
 * reads through it). */
static int walk_dir(struct walk *w, int dirfd, const char *path, int depth)
{
        struct entry *v = NULL;
        size_t n = 0;
        int r = read_entries(w, dirfd, &v, &n);
        if (r == -E2BIG) {
                w->err = xasprintf("%s: more than %d entries under --config-dir", path, MAX_DROPIN_ENTRIES);
                return r;
        }
        if (r < 0) {
                w->err = xasprintf("%s: %s", path, rootfs_strerror(r));
                return r;
        }
        for (size_t i = 0; i < n && r == 0; i++) {
                _cleanup_free_ char *p = path_join(path, v[i].name);
                if (v[i].type != DT_DIR) {
                        if (str_endswith(v[i].name, ".conf"))
                                add_dropin(w->k, p);
                        continue;
                }
                if (depth >= MAX_DROPIN_DEPTH) {
                        w->err = xasprintf("%s: directories nested deeper than %d under --config-dir", p,
                                           MAX_DROPIN_DEPTH);
                        r = -ELOOP;
                        break;
                }
                /* One name, no slash, not a symlink: the walk cannot leave the root. */
                int sub = openat(dirfd, v[i].name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0) {
                        r = -errno;
                        w->err = xasprintf("%s: %s", p, rootfs_strerror(r));
                        break;
                }
                r = walk_dir(w, sub, p, depth + 1);
                close(sub);
        }
        entries_free(v, n);
        return r;
}

/* lstat of a path under the root: the parent resolved in the root, the last name not followed. */
static int lstat_in_root(const struct rootfs *root, const char *path, struct stat *ret)
{
        _cleanup_free_ char *dir = xstrdup(path);
        char *slash = strrchr(dir, '/');
        const char *name = path;
        if (slash) {
                *slash = '\0';
                name = slash + 1;
        }
        if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return rootfs_stat(root, path, ret);
        int fd = rootfs_openat(root, slash ? (*dir ? dir : "/") : ".", O_PATH | O_DIRECTORY);
        if (fd < 0)
                return fd;
        int e = fstatat(fd, name, ret, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
        close(fd);
        return e;
}

int kubelet_walk_config_dir(const struct rootfs *root, struct kubelet_facts *k, char **ret_err)
{
        const char *dir = k->config_dir;
        struct stat st;
        /* WalkDir starts with os.Lstat: a trailing slash makes the kernel follow a link. */
        int r = str_endswith(dir, "/") ? rootfs_stat(root, dir, &st) : lstat_in_root(root, dir, &st);
        if (r < 0) {
                *ret_err = xasprintf("%s: --config-dir: %s", dir, rootfs_strerror(r));
                return r;
        }
        if (S_ISLNK(st.st_mode)) {
                k->dropin_note = xasprintf("--config-dir %s is a symbolic link, which the kubelet's "
                                           "directory walk does not follow: no drop-in applies",
                                           dir);
                return 0;
        }
        if (!S_ISDIR(st.st_mode)) {
                /* WalkDir hands a file root to the callback like any entry. */
                if (str_endswith(dir, ".conf"))
                        add_dropin(k, dir);
                else
                        k->dropin_note = xasprintf("--config-dir %s is not a directory and not a *.conf "
                                                   "file: no drop-in applies",
                                                   dir);
                return 0;
        }
        int fd = rootfs_openat(root, dir, O_RDONLY | O_DIRECTORY);
        if (fd < 0) {
                *ret_err = xasprintf("%s: --config-dir: %s", dir, rootfs_strerror(fd));
                return fd;
        }
        struct walk w = {.k = k};
        r = walk_dir(&w, fd, dir, 0);
        close(fd);
        if (r < 0)
                *ret_err = w.err;
        else
                free(w.err);
        return r;
}
