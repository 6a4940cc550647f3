/* fix: the drop-ins that make the failed kubelet and sshd checks pass, proved on a copy.
 *
 * The kubelet merges the files of --config-dir in lexical order after --config, and
 * flags after both (kubernetes cmd/kubelet/app/server.go, "kubelet configuration
 * drop-in directory"): a drop-in named to sort last wins over the config and every
 * drop-in, never over a flag. sshd keeps the first value it reads for a keyword
 * (sshd_config(5)), so its file is named to sort first in the directory sshd_config
 * includes, and repeats a Match block's criteria where that block weakens a value.
 * The proof runs the same resolvers on a temporary copy of the files with the new
 * ones added; --root is only read. */
#define _GNU_SOURCE
#include "cli/fix.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"
#include "collect/facts.h"
#include "remedy.h"
#include "base/rootfs.h"
#include "base/sdunit.h"
#include "collect/sshd/sshd_config.h"
#include "base/util.h"
#include "render/report.h"

#define FIX_MAX_FILES 512
#define FIX_FILE_CAP (1u << 20)

struct planned {
        char *path;    /* where it goes on the node */
        char *content; /* the whole file */
        mode_t mode;
};

struct plan {
        struct planned files[2];
        size_t n_files;
        struct strbuf manual; /* what no drop-in can do, one "  id: text" line each */
        bool *handled;        /* by catalog index: in a planned file or on the manual list */
};

/* The checks fix plans for: a drop-in, or the place a flag is set. */
static bool fixable(const struct check_def *c)
{
        return c->fix || strcmp(c->id, "ssh.match-override") == 0 || strcmp(c->id, "kubelet.hostname-override") == 0;
}

/* The kubelet and sshd checks fix answers for, each either planned or listed with
 * its remediation. The network ones (sockets, probes, eBPF) judge what runs: a
 * file changes that only after a restart, and a copied root cannot show it. */
static bool in_scope(const struct check_def *c)
{
        return (str_startswith(c->id, "kubelet.") || str_startswith(c->id, "ssh.")) &&
               !(c->needs & (FACT_SOCKETS | FACT_PROBES | FACT_CONNWATCH));
}

static bool failed(const struct result *r)
{
        return r->status == ST_FAIL || r->status == ST_WARN;
}

/* Not passing: failed, or not evaluated (a check that errors is not fixed). */
static bool not_ok(const struct result *r)
{
        return failed(r) || r->status == ST_ERROR;
}

static void mark_handled(struct plan *p, const struct result *r)
{
        p->handled[r->check - check_catalog] = true;
}

/* Deep-merge @src into @dst (objects merge, everything else replaces), as the
 * kubelet merges drop-ins. */
static void json_merge(cJSON *dst, const cJSON *src)
{
        const cJSON *s;
        cJSON_ArrayForEach(s, src)
        {
                cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, s->string);
                if (d && cJSON_IsObject(d) && cJSON_IsObject(s))
                        json_merge(d, s);
                else if (d)
                        cJSON_ReplaceItemInObjectCaseSensitive(dst, s->string, cJSON_Duplicate(s, true));
                else
                        cJSON_AddItemToObject(dst, s->string, cJSON_Duplicate(s, true));
        }
}

/* A name that sorts after (@last) or before every entry of @dir under @root. */
static char *dropin_name(const struct rootfs *root, const char *dir, bool last)
{
        static const char *const firsts[] = {"00-nodeward.conf", "00-0-nodeward.conf", "0-nodeward.conf",
                                             "!nodeward.conf"};
        char **names = NULL;
        size_t n = 0;
        if (rootfs_list_dir(root, dir, FIX_MAX_FILES, &names, &n) < 0)
                n = 0;
        char *pick = NULL;
        if (last) {
                struct strbuf sb = {0};
                sb_puts(&sb, "99-nodeward.conf");
                for (size_t i = 0; i < n; i++)
                        while (strcmp(names[i], sb.buf) >= 0) {
                                char *t = xasprintf("z%s", sb.buf);
                                sb_free(&sb);
                                sb_puts(&sb, t);
                                free(t);
                        }
                pick = sb_steal(&sb);
        } else {
                for (size_t k = 0; k < ARRAY_SIZE(firsts) && !pick; k++) {
                        bool ok = true;
                        for (size_t i = 0; i < n && ok; i++)
                                ok = strcmp(firsts[k], names[i]) < 0;
                        if (ok)
                                pick = xstrdup(firsts[k]);
                }
        }
        strv_free(names, n);
        return pick;
}

