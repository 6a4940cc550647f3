/* fix_proof: the proof of `nodeward fix`: the files the kubelet and sshd resolvers
 * read, copied from the node to a temporary directory with the planned ones added,
 * resolved again by the same code; --root is only read. */
#define _GNU_SOURCE
#include "cli/fix_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/facts.h"
#include "base/sdunit.h"
#include "render/report.h"

/* A node path without "." or ".." components: placed under a directory of ours it
 * stays there (a kubelet --config-dir of "/../x" must not reach out of it). */
static bool clean_path(const char *path)
{
        for (const char *c = path; *c;) {
                c += strspn(c, "/");
                size_t n = strcspn(c, "/");
                if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c += n;
        }
        return true;
}

/* @path (absolute on the node) placed under @dir; path_join would keep it absolute.
 * NULL for a path with "." or ".." components. */
char *fix_under(const char *dir, const char *path)
{
        return clean_path(path) ? xasprintf("%s/%s", dir, path + strspn(path, "/")) : NULL;
}

/* Make the directories of @path (absolute, inside our own temporary tree). */
static int mkdir_parents(const char *path)
{
        _cleanup_free_ char *p = xstrdup(path);
        for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        return 0;
}

int fix_write_new_file(const char *path, const char *buf, size_t len, mode_t mode)
{
        if (!path)
                return -EINVAL;
        int r = mkdir_parents(path);
        if (r < 0)
                return r;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        ssize_t w = write(fd, buf, len);
        int e = w < 0 ? -errno : (size_t)w != len ? -EIO : 0;
        if (close(fd) < 0 && !e)
                e = -errno;
        return e;
}

/* Copy @rel (a file or a directory tree) from the root into @tmp, bounded. */
static void copy_in(const struct rootfs *root, const char *rel, const char *tmp, int depth, size_t *budget)
{
        struct stat st;
        if (!rel || depth > 6 || !*budget || rootfs_stat(root, rel, &st) < 0)
                return;
        (*budget)--;
        if (S_ISDIR(st.st_mode)) {
                char **names = NULL;
                size_t n = 0;
                if (rootfs_list_dir(root, rel, FIX_MAX_FILES, &names, &n) < 0)
                        return;
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *child = path_join(rel, names[i]);
                        copy_in(root, child, tmp, depth + 1, budget);
                }
                strv_free(names, n);
                return;
        }
        char *buf = NULL;
        size_t len = 0;
        if (!S_ISREG(st.st_mode) || rootfs_read_file(root, rel, FIX_FILE_CAP, &buf, &len, NULL) < 0)
                return;
        _cleanup_free_ char *dst = fix_under(tmp, rel);
        (void)fix_write_new_file(dst, buf, len, st.st_mode & 0777);
        free(buf);
}

/* Everything the kubelet and sshd resolvers read, and what tells the flavour. */
static void copy_node_files(const struct rootfs *root, const struct facts *f, const char *tmp)
{
        static const char *const fixed[] = {"/etc/os-release",
                                            "/usr/lib/os-release",
                                            "/etc/kubernetes/kubelet",
                                            "/etc/eks/kubelet",
                                            "/etc/systemd/system/kubelet.service",
                                            "/etc/systemd/system/kubelet.service.d",
                                            "/usr/lib/systemd/system/kubelet.service",
                                            "/usr/lib/systemd/system/kubelet.service.d",
                                            "/lib/systemd/system/kubelet.service",
                                            "/lib/systemd/system/kubelet.service.d",
                                            "/etc/sysconfig/kubelet",
                                            "/etc/default/kubelet",
                                            "/var/lib/kubelet/config.yaml",
                                            "/var/lib/kubelet/kubeadm-flags.env",
                                            "/etc/ssh",
                                            "/etc/crypto-policies/back-ends"};
        size_t budget = FIX_MAX_FILES;
        for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
                copy_in(root, fixed[i], tmp, 0, &budget);
        const struct kubelet_facts *k = &f->kubelet;
        copy_in(root, k->config.path, tmp, 0, &budget);
        copy_in(root, k->config_dir, tmp, 0, &budget);
        copy_in(root, k->client_ca.path, tmp, 0, &budget);
        copy_in(root, k->kubeconfig.path, tmp, 0, &budget);
        for (size_t i = 0; i < f->sshd.cfg.n_files; i++)
                copy_in(root, f->sshd.cfg.files[i].path, tmp, 0, &budget);
        /* kubelet.service as systemd reads it, with the files its EnvironmentFile=
         * lines name: without one the copy's unit would not start, and every check
         * of the kubelet it describes would error. */
        struct sdunit u;
        _cleanup_free_ char *err = NULL;
        if (sdunit_load(root, "kubelet.service", &u, &err) == 0) {
                copy_in(root, u.path, tmp, 0, &budget);
                for (size_t i = 0; i < u.n_dropins; i++)
                        copy_in(root, u.dropins[i], tmp, 0, &budget);
                for (size_t i = 0; i < u.n_env_files; i++)
                        copy_in(root, u.env_files[i], tmp, 0, &budget);
                sdunit_free(&u);
        }
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(p) < 0 ? -1 : 0;
}

