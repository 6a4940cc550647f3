/* podattr: name the pod behind a cgroup: cgroup id -> cgroup path -> pod UID, container, name. */
#define _GNU_SOURCE
#include "collect/observe/podattr.h"

#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "base/util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CG_MAX_DEPTH 32
#define CG_MAX_ENTRIES 200000

static bool all_chars(const char *s, size_t n, const char *allowed)
{
        for (size_t i = 0; i < n; i++)
                if (!strchr(allowed, s[i]) || !s[i])
                        return false;
        return n > 0;
}

static int set_uid(struct pod_ref *p, const char *s, size_t n)
{
        if (n >= sizeof(p->uid) || !all_chars(s, n, "0123456789abcdefABCDEF-_"))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                p->uid[i] = s[i] == '_' ? '-' : s[i];
        p->uid[n] = '\0';
        return 0;
}

/* "cri-containerd-<id>.scope", "crio-<id>.scope", "docker-<id>.scope" or a bare "<id>". */
static int set_container(struct pod_ref *p, const char *s, size_t n)
{
        static const char *const prefixes[] = {"cri-containerd-", "crio-conmon-", "crio-", "docker-", "containerd-"};
        if (n > 6 && memcmp(s + n - 6, ".scope", 6) == 0) {
                n -= 6;
                for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
                        size_t l = strlen(prefixes[i]);
                        if (n > l && memcmp(s, prefixes[i], l) == 0) {
                                s += l;
                                n -= l;
                                break;
                        }
                }
        }
        if (n >= sizeof(p->container_id) ||
            !all_chars(s, n, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
                return -EINVAL;
        memcpy(p->container_id, s, n);
        p->container_id[n] = '\0';
        return 0;
}

static bool seg_is(const char *s, size_t n, const char *word)
{
        return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* A systemd-driver pod slice: kubepods[-<qos>]-pod<uid>.slice. */
static int parse_pod_slice(const char *s, size_t n, struct pod_ref *p)
{
        if (n < 9 || memcmp(s + n - 6, ".slice", 6) != 0)
                return -EINVAL;
        n -= 6;
        static const char *const forms[][2] = {{"kubepods-besteffort-pod", "besteffort"},
                                               {"kubepods-burstable-pod", "burstable"},
                                               {"kubepods-pod", "guaranteed"}};
        for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
                size_t l = strlen(forms[i][0]);
                if (n > l && memcmp(s, forms[i][0], l) == 0) {
                        snprintf(p->qos, sizeof(p->qos), "%s", forms[i][1]);
                        return set_uid(p, s + l, n - l);
                }
        }
        return -EINVAL;
}

int cgroup_path_parse_pod(const char *path, struct pod_ref *ret)
{
        struct pod_ref p = {0};
        enum {
                OUTSIDE,
                KUBEPODS,
                POD,
                DONE
        } st = OUTSIDE;
        bool cgroupfs = false;
        for (const char *s = path; s && *s;) {
                while (*s == '/')
                        s++;
                size_t n = strcspn(s, "/");
                if (n == 0)
                        break;
                if (st == OUTSIDE && (seg_is(s, n, "kubepods.slice") || seg_is(s, n, "kubepods"))) {
                        st = KUBEPODS;
                        cgroupfs = seg_is(s, n, "kubepods");
                } else if (st == KUBEPODS && !cgroupfs) {
                        if (!seg_is(s, n, "kubepods-besteffort.slice") && !seg_is(s, n, "kubepods-burstable.slice")) {
                                if (parse_pod_slice(s, n, &p) < 0)
                                        return -EINVAL;
                                st = POD;
                        }
                } else if (st == KUBEPODS) {
                        if (seg_is(s, n, "besteffort") || seg_is(s, n, "burstable")) {
                                snprintf(p.qos, sizeof(p.qos), "%.*s", (int)n, s);
                        } else {
                                if (n < 4 || memcmp(s, "pod", 3) != 0 || set_uid(&p, s + 3, n - 3) < 0)
                                        return -EINVAL;
                                if (!p.qos[0])
                                        snprintf(p.qos, sizeof(p.qos), "guaranteed");
                                st = POD;
                        }
                } else if (st == POD) {
                        if (set_container(&p, s, n) < 0)
                                return -EINVAL;
                        st = DONE;
                }
                s += n;
        }
        if (st == OUTSIDE)
                return -ENOENT;
        if (st == KUBEPODS)
                return -EINVAL;
        *ret = p;
        return 0;
}

int cgroup_index_open(const struct rootfs *root, struct cgroup_index *ret)
{
        static const char *const mounts[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};
        memset(ret, 0, sizeof(*ret));
        for (size_t i = 0; i < ARRAY_SIZE(mounts); i++) {
                _cleanup_close_ int fd = rootfs_openat(root, mounts[i], O_RDONLY | O_DIRECTORY);
                struct statfs sfs;
                if (fd >= 0 && fstatfs(fd, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) {
                        ret->mount = xstrdup(mounts[i]);
                        return 0;
                }
        }
        return -ENOENT;
}

static void index_add(struct cgroup_index *ix, uint64_t id, const char *path)
{
        if (ix->n % 256 == 0)
                ix->v = xrealloc(ix->v, (ix->n + 256) * sizeof(*ix->v));
        ix->v[ix->n].id = id;
        ix->v[ix->n].path = xstrdup(path);
        ix->n++;
}

/* Depth-first over directories only; @dfd is consumed. */
static void walk(struct cgroup_index *ix, int dfd, const char *rel, int depth)
{
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return;
        }
        struct dirent *de;
        while ((de = readdir(d)) && ix->n < CG_MAX_ENTRIES) {
                if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                _cleanup_free_ char *sub = xasprintf("%s/%s", rel, de->d_name);
                index_add(ix, st.st_ino, sub);
                if (depth + 1 < CG_MAX_DEPTH) {
                        int cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (cfd >= 0)
                                walk(ix, cfd, sub, depth + 1);
                }
        }
        closedir(d);
}

static const char *index_find(const struct cgroup_index *ix, uint64_t id)
{
        for (size_t i = 0; i < ix->n; i++)
                if (ix->v[i].id == id)
                        return ix->v[i].path;
        return NULL;
}

/* The ids no walk found, remembered so that host processes in short-lived
 * cgroups do not cost a walk each; forgotten wholesale past this many. */
#define CG_MAX_GONE 4096

void cgroup_index_refresh(const struct rootfs *root, struct cgroup_index *ix)
{
        for (size_t i = 0; i < ix->n; i++)
                free(ix->v[i].path);
        ix->n = 0;
        if (!ix->mount)
                return;
        int fd = rootfs_openat(root, ix->mount, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return;
        struct stat st;
        if (fstat(fd, &st) == 0)
                index_add(ix, st.st_ino, "/");
        walk(ix, fd, "", 0);
}

bool cgroup_index_live(const struct cgroup_index *ix, uint64_t id)
{
        return index_find(ix, id) != NULL;
}

static const char *kept_find(const struct cgroup_index *ix, uint64_t id)
{
        for (size_t i = 0; i < ix->n_kept; i++)
                if (ix->kept[i].id == id)
                        return ix->kept[i].path;
        return NULL;
}

const char *cgroup_index_path(const struct rootfs *root, struct cgroup_index *ix, uint64_t id)
{
        const char *p = index_find(ix, id);
        if (p || !ix->mount)
                return p;
        if ((p = kept_find(ix, id)))
                return p;
        for (size_t i = 0; i < ix->n_gone; i++)
                if (ix->gone[i] == id)
                        return NULL;
        cgroup_index_refresh(root, ix);
        p = index_find(ix, id);
        if (!p) {
                if (ix->n_gone >= CG_MAX_GONE)
                        ix->n_gone = 0;
                if (ix->n_gone % 64 == 0)
                        ix->gone = xrealloc(ix->gone, (ix->n_gone + 64) * sizeof(*ix->gone));
                ix->gone[ix->n_gone++] = id;
        }
        return p;
}

void cgroup_index_keep(const struct rootfs *root, struct cgroup_index *ix, uint64_t id)
{
        if (kept_find(ix, id))
                return;
        const char *p = cgroup_index_path(root, ix, id);
        if (!p)
                return;
        if (ix->n_kept % 64 == 0)
                ix->kept = xrealloc(ix->kept, (ix->n_kept + 64) * sizeof(*ix->kept));
        ix->kept[ix->n_kept].id = id;
        ix->kept[ix->n_kept].path = xstrdup(p);
        ix->n_kept++;
}

void cgroup_index_release(struct cgroup_index *ix, uint64_t id)
{
        for (size_t i = 0; i < ix->n_kept; i++)
                if (ix->kept[i].id == id) {
                        free(ix->kept[i].path);
                        ix->kept[i] = ix->kept[--ix->n_kept];
                        return;
                }
}

void cgroup_index_free(struct cgroup_index *ix)
{
        if (!ix)
                return;
        for (size_t i = 0; i < ix->n; i++)
                free(ix->v[i].path);
        free(ix->v);
        for (size_t i = 0; i < ix->n_kept; i++)
                free(ix->kept[i].path);
        free(ix->kept);
        free(ix->gone);
        free(ix->mount);
        memset(ix, 0, sizeof(*ix));
}

/* The kubelet names the directory <namespace>_<name>_<uid> (BuildPodLogsDirectory):
 * a namespace is a DNS label, a pod name a DNS subdomain, so neither is empty or
 * holds '_'; an entry that is not so was not written by the kubelet. */
int pod_log_dir_parse(const char *dir, const char *uid, char **ret_ns, char **ret_name)
{
        size_t l = strlen(dir), ul = strlen(uid);
        if (l < ul + 4 || dir[l - ul - 1] != '_' || strcmp(dir + l - ul, uid) != 0)
                return -ENOENT;
        const char *us = strchr(dir, '_');
        if (!us || us >= dir + l - ul - 1)
                return -ENOENT;
        size_t nsl = (size_t)(us - dir), nl = (size_t)(dir + l - ul - 1 - (us + 1));
        if (nsl == 0 || nsl > 63 || nl == 0 || !all_chars(dir, nsl, "abcdefghijklmnopqrstuvwxyz0123456789-") ||
            !all_chars(us + 1, nl, "abcdefghijklmnopqrstuvwxyz0123456789-."))
                return -ENOENT;
        *ret_ns = strndup(dir, (size_t)(us - dir));
        *ret_name = strndup(us + 1, (size_t)(dir + l - ul - 1 - (us + 1)));
        return 0;
}

int pod_lookup_name(const struct rootfs *root, const char *uid, char **ret_ns, char **ret_name)
{
        char **names;
        size_t n;
        int r = rootfs_list_dir(root, "/var/log/pods", 100000, &names, &n);
        if (r < 0)
                return r;
        r = -ENOENT;
        for (size_t i = 0; i < n && r < 0; i++)
                r = pod_log_dir_parse(names[i], uid, ret_ns, ret_name);
        strv_free(names, n);
        return r;
}