static void plan_kubelet(const struct facts *f, const struct run *before, struct plan *p, const struct rootfs *root)
{
        const struct kubelet_facts *k = &f->kubelet;
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "apiVersion", "kubelet.config.k8s.io/v1beta1");
        cJSON_AddStringToObject(doc, "kind", "KubeletConfiguration");
        size_t n = 0;
        bool bottlerocket = remedy_flavour(f) == FLAVOUR_BOTTLEROCKET;
        if (k->found && !k->config_dir && !bottlerocket)
                sb_printf(&p->manual, "  kubelet: it runs without --config-dir, so no drop-in is read; add "
                                      "--config-dir (kubelet 1.30+) to use one, or change the values as below\n");
        for (size_t i = 0; i < before->n; i++) {
                const struct result *r = &before->results[i];
                int field = check_kfield(r->check);
                if (!failed(r) || field < 0)
                        continue;
                cJSON *frag = r->check->fix ? cJSON_Parse(r->check->fix) : NULL;
                /* Bottlerocket renders the kubelet's files from its settings at boot. */
                if (!frag || k->f[field].source == KSRC_FLAG || bottlerocket || !k->config_dir) {
                        /* A flag beats every file: only its removal helps. */
                        sb_printf(&p->manual, "  %s: %s\n", r->check->id, result_remediation(r));
                } else {
                        json_merge(doc, frag);
                        n++;
                }
                mark_handled(p, r);
                cJSON_Delete(frag);
        }
        if (n) {
                _cleanup_free_ char *name = dropin_name(root, k->config_dir, true);
                struct planned *pf = &p->files[p->n_files++];
                pf->path = path_join(k->config_dir, name);
                char *j = cJSON_Print(doc);
                pf->content = xasprintf("%s\n", j);
                free(j);
                pf->mode = 0644;
        }
        cJSON_Delete(doc);
}

/* The directory sshd_config includes (from the files it read), or NULL. */
static const char *sshd_dropin_dir(const struct sshd_config *c, char *buf, size_t size)
{
        for (size_t i = 1; i < c->n_files; i++) {
                snprintf(buf, size, "%s", c->files[i].path);
                char *slash = strrchr(buf, '/');
                if (slash && slash > buf && slash - buf >= 14 && strncmp(slash - 14, "/sshd_config.d", 14) == 0) {
                        *slash = '\0';
                        return buf;
                }
        }
        return NULL;
}

/* Lines "Keyword value" of @fix whose keyword is not yet in @have. */
static void add_lines(struct strbuf *sb, struct strbuf *have, const char *fix, const char *indent)
{
        _cleanup_free_ char *lines = xstrdup(fix);
        char *save = NULL;
        for (char *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char kw[70];
                snprintf(kw, sizeof(kw), "|%.*s|", (int)strcspn(l, " "), l);
                if (have->buf && strstr(have->buf, kw))
                        continue;
                sb_puts(have, kw);
                sb_printf(sb, "%s%s\n", indent, l);
        }
}