static const struct result *run_find(const struct run *run, const struct check_def *c)
{
        for (size_t i = 0; i < run->n; i++)
                if (run->results[i].check == c)
                        return &run->results[i];
        return NULL;
}

int fix_collect_and_run(const char *root, const char *proc, const bool *sel, struct facts *f, struct run *run)
{
        char *err = NULL;
        struct collect_opts co = {.root = root, .proc = proc, .needs = engine_needs(sel) | FACT_PROCS};
        if (facts_collect(&co, f, &err) < 0) {
                fprintf(stderr, "nodeward: fix: %s\n", err);
                free(err);
                return -EINVAL;
        }
        engine_run(f, NULL, sel, run); /* fix changes settings, never approvals */
        return 0;
}

int fix_prove(const struct fix_opts *o, const struct rootfs *root, const struct facts *f, const struct plan *p,
              const bool *sel, const struct run *before, FILE *out)
{
        const char *tmpdir = getenv("TMPDIR");
        _cleanup_free_ char *tmpl = xasprintf("%s/nodeward-fix.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
        if (!mkdtemp(tmpl))
                return -errno;
        copy_node_files(root, f, tmpl);
        for (size_t i = 0; i < p->n_files; i++) {
                _cleanup_free_ char *dst = fix_under(tmpl, p->files[i].path);
                int r = fix_write_new_file(dst, p->files[i].content, strlen(p->files[i].content), p->files[i].mode);
                if (r < 0)
                        fprintf(stderr, "nodeward: fix: %s in the copy: %s\n", p->files[i].path, strerror(-r));
        }
        /* The process table stays the node's: the kubelet's flags are what it runs with. */
        struct stat st;
        _cleanup_free_ char *proc = o->proc ? xstrdup(o->proc)
                                    : rootfs_stat(root, "/proc", &st) == 0 && S_ISDIR(st.st_mode)
                                            ? path_join(root->path, "proc")
                                            : NULL;
        struct facts af;
        struct run after;
        int r = fix_collect_and_run(tmpl, proc, sel, &af, &after);
        nftw(tmpl, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        if (r < 0)
                return r;
        int still = 0;
        bool cut = false;
        fprintf(out, "\nProof: the node's kubelet and sshd files re-resolved with these added:\n");
        for (size_t i = 0; i < after.n; i++) {
                const struct result *a = &after.results[i], *b = run_find(before, a->check);
                /* Not evaluated either way: on the manual list already. */
                if (!b || (!fix_not_ok(b) && !fix_not_ok(a)) || (b->status == ST_ERROR && a->status == ST_ERROR))
                        continue;
                still += fix_not_ok(a);
                char head[128];
                int n = snprintf(head, sizeof(head), "  %-4s -> %-4s  %-32s ", status_name(b->status),
                                 status_name(a->status), a->check->id);
                size_t len = strlen(a->evidence), keep = text_shortened(a->evidence, n > 0 ? (size_t)n : 0, o->width);
                fprintf(out, "%s%.*s%s\n", head, (int)keep, a->evidence, keep < len ? "..." : "");
                cut |= keep < len;
        }
        if (!still)
                text_fill(out,
                          p->manual.len ? "every check above passes with the files applied; the ones under \"Not "
                                          "fixable by a drop-in\" still need the changes named there"
                                        : "every check above passes with the files applied",
                          2, 4, o->width, false);
        if (cut)
                fprintf(out, "(evidence shortened to %u columns; --wide shows all of it)\n", o->width);
        run_free(&after);
        facts_free(&af);
        return still;
}
