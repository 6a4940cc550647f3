/* report_metrics: render one run for fleet monitors: Prometheus text exposition and a node-problem-detector line. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "render/report.h"
#include "base/util.h"
#include "base/version.h"

/* Label values: backslash, double quote and newline are the only escapes (exposition format 0.0.4). */
static void prom_label(FILE *out, const char *v)
{
        for (; *v; v++) {
                if (*v == '\\' || *v == '"')
                        fprintf(out, "\\%c", *v);
                else if (*v == '\n')
                        fputs("\\n", out);
                else
                        fputc(*v, out);
        }
}

static void prom_header(FILE *out, const char *name, const char *type, const char *help)
{
        fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Every check gets a series for every status (1 for the one it has), so a check that
 * starts failing changes a value instead of creating a series, and absent() stays simple. */
static void prom_pair(FILE *out, const char *name, const char *v, bool last);

/* Series carry the selected benchmark's item (empty labels when the check is not in it). */
static void prom_check_status(FILE *out, const struct run *run)
{
        prom_header(out, "nodeward_check_status", "gauge",
                    "Status of each check in the last run: 1 for the status it has, 0 for the others.");
        for (size_t i = 0; i < run->n; i++) {
                const struct result *r = &run->results[i];
                char level[8] = "";
                if (r->item)
                        snprintf(level, sizeof(level), "%u", (unsigned)r->item->level);
                for (int s = 0; s < ST__COUNT; s++) {
                        fputs("nodeward_check_status{id=\"", out);
                        prom_label(out, r->check->id);
                        fprintf(out, "\",severity=\"%s\",status=\"%s\",", severity_name(r->check->severity),
                                status_name((enum status)s));
                        prom_pair(out, "benchmark", run->benchmark ? run->benchmark->id : "", false);
                        prom_pair(out, "item", r->item ? r->item->item : "", false);
                        prom_pair(out, "level", level, false);
                        prom_pair(out, "assessment", r->item ? assessment_name(r->item->assessment) : "", true);
                        fprintf(out, "} %d\n", r->status == (enum status)s);
                }
        }
}

/* name="value" (escaped), followed by a comma unless @last. */
static void prom_pair(FILE *out, const char *name, const char *v, bool last)
{
        fprintf(out, "%s=\"", name);
        prom_label(out, v ? v : "");
        fprintf(out, "\"%s", last ? "" : ",");
}

/* Pod connection attempts seen by the eBPF probe, when this run observed. */
static void prom_pod_attempts(FILE *out, const struct run_node *n)
{
        if (!n->observed)
                return;
        prom_header(
                out, "nodeward_pod_connection_attempts_total", "counter",
                "TCP connect attempts by pods to node SSH, the metadata service or the kubelet, since observation began.");
        for (size_t i = 0; i < n->n_attempts; i++) {
                const struct run_attempt *a = &n->attempts[i];
                if (!a->pod)
                        continue;
                char port[8];
                snprintf(port, sizeof(port), "%u", a->dport);
                fputs("nodeward_pod_connection_attempts_total{", out);
                prom_pair(out, "kind", a->kind, false);
                prom_pair(out, "pod_uid", a->pod_uid, false);
                prom_pair(out, "pod_namespace", a->pod_ns, false);
                prom_pair(out, "pod_name", a->pod_name, false);
                prom_pair(out, "container_id", a->container_id, false);
                prom_pair(out, "host_network", a->host_network ? "true" : "false", false);
                prom_pair(out, "daddr", a->daddr, false);
                prom_pair(out, "dport", port, true);
                fprintf(out, "} %llu\n", a->count);
        }
}

void report_prometheus(FILE *out, const struct run *run, const struct report_meta *m)
{
        prom_check_status(out, run);
        prom_pod_attempts(out, &run->node);
        prom_header(out, "nodeward_checks", "gauge", "Number of checks with each status in the last run.");
        for (int s = 0; s < ST__COUNT; s++)
                fprintf(out, "nodeward_checks{status=\"%s\"} %u\n", status_name((enum status)s), run->summary[s]);
        prom_header(out, "nodeward_last_run_timestamp_seconds", "gauge", "Unix time at which the last run started.");
        fprintf(out, "nodeward_last_run_timestamp_seconds %.3f\n", m->started_epoch);
        prom_header(out, "nodeward_run_duration_seconds", "gauge",
                    "Time the last run took to collect facts and evaluate the checks.");
        fprintf(out, "nodeward_run_duration_seconds %.6f\n", m->duration_s);
        /* The node these metrics describe, also when the scraper labels them otherwise. */
        prom_header(out, "nodeward_node_info", "gauge",
                    "The node checked: Kubernetes node name (NODE_NAME; empty outside Kubernetes) and hostname.");
        fputs("nodeward_node_info{", out);
        prom_pair(out, "node", run->node.name, false);
        prom_pair(out, "hostname", run->node.hostname, true);
        fputs("} 1\n", out);
        prom_header(out, "nodeward_build_info", "gauge", "Version of the nodeward that produced these metrics.");
        fprintf(out, "nodeward_build_info{version=\"%s\"} 1\n", NODEWARD_VERSION);
}

/* Append " ID" to @sb if the line (plus room for a " +NNN" tail) still fits. */
static bool npd_append(struct strbuf *sb, const char *id, size_t limit)
{
        if (sb->len + 1 + strlen(id) + 5 > limit)
                return false;
        sb_putc(sb, ' ');
        sb_puts(sb, id);
        return true;
}

/* List the ids of results matching @st (and at least @min_sev), most severe first. */
static void npd_list(struct strbuf *sb, const struct run *run, enum status st, enum severity min_sev)
{
        unsigned left = 0;
        for (int sev = SEV_CRITICAL; sev >= (int)min_sev; sev--)
                for (size_t i = 0; i < run->n; i++) {
                        const struct result *r = &run->results[i];
                        if (r->status != st || r->check->severity != (enum severity)sev)
                                continue;
                        if (left || !npd_append(sb, r->check->id, NPD_LINE_MAX))
                                left++;
                }
        if (left)
                sb_printf(sb, " +%u", left);
}

/* One line for a node-problem-detector custom plugin; NPD keeps the first 80 bytes
 * (maxOutputLength) as the condition message, so the line is built to fit. */
char *report_npd_line(const struct run *run, enum severity fail_on, int exit_code)
{
        struct strbuf sb = {0};
        const unsigned *s = run->summary;
        if (exit_code == 1) {
                unsigned n = 0;
                for (size_t i = 0; i < run->n; i++)
                        n += run->results[i].status == ST_FAIL && run->results[i].check->severity >= fail_on;
                sb_printf(&sb, "NonOK: %u failed:", n);
                npd_list(&sb, run, ST_FAIL, fail_on);
        } else if (exit_code == 2) {
                sb_printf(&sb, "Unknown: %u not evaluated:", s[ST_ERROR]);
                npd_list(&sb, run, ST_ERROR, SEV_INFO);
        } else {
                sb_printf(&sb, "OK: %zu checks, %u pass, %u fail, %u warn, %u skip", run->n, s[ST_PASS], s[ST_FAIL],
                          s[ST_WARN], s[ST_SKIP]);
        }
        if (sb.len > NPD_LINE_MAX) {
                sb.buf[NPD_LINE_MAX] = '\0';
                sb.len = NPD_LINE_MAX;
        }
        return sb_steal(&sb);
}