static void plan_sshd(const struct facts *f, const struct run *before, struct plan *p, const struct rootfs *root)
{
        const struct sshd_config *c = &f->sshd.cfg;
        if (!(f->collected & FACT_SSHD) || !c->found || c->error)
                return;
        struct strbuf body = {0}, have = {0};
        for (size_t i = 0; i < before->n; i++) {
                const struct result *r = &before->results[i];
                if (failed(r) && str_startswith(r->check->id, "ssh.") && r->check->fix)
                        add_lines(&body, &have, r->check->fix, "");
        }
        /* Match blocks that set a checked keyword to another value get the value
         * under the same criteria, read before them. */
        for (size_t m = 0; m < c->n_matches; m++) {
                struct strbuf block = {0}, mhave = {0};
                for (size_t i = 0; i < check_catalog_len; i++) {
                        const struct check_def *cd = &check_catalog[i];
                        if (!cd->fix || !str_startswith(cd->id, "ssh."))
                                continue;
                        _cleanup_free_ char *lines = xstrdup(cd->fix);
                        char *save = NULL;
                        for (char *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                                char kw[64];
                                if (sscanf(l, "%63s", kw) != 1)
                                        continue;
                                struct sshd_keyword k;
                                if (sshd_keyword_find(kw, &k) < 0 || k.opt < 0 || !c->matches[m].s.v[k.opt].set)
                                        continue;
                                _cleanup_free_ char *cur = sshd_value_text(k.opt, &c->matches[m].s.v[k.opt]);
                                const char *want = l + strlen(kw) + strspn(l + strlen(kw), " \t");
                                if (!cur || strcasecmp(cur, want) != 0)
                                        add_lines(&block, &mhave, l, "\t");
                        }
                }
                if (block.len)
                        sb_printf(&body, "\n# %s line %u weakens this for its connections\nMatch %s\n%s",
                                  c->matches[m].file ? c->matches[m].file : "?", c->matches[m].line,
                                  c->matches[m].criteria, block.buf);
                sb_free(&block);
                sb_free(&mhave);
        }
        sb_free(&have);
        if (!body.len)
                return;
        char dirbuf[4096];
        const char *dir = sshd_dropin_dir(c, dirbuf, sizeof(dirbuf));
        if (!dir) {
                sb_printf(&p->manual,
                          "  sshd: %s includes no sshd_config.d directory; add \"Include "
                          "/etc/ssh/sshd_config.d/*.conf\" as its first line so the file below is read first\n",
                          c->main_path ? c->main_path : "sshd_config");
                dir = "/etc/ssh/sshd_config.d";
        }
        _cleanup_free_ char *name = dropin_name(root, dir, false);
        if (!name) {
                sb_printf(&p->manual, "  sshd: no file name sorts before every file in %s\n", dir);
                sb_free(&body);
                return;
        }
        struct planned *pf = &p->files[p->n_files++];
        pf->path = path_join(dir, name);
        pf->content = xasprintf(
                "# Written by nodeward fix: read first, so these values win (sshd keeps the first).\n%s", body.buf);
        pf->mode = 0600;
        sb_free(&body);
        for (size_t i = 0; i < before->n; i++) {
                const struct result *r = &before->results[i];
                if (failed(r) && str_startswith(r->check->id, "ssh.") && fixable(r->check))
                        mark_handled(p, r);
        }
}

/* Every other check in scope that did not pass goes on the manual list, a failed
 * one with its remediation, so that a failure no file fixes is never left out.
 * Checks not evaluated for the same reason (no process table: every kubelet
 * check) share one line. */
static void plan_manual(const struct run *before, struct plan *p)
{
        for (size_t i = 0; i < before->n; i++) {
                const struct result *r = &before->results[i];
                if (!failed(r) || p->handled[r->check - check_catalog])
                        continue;
                sb_printf(&p->manual, "  %s: %s\n", r->check->id, result_remediation(r));
                mark_handled(p, r);
        }
        for (size_t i = 0; i < before->n; i++) {
                const struct result *r = &before->results[i];
                if (r->status != ST_ERROR || p->handled[r->check - check_catalog])
                        continue;
                struct strbuf ids = {0};
                size_t n = 0;
                for (size_t k = i; k < before->n; k++) {
                        const struct result *o = &before->results[k];
                        if (o->status != ST_ERROR || p->handled[o->check - check_catalog] ||
                            strcmp(o->evidence ? o->evidence : "", r->evidence ? r->evidence : "") != 0)
                                continue;
                        sb_printf(&ids, "%s%s", n++ ? ", " : "", o->check->id);
                        mark_handled(p, o);
                }
                const char *why = r->evidence ? r->evidence : "?";
                sb_printf(&p->manual, "  %s: %s%s\n", ids.buf,
                          str_startswith(why, "not evaluated") ? "" : "not evaluated: ", why);
                sb_free(&ids);
        }
}

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
static char *under(const char *dir, const char *path)
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

static int write_new_file(const char *path, const char *buf, size_t len, mode_t mode)
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
        _cleanup_free_ char *dst = under(tmp, rel);
        (void)write_new_file(dst, buf, len, st.st_mode & 0777);
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

/* @all: every check in scope (what the node fails); else the ones fix plans for
 * (what the proof re-runs). */
static bool *fix_selection(bool all)
{
        bool *sel = xcalloc(check_catalog_len, sizeof(bool));
        for (size_t i = 0; i < check_catalog_len; i++)
                sel[i] = all ? in_scope(&check_catalog[i]) : fixable(&check_catalog[i]);
        return sel;
}

static const struct result *run_find(const struct run *run, const struct check_def *c)
{
        for (size_t i = 0; i < run->n; i++)
                if (run->results[i].check == c)
                        return &run->results[i];
        return NULL;
}

static int collect_and_run(const char *root, const char *proc, const bool *sel, struct facts *f, struct run *run)
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

/* Re-resolve a copy with the planned files; print before -> after. Returns
 * how many planned checks still fail or cannot be evaluated, or -errno. */
