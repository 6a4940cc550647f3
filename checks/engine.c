/* engine: select checks, run them over the facts, summarize, and choose the exit code. */
#define _GNU_SOURCE
#include "engine.h"
#include "gate.h"
#include "remedy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/redact.h"
#include "base/util.h"
#include "collect/facts.h"
#include "policy/policy.h"

#define EVIDENCE_CAP 4096

/* Evidence quotes host data, which an attacker on the node may control: keep it
 * valid UTF-8, free of control characters (no terminal escapes) and bounded. */
static void sanitize_evidence(char *s)
{
        unsigned char *p = (unsigned char *)s, *w = p;
        while (*p && (size_t)(w - (unsigned char *)s) < EVIDENCE_CAP) {
                size_t n = *p < 0x80             ? 1
                           : (*p & 0xe0) == 0xc0 ? 2
                           : (*p & 0xf0) == 0xe0 ? 3
                           : (*p & 0xf8) == 0xf0 ? 4
                                                 : 0;
                bool ok = n > 0 && !(n == 2 && *p < 0xc2) && !(n == 4 && *p > 0xf4);
                for (size_t i = 1; ok && i < n; i++)
                        ok = (p[i] & 0xc0) == 0x80;
                if (ok && n == 3)
                        ok = !(*p == 0xe0 && p[1] < 0xa0) && !(*p == 0xed && p[1] >= 0xa0);
                if (ok && n == 4)
                        ok = !(*p == 0xf0 && p[1] < 0x90) && !(*p == 0xf4 && p[1] >= 0x90);
                if (!ok || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
                        *w++ = '?';
                        p++;
                        continue;
                }
                memmove(w, p, n);
                w += n;
                p += n;
        }
        if (*p)
                memcpy(w - 3, "...", 3);
        *w = '\0';
}

void result_set(struct result *r, enum status st, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        free(r->evidence);
        if (vasprintf(&r->evidence, fmt, ap) < 0)
                abort();
        va_end(ap);
        sanitize_evidence(r->evidence);
        r->status = st;
}

static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};
static const char *const st_names[] = {"pass", "fail", "warn", "skip", "error"};

const char *severity_name(enum severity s)
{
        return sev_names[s];
}
const char *status_name(enum status s)
{
        return st_names[s];
}

int severity_parse(const char *s, enum severity *ret)
{
        for (size_t i = 0; i < ARRAY_SIZE(sev_names); i++)
                if (strcasecmp(s, sev_names[i]) == 0) {
                        *ret = (enum severity)i;
                        return 0;
                }
        return -EINVAL;
}

static bool selector_matches(const char *sel, size_t n, const char *id)
{
        if (strlen(id) == n && strncmp(id, sel, n) == 0)
                return true;
        /* An area (or any dotted prefix) selects everything below it. */
        return strncmp(id, sel, n) == 0 && id[n] == '.';
}

static int apply_list(const char *list, bool *sel, bool value, const char *opt, char **ret_err)
{
        const char *p = list;
        while (*p) {
                const char *c = strchrnul(p, ',');
                size_t n = (size_t)(c - p);
                while (n && p[0] == ' ')
                        p++, n--;
                while (n && p[n - 1] == ' ')
                        n--;
                if (n) {
                        bool any = false;
                        for (size_t i = 0; i < check_catalog_len; i++)
                                if (selector_matches(p, n, check_catalog[i].id)) {
                                        sel[i] = value;
                                        any = true;
                                }
                        if (!any) {
                                *ret_err = xasprintf("%s: no check or area named \"%.*s\" (see nodeward list)", opt,
                                                     (int)n, p);
                                return -EINVAL;
                        }
                }
                p = *c ? c + 1 : c;
        }
        return 0;
}

int engine_select(const char *only, const char *skip, bool **ret_selected, char **ret_err)
{
        bool *sel = xcalloc(check_catalog_len, sizeof(bool));
        for (size_t i = 0; i < check_catalog_len; i++)
                sel[i] = !only;
        if ((only && apply_list(only, sel, true, "--only", ret_err) < 0) ||
            (skip && apply_list(skip, sel, false, "--skip", ret_err) < 0)) {
                free(sel);
                return -EINVAL;
        }
        *ret_selected = sel;
        return 0;
}

