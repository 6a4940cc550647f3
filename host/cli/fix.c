/* fix: the drop-ins that make the failed kubelet and sshd checks pass, and what no drop-in can fix.
 *
 * The kubelet merges the files of --config-dir in lexical order after --config, and
 * flags after both (kubernetes cmd/kubelet/app/server.go, "kubelet configuration
 * drop-in directory"): a drop-in named to sort last wins over the config and every
 * drop-in, never over a flag. sshd keeps the first value it reads for a keyword
 * (sshd_config(5)), so its file is named to sort first in the directory sshd_config
 * includes, and repeats a Match block's criteria where that block weakens a value.
 * The proof (fix_proof.c) runs the same resolvers on a temporary copy of the files
 * with the new ones added; --root is only read. */
#define _GNU_SOURCE
#include "cli/fix_plan.h"

#include <stdlib.h>
#include <string.h>

#include "collect/facts.h"
#include "remedy.h"
#include "collect/sshd/sshd_config.h"
#include "render/report.h"

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
                if (!fix_failed(r) || field < 0)
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
                if (fix_failed(r) && str_startswith(r->check->id, "ssh.") && r->check->fix)
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
                                if (sshd_keyword_find(kw, &k) < 0 || k.opt < 0)
                                        continue;
                                const struct sshd_value *mv = sshd_match_value(&c->matches[m], k.opt);
                                if (!mv)
                                        continue;
                                _cleanup_free_ char *cur = sshd_value_text(k.opt, mv);
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
                if (fix_failed(r) && str_startswith(r->check->id, "ssh.") && fixable(r->check))
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
                if (!fix_failed(r) || p->handled[r->check - check_catalog])
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

/* @all: every check in scope (what the node fails); else the ones fix plans for
 * (what the proof re-runs). */
static bool *fix_selection(bool all)
{
        bool *sel = xcalloc(check_catalog_len, sizeof(bool));
        for (size_t i = 0; i < check_catalog_len; i++)
                sel[i] = all ? in_scope(&check_catalog[i]) : fixable(&check_catalog[i]);
        return sel;
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
                _cleanup_free_ char *dst = fix_under(o->out_dir, pf->path);
                int r = fix_write_new_file(dst, pf->content, strlen(pf->content), pf->mode);
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
        _cleanup_free_ bool *sel = fix_selection(true), *planned = fix_selection(false);
        struct facts f;
        struct run before;
        if (fix_collect_and_run(rootp, o->proc, sel, &f, &before) < 0) {
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
                int still = rc || !p.n_files ? 0 : fix_prove(o, &root, &f, &p, planned, &before, out);
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