static int prove(const struct fix_opts *o, const struct rootfs *root, const struct facts *f, const struct plan *p,
                 const struct run *before, FILE *out)
{
        const char *tmpdir = getenv("TMPDIR");
        _cleanup_free_ char *tmpl = xasprintf("%s/nodeward-fix.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
        if (!mkdtemp(tmpl))
                return -errno;
        copy_node_files(root, f, tmpl);
        for (size_t i = 0; i < p->n_files; i++) {
                _cleanup_free_ char *dst = under(tmpl, p->files[i].path);
                int r = write_new_file(dst, p->files[i].content, strlen(p->files[i].content), p->files[i].mode);
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
        _cleanup_free_ bool *sel = fix_selection(false);
        int r = collect_and_run(tmpl, proc, sel, &af, &after);
        nftw(tmpl, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        if (r < 0)
                return r;
        int still = 0;
        bool cut = false;
        fprintf(out, "\nProof: the node's kubelet and sshd files re-resolved with these added:\n");
        for (size_t i = 0; i < after.n; i++) {
                const struct result *a = &after.results[i], *b = run_find(before, a->check);
                /* Not evaluated either way: on the manual list already. */
                if (!b || (!not_ok(b) && !not_ok(a)) || (b->status == ST_ERROR && a->status == ST_ERROR))
                        continue;
                still += not_ok(a);
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

/* One "  id: what to change" entry a line, wrapped to the width: never shortened. */
static void print_manual(const struct fix_opts *o, const struct plan *p, FILE *out)
{
        fprintf(out, "\nNot fixable by a drop-in (change these where they are set):\n");
        _cleanup_free_ char *lines = xstrdup(p->manual.buf);
        char *save = NULL;
        for (char *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                text_fill(out, l, 2, 6, o->width, false);
}

static int emit_files(const struct fix_opts *o, const struct plan *p, FILE *out)
{
        for (size_t i = 0; i < p->n_files; i++) {
                const struct planned *pf = &p->files[i];
                if (!o->out_dir) {
                        fprintf(out, "\n== %s (mode %04o)\n%s", pf->path, (unsigned)pf->mode, pf->content);
                        continue;
                }
                _cleanup_free_ char *dst = under(o->out_dir, pf->path);
                int r = write_new_file(dst, pf->content, strlen(pf->content), pf->mode);
                if (r < 0) {
                        fprintf(stderr, "nodeward: fix: --out %s: %s: %s\n", o->out_dir, pf->path, strerror(-r));
                        return r;
                }
                fprintf(out, "wrote %s (for %s)\n", dst, pf->path);
        }
        return 0;
}

int fix_dry_run(const struct fix_opts *o, FILE *out)
{
        const char *rootp = o->root && *o->root ? o->root : "/";
        struct rootfs root = {.fd = -1};
        int r = rootfs_open_root(rootp, &root);
        if (r < 0) {
                fprintf(stderr, "nodeward: fix: --root %s: %s\n", rootp, strerror(-r));
                return 2;
        }
        _cleanup_free_ bool *sel = fix_selection(true);
        struct facts f;
        struct run before;
        if (collect_and_run(rootp, o->proc, sel, &f, &before) < 0) {
                rootfs_close(&root);
                return 2;
        }
        struct plan p = {.handled = xcalloc(check_catalog_len, sizeof(bool))};
        plan_kubelet(&f, &before, &p, &root);
        plan_sshd(&f, &before, &p, &root);
        plan_manual(&before, &p);
        _cleanup_free_ char *title = xasprintf("nodeward fix --dry-run: %s (%s); nothing is written to the node", rootp,
                                               remedy_flavour_name(remedy_flavour(&f)));
        text_fill(out, title, 0, 2, o->width, false);
        int rc = 0;
        if (!p.n_files && !p.manual.len) {
                fprintf(out, "no kubelet or sshd check fails\n");
        } else {
                rc = emit_files(o, &p, out) < 0 ? 2 : 0;
                if (p.manual.len)
                        print_manual(o, &p, out);
                /* Without a file to add, the copy would resolve as the node did. */
                int still = rc || !p.n_files ? 0 : prove(o, &root, &f, &p, &before, out);
                if (still < 0) {
                        fprintf(stderr, "nodeward: fix: proving on a copy: %s\n", strerror(-still));
                        rc = 2;
                } else if (!rc && (still > 0 || p.manual.len)) {
                        rc = 1;
                }
        }
        for (size_t i = 0; i < p.n_files; i++) {
                free(p.files[i].path);
                free(p.files[i].content);
        }
        sb_free(&p.manual);
        free(p.handled);
        run_free(&before);
        facts_free(&f);
        rootfs_close(&root);
        return rc;
}