/* Listeners read in nodeward's own namespace describe the host only when nodeward
 * runs in it: every verdict built on them says where they were read. */
static void note_netns_fallback(const struct facts *f, struct result *r)
{
        if (!((r->check->needs | r->check->uses) & FACT_SOCKETS) || !(f->collected & FACT_SOCKETS) ||
            !f->sockets.netns_fallback || r->status == ST_SKIP)
                return;
        char *e = xasprintf("%s; listeners %s", r->evidence, f->sockets.netns_fallback);
        free(r->evidence);
        r->evidence = e;
}

static void redact_result(struct result *r);

const char *result_remediation(const struct result *r)
{
        return r->remediation ? r->remediation : r->check->remediation;
}

unsigned engine_needs(const bool *selected)
{
        unsigned needs = 0;
        for (size_t i = 0; i < check_catalog_len; i++)
                if (selected[i])
                        needs |= check_catalog[i].needs | check_catalog[i].uses;
        return needs;
}

void engine_run(const struct facts *f, const struct policy *policy, const bool *selected, struct run *ret)
{
        engine_run_benchmark(f, policy, selected, NULL, NULL, ret);
}

void engine_run_benchmark(const struct facts *f, const struct policy *policy, const bool *selected,
                          const struct benchmark *bench, const char *why, struct run *ret)
{
        static const struct policy no_policy;
        if (!policy)
                policy = &no_policy;
        memset(ret, 0, sizeof(*ret));
        ret->benchmark = bench ? bench : benchmark_default();
        ret->benchmark_why = why ? why : "default";
        ret->results = xcalloc(check_catalog_len, sizeof(struct result));
        for (size_t i = 0; i < check_catalog_len; i++) {
                if (!selected[i])
                        continue;
                struct result *r = &ret->results[ret->n++];
                r->check = &check_catalog[i];
                r->status = ST_ERROR;
                r->item = benchmark_item(ret->benchmark, check_catalog[i].id);
                /* The same gate the checks call at their top: a check never runs on
                 * facts that are missing, unreadable or not this root's to have. */
                /* Whether a check applies is read from the node's identity: with
                 * that unfinished the gate's error stands instead. */
                if ((!check_catalog[i].applies || (f->unfinished & FACT_NODE) || check_catalog[i].applies(f, r)) &&
                    fact_gate(f, check_catalog[i].needs, check_catalog[i].uses, r)) {
                        if (check_catalog[i].policy_fn)
                                check_catalog[i].policy_fn(f, policy, r);
                        else
                                check_catalog[i].fn(f, r);
                }
                if (!r->evidence)
                        r->evidence = xstrdup("the check gave no evidence");
                note_netns_fallback(f, r);
                r->remediation = remedy_text(f, r);
                /* The one door every format and watch line goes through: evidence
                 * and remediation quote host values, and secrets are blanked here. */
                redact_result(r);
                ret->summary[r->status]++;
        }
        run_describe(ret, f);
}

static void redact_result(struct result *r)
{
        char *e = redact_text(r->evidence);
        free(r->evidence);
        r->evidence = e;
        if (r->remediation) {
                char *m = redact_text(r->remediation);
                free(r->remediation);
                r->remediation = m;
        }
}

void run_free(struct run *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n; i++) {
                free(r->results[i].evidence);
                free(r->results[i].remediation);
                free(r->results[i].where.path);
        }
        free(r->results);
        run_node_free(&r->node);
        memset(r, 0, sizeof(*r));
}

const struct check_def *check_for_attempt(enum attempt_target target)
{
        for (size_t i = 0; i < check_catalog_len; i++)
                if (target != ATTEMPT_NONE && check_catalog[i].attempts == target)
                        return &check_catalog[i];
        return NULL;
}

unsigned check_max_mode(const struct result *r)
{
        return r->item && r->item->max_mode ? r->item->max_mode : 0644;
}

int engine_exit_code(const struct run *r, enum severity fail_on)
{
        for (size_t i = 0; i < r->n; i++)
                if (r->results[i].status == ST_FAIL && r->results[i].check->severity >= fail_on)
                        return 1;
        return r->summary[ST_ERROR] ? 2 : 0;
}
