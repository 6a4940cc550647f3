/* report: render one run as text or JSON (nodeward.report/v1), both from the same data. */
#define _GNU_SOURCE
#include "render/report.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "base/version.h"

void report_meta_start(struct report_meta *m)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        time_t now = ts.tv_sec;
        m->started_epoch = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(m->started, sizeof(m->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
        m->duration_ms = 0;
        m->duration_s = 0;
}

void report_meta_finish(struct report_meta *m, const struct timespec *t0)
{
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        m->duration_ms = (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
        m->duration_s = (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

cJSON *report_benchmark_ref(const struct benchmark *b, const struct bench_item *it)
{
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "benchmark", b->name);
        cJSON_AddStringToObject(o, "version", b->version);
        cJSON_AddStringToObject(o, "item", it->item);
        cJSON_AddNumberToObject(o, "level", it->level);
        cJSON_AddStringToObject(o, "assessment", assessment_name(it->assessment));
        return o;
}

/* "references" stays a list of strings (v1 readers); the structured form is
 * "benchmark_references", empty when the check is not in the benchmark. */
void report_add_references(cJSON *j, const struct benchmark *b, const struct result *r)
{
        cJSON *refs = cJSON_AddArrayToObject(j, "references");
        cJSON *brefs = cJSON_AddArrayToObject(j, "benchmark_references");
        if (b && r->item) {
                _cleanup_free_ char *s = benchmark_ref_str(b, r->item);
                cJSON_AddItemToArray(refs, cJSON_CreateString(s));
                cJSON_AddItemToArray(brefs, report_benchmark_ref(b, r->item));
        }
        for (size_t k = 0; k < MAX_REFS && r->check->references[k]; k++)
                cJSON_AddItemToArray(refs, cJSON_CreateString(r->check->references[k]));
}

cJSON *report_json(const struct run *run, const struct report_meta *m)
{
        const struct run_node *n = &run->node;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "schema", "nodeward.report/v1");
        cJSON *tool = cJSON_AddObjectToObject(o, "tool");
        cJSON_AddStringToObject(tool, "name", "nodeward");
        cJSON_AddStringToObject(tool, "version", NODEWARD_VERSION);
        cJSON *node = cJSON_AddObjectToObject(o, "node");
        cJSON_AddStringToObject(node, "hostname", n->hostname ? n->hostname : "");
        if (n->name)
                cJSON_AddStringToObject(node, "name", n->name);
        cJSON_AddStringToObject(node, "root", n->root ? n->root : "/");
        cJSON_AddStringToObject(node, "kernel", n->kernel ? n->kernel : "");
        cJSON_AddStringToObject(node, "os", n->os ? n->os : "");
        if (n->bottlerocket) {
                cJSON_AddStringToObject(node, "platform", "bottlerocket");
                if (n->variant)
                        cJSON_AddStringToObject(node, "variant", n->variant);
                if (n->detected_by)
                        cJSON_AddStringToObject(node, "detected_by", n->detected_by);
        }
        cJSON_AddStringToObject(o, "started", m->started);
        cJSON_AddNumberToObject(o, "duration_ms", (double)m->duration_ms);
        if (run->benchmark) {
                cJSON *b = cJSON_AddObjectToObject(o, "benchmark");
                cJSON_AddStringToObject(b, "id", run->benchmark->id);
                cJSON_AddStringToObject(b, "name", run->benchmark->name);
                cJSON_AddStringToObject(b, "version", run->benchmark->version);
                cJSON_AddStringToObject(b, "selected_by", run->benchmark_why ? run->benchmark_why : "default");
        }
        cJSON *results = cJSON_AddArrayToObject(o, "results");
        for (size_t i = 0; i < run->n; i++) {
                const struct result *r = &run->results[i];
                const struct check_def *c = r->check;
                cJSON *j = cJSON_CreateObject();
                cJSON_AddStringToObject(j, "id", c->id);
                cJSON_AddStringToObject(j, "title", c->title);
                cJSON_AddStringToObject(j, "severity", severity_name(c->severity));
                cJSON_AddStringToObject(j, "status", status_name(r->status));
                cJSON_AddStringToObject(j, "evidence", r->evidence);
                cJSON_AddStringToObject(j, "remediation", result_remediation(r));
                report_add_references(j, run->benchmark, r);
                cJSON_AddItemToArray(results, j);
        }
        cJSON *sum = cJSON_AddObjectToObject(o, "summary");
        for (int s = 0; s < ST__COUNT; s++)
                cJSON_AddNumberToObject(sum, status_name((enum status)s), run->summary[s]);
        return o;
}

void report_watch_summary(cJSON *j, const struct run *run)
{
        cJSON *node = cJSON_AddObjectToObject(j, "node");
        if (run->node.name)
                cJSON_AddStringToObject(node, "name", run->node.name);
        cJSON_AddStringToObject(node, "hostname", run->node.hostname ? run->node.hostname : "");
        cJSON *sum = cJSON_AddObjectToObject(j, "summary");
        for (int k = 0; k < ST__COUNT; k++)
                cJSON_AddNumberToObject(sum, status_name((enum status)k), run->summary[k]);
        cJSON *res = cJSON_AddArrayToObject(j, "results");
        for (size_t i = 0; i < run->n; i++) {
                cJSON *r = cJSON_CreateObject();
                cJSON_AddStringToObject(r, "id", run->results[i].check->id);
                cJSON_AddStringToObject(r, "status", status_name(run->results[i].status));
                cJSON_AddStringToObject(r, "evidence", run->results[i].evidence);
                cJSON_AddItemToArray(res, r);
        }
}

void report_attempt_finding(cJSON *j, const struct run_attempt *a)
{
        cJSON_AddStringToObject(j, "check", a->check_id ? a->check_id : "");
        cJSON *pod = cJSON_AddObjectToObject(j, "pod");
        cJSON_AddStringToObject(pod, "uid", a->pod_uid);
        if (a->pod_name) {
                cJSON_AddStringToObject(pod, "namespace", a->pod_ns);
                cJSON_AddStringToObject(pod, "name", a->pod_name);
        }
        cJSON_AddStringToObject(pod, "container", a->container_id);
        cJSON_AddStringToObject(pod, "qos", a->qos);
        cJSON_AddBoolToObject(j, "host_network", a->host_network);
        cJSON_AddStringToObject(j, "daddr", a->daddr);
        cJSON_AddNumberToObject(j, "dport", a->dport);
        cJSON_AddNumberToObject(j, "pid", a->pid);
        cJSON_AddStringToObject(j, "comm", a->comm);
}

/* Below this many columns for the evidence, shortening would leave nothing to read. */
#define MIN_EVIDENCE_COLS 24

static const char *status_color(enum status s)
{
        static const char *const c[] = {"\033[32m", "\033[1;31m", "\033[33m", "\033[2m", "\033[35m"};
        return c[s];
}

static size_t area_len(const char *id)
{
        const char *dot = strchr(id, '.');
        return dot ? (size_t)(dot - id) : strlen(id);
}

static bool same_area(const char *a, const char *b)
{
        size_t n = area_len(a);
        return n == area_len(b) && strncmp(a, b, n) == 0;
}

/* Evidence is sanitized UTF-8 without control characters, so counting a column
 * per code point, no cut splits a character. */
size_t text_fit_columns(const char *s, size_t cols)
{
        size_t n = 0, i = 0;
        for (; s[i]; i++)
                if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == cols)
                        break;
        return i;
}

/* One line of the text report; returns whether the evidence was shortened. */
static bool text_line(FILE *out, const struct result *r, const struct text_opts *o)
{
        char st[8];
        snprintf(st, sizeof(st), "%s", status_name(r->status));
        for (char *p = st; *p; p++)
                *p = (char)(*p - 'a' + 'A');
        size_t id_len = strlen(r->check->id);
        size_t prefix = 2 + 5 + 1 + 8 + 1 + (id_len > 33 ? id_len : 33) + 1;
        size_t elen = strlen(r->evidence), keep = text_shortened(r->evidence, prefix, o->width);
        fprintf(out, "  %s%-5s%s %-8s %-33s %.*s%s\n", o->color ? status_color(r->status) : "", st,
                o->color ? "\033[0m" : "", severity_name(r->check->severity), r->check->id, (int)keep, r->evidence,
                keep < elen ? "..." : "");
        return keep < elen;
}

size_t text_shortened(const char *s, size_t indent, size_t width)
{
        size_t len = strlen(s);
        if (!width)
                return len;
        size_t room = width > indent + MIN_EVIDENCE_COLS ? width - indent : MIN_EVIDENCE_COLS;
        return text_fit_columns(s, room) < len ? text_fit_columns(s, room - 3) : len;
}

/* Where the line that starts at @p breaks within @n bytes: at the last pair of
 * spaces with @fields, else (or without one) at the last space; 0: nowhere. */
static size_t break_at(const char *p, size_t n, bool fields)
{
        for (size_t k = n; fields && k > 1; k--)
                if (p[k] == ' ' && p[k - 1] == ' ')
                        return k - 1;
        for (size_t k = n; k > 0; k--)
                if (p[k] == ' ')
                        return k;
        return 0;
}

void text_fill(FILE *out, const char *text, size_t first, size_t indent, size_t width, bool fields)
{
        const char *p = text;
        for (size_t in = first;; in = indent) {
                while (*p == ' ')
                        p++;
                if (!*p)
                        break;
                size_t room = !width ? SIZE_MAX : width > in + MIN_EVIDENCE_COLS ? width - in : MIN_EVIDENCE_COLS;
                size_t n = text_fit_columns(p, room);
                if (p[n]) {
                        size_t cut = break_at(p, n, fields);
                        n = cut ? cut : strcspn(p, " ");
                }
                fprintf(out, "%*s%.*s\n", (int)in, "", (int)n, p);
                p += n;
        }
}

/* The closing list: each failure at or above --fail-on, most severe first, with what to change. */
static void text_to_fix(FILE *out, const struct run *run, const struct text_opts *o)
{
        unsigned listed = 0, below = 0;
        for (int sev = SEV_CRITICAL; sev >= SEV_INFO; sev--)
                for (size_t i = 0; i < run->n; i++) {
                        const struct result *r = &run->results[i];
                        if (r->status != ST_FAIL || (int)r->check->severity != sev)
                                continue;
                        if (sev < (int)o->fail_on) {
                                below++;
                                continue;
                        }
                        if (!listed++)
                                fprintf(out, "\nTo fix (failed at or above %s, most severe first):\n",
                                        severity_name(o->fail_on));
                        fprintf(out, "  %-8s %s", severity_name(r->check->severity), r->check->id);
                        if (r->item)
                                fprintf(out, "  (%s item %s)", run->benchmark->id, r->item->item);
                        fputc('\n', out);
                        text_fill(out, result_remediation(r), 11, 11, o->width, false);
                }
        if (below)
                fprintf(out, "%s%u more failed below --fail-on %s; run with --fail-on %s to list them\n",
                        listed ? "" : "\n", below, severity_name(o->fail_on), severity_name(SEV_INFO));
}

/* A value read from the host, made safe for a terminal: a control character or a
 * byte that is not part of valid UTF-8 becomes \xNN, so an os-release or hostname
 * with escape sequences cannot repaint or retitle the operator's terminal. */
char *text_escape(const char *s)
{
        struct strbuf sb = {0};
        const unsigned char *p = (const unsigned char *)(s ? s : "");
        while (*p) {
                size_t n = *p < 0x80             ? 1
                           : (*p & 0xe0) == 0xc0 ? 2
                           : (*p & 0xf0) == 0xe0 ? 3
                           : (*p & 0xf8) == 0xf0 ? 4
                                                 : 0;
                bool ok = n > 0 && !(n == 2 && *p < 0xc2) && !(n == 4 && *p > 0xf4);
                for (size_t i = 1; ok && i < n; i++)
                        ok = (p[i] & 0xc0) == 0x80;
                if (!ok || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
                        sb_printf(&sb, "\\x%02x", *p++);
                        continue;
                }
                sb_putn(&sb, (const char *)p, n);
                p += n;
        }
        return sb_steal(&sb);
}

/* A line of the header, filled to the width: continuation lines indented. */
static void text_header_line(FILE *out, char *line, size_t width, bool fields)
{
        text_fill(out, line, 0, 2, width, fields);
        free(line);
}

static void text_header(FILE *out, const struct run *run, size_t width)
{
        const struct run_node *n = &run->node;
        char *name = n->name ? text_escape(n->name) : NULL, *host = text_escape(n->hostname), *os = text_escape(n->os),
             *kernel = text_escape(n->kernel), *root = text_escape(n->root);
        if (name)
                text_header_line(out,
                                 xasprintf("nodeward %s  node %s (hostname %s)  (%s, kernel %s)  root %s",
                                           NODEWARD_VERSION, name, host, os, kernel, root),
                                 width, true);
        else
                text_header_line(out,
                                 xasprintf("nodeward %s  node %s  (%s, kernel %s)  root %s", NODEWARD_VERSION, host, os,
                                           kernel, root),
                                 width, true);
        if (n->bottlerocket) {
                char *variant = text_escape(n->variant ? n->variant : "unknown");
                char *how = n->detected_by ? text_escape(n->detected_by) : NULL;
                text_header_line(out,
                                 xasprintf("platform Bottlerocket, variant %s: kubelet under /etc/kubernetes/kubelet, "
                                           "no host sshd (access through host containers: bottlerocket.*)%s%s",
                                           variant, how ? "; detected by " : "", how ? how : ""),
                                 width, false);
                free(variant);
                free(how);
        }
        free(name);
        free(host);
        free(os);
        free(kernel);
        free(root);
        if (run->benchmark)
                text_header_line(out,
                                 xasprintf("benchmark %s %s (%s)", run->benchmark->name, run->benchmark->version,
                                           run->benchmark_why ? run->benchmark_why : "default"),
                                 width, false);
}

/* A skip the "not a Kubernetes node" verdict already explains: counted, not listed. */
static bool folded(const struct run *run, const struct result *r, const struct text_opts *o)
{
        return !o->kubelet_expected && run->node.kubelet_missing && r->kubelet_absent && r->status == ST_SKIP;
}

static bool shown(const struct run *run, const struct result *r, const struct text_opts *o)
{
        return (!o->quiet || r->status == ST_FAIL || r->status == ST_ERROR) && !folded(run, r, o);
}

/* One line instead of leaving the reader to infer it from a screen of kubelet
 * skips, then one per area for the checks it skipped. */
static void text_not_a_node(FILE *out, const struct run *run, const struct text_opts *o)
{
        char *root = text_escape(run->node.root ? run->node.root : "/");
        text_header_line(out,
                         xasprintf("not a Kubernetes node: no kubelet (process, kubelet.service or config) under "
                                   "%s; host checks only",
                                   root),
                         o->width, false);
        free(root);
        if (o->quiet)
                return;
        for (size_t i = 0; i < run->n; i++) {
                const char *id = run->results[i].check->id;
                bool seen = false;
                unsigned n = 0;
                for (size_t k = 0; k < i && !seen; k++)
                        seen = same_area(run->results[k].check->id, id);
                for (size_t k = i; k < run->n && !seen; k++)
                        n += same_area(run->results[k].check->id, id) && folded(run, &run->results[k], o);
                if (seen || !n)
                        continue;
                text_header_line(out,
                                 xasprintf("%.*s: %u check%s skipped (no %s found); --format json lists each",
                                           (int)area_len(id), id, n, n == 1 ? "" : "s",
                                           str_startswith(id, "kube-proxy.") ? "kube-proxy" : "kubelet"),
                                 o->width, false);
        }
}

void report_text(FILE *out, const struct run *run, const struct report_meta *m, const struct text_opts *o)
{
        if (!o->quiet)
                text_header(out, run, o->width);
        if (!o->kubelet_expected && run->node.kubelet_missing)
                text_not_a_node(out, run, o);
        bool cut = false;
        /* Areas in order of first appearance, each with all of its checks. */
        for (size_t i = 0; i < run->n; i++) {
                const char *id = run->results[i].check->id;
                bool seen = false, any = false;
                for (size_t k = 0; k < i && !seen; k++)
                        seen = same_area(run->results[k].check->id, id);
                for (size_t k = i; k < run->n && !any; k++)
                        any = same_area(run->results[k].check->id, id) && shown(run, &run->results[k], o);
                if (seen || !any)
                        continue;
                if (!o->quiet)
                        fprintf(out, "\n%.*s\n", (int)area_len(id), id);
                for (size_t k = i; k < run->n; k++)
                        if (same_area(run->results[k].check->id, id) && shown(run, &run->results[k], o))
                                cut |= text_line(out, &run->results[k], o);
        }
        if (!o->quiet)
                text_to_fix(out, run, o);
        fprintf(out, "%s%zu checks: %u pass, %u fail, %u warn, %u skip, %u error  (%ld ms)\n", o->quiet ? "" : "\n",
                run->n, run->summary[ST_PASS], run->summary[ST_FAIL], run->summary[ST_WARN], run->summary[ST_SKIP],
                run->summary[ST_ERROR], m->duration_ms);
        if (cut)
                fprintf(out, "(evidence shortened to %u columns; --wide or --format json shows all of it)\n", o->width);
}
