/* confdirs: the files of a systemd-style configuration directory set, in the order systemd applies them. */
#define _GNU_SOURCE
#include "base/confdirs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

struct entry {
        const char *name; /* points into path */
        char *path;
        int masked;
};

static int by_name(const void *a, const void *b)
{
        return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static int seen(const struct entry *v, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i].name, name) == 0)
                        return 1;
        return 0;
}

int confdirs_list(const struct rootfs *root, const char *const *dirs, size_t n_dirs, const char *suffix,
                  char ***ret_paths, size_t *ret_n)
{
        struct entry *v = NULL;
        size_t n = 0;
        int r = 0;
        for (size_t d = 0; d < n_dirs && r == 0; d++) {
                char **names = NULL;
                size_t nn = 0;
                if (rootfs_list_dir(root, dirs[d], CONFDIRS_MAX_FILES, &names, &nn) < 0)
                        continue;
                for (size_t i = 0; i < nn; i++) {
                        if (!str_endswith(names[i], suffix) || strlen(names[i]) <= strlen(suffix) ||
                            names[i][0] == '.' || seen(v, n, names[i]))
                                continue;
                        if (n >= CONFDIRS_MAX_FILES) {
                                r = -E2BIG;
                                break;
                        }
                        v = xrealloc(v, (n + 1) * sizeof(*v));
                        char *path = path_join(dirs[d], names[i]);
                        char target[64];
                        int k = rootfs_readlink(root, path, target, sizeof(target));
                        v[n] = (struct entry){.path = path,
                                              .name = path_basename(path),
                                              .masked = k >= 0 && strcmp(target, "/dev/null") == 0};
                        n++;
                }
                strv_free(names, nn);
        }
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        free(v[i].path);
                free(v);
                return r;
        }
        if (n)
                qsort(v, n, sizeof(*v), by_name);
        char **out = xcalloc(n + 1, sizeof(char *));
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
                if (v[i].masked)
                        free(v[i].path);
                else
                        out[m++] = v[i].path;
        }
        free(v);
        *ret_paths = out;
        *ret_n = m;
        return 0;
}
