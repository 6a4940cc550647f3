/* report_junit: a run as JUnit XML: one testcase per check, a failure per failed check,
 * an error per check that could not be evaluated, skipped per skip. */
#define _GNU_SOURCE
#include <string.h>

#include "render/report_fleet.h"
#include "base/util.h"
#include "base/version.h"

/* XML 1.0 character data and attribute values: the five specials escaped, and control
 * characters (which XML 1.0 cannot carry at all) written as U+FFFD. */
static void xml_escaped(FILE *out, const char *s)
{
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                switch (*p) {
                case '&': fputs("&amp;", out); break;
                case '<': fputs("&lt;", out); break;
                case '>': fputs("&gt;", out); break;
                case '"': fputs("&quot;", out); break;
                case '\'': fputs("&apos;", out); break;
                case '\n': fputs("&#10;", out); break;
                case '\t': fputs("&#9;", out); break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                fputs("\xef\xbf\xbd", out);
                        else
                                fputc(*p, out);
                }
        }
}

static void attr(FILE *out, const char *name, const char *value)
{
        fprintf(out, " %s=\"", name);
        xml_escaped(out, value);
        fputc('"', out);
}

static void property(FILE *out, const char *name, const char *value)
{
        fputs("      <property", out);
        attr(out, "name", name);
        attr(out, "value", value);
        fputs("/>\n", out);
}

static void testcase(FILE *out, const struct run *run, const struct result *r)
{
        const struct check_def *c = r->check;
        _cleanup_free_ char *area = fleet_area(c->id);
        _cleanup_free_ char *cls = xasprintf("nodeward.%s", area);
        _cleanup_free_ char *ev = fleet_cap(r->evidence[0] ? r->evidence : c->title, FLEET_EVIDENCE_MAX);
        fputs("    <testcase", out);
        attr(out, "classname", cls);
        attr(out, "name", c->id);
        fputs(" time=\"0\">\n", out);
        /* A JUnit consumer knows no "warn": it passes, with the evidence in its output. */
        const char *elem = r->status == ST_FAIL    ? "failure"
                           : r->status == ST_ERROR ? "error"
                           : r->status == ST_SKIP  ? "skipped"
                                                   : NULL;
        if (elem) {
                fprintf(out, "      <%s", elem);
                attr(out, "message", ev);
                attr(out, "type", r->status == ST_FAIL ? severity_name(c->severity) : status_name(r->status));
                fputc('>', out);
                xml_escaped(out, c->title);
                if (r->status == ST_FAIL) {
                        fputs("&#10;", out);
                        if (run->benchmark && r->item) {
                                _cleanup_free_ char *ref = benchmark_ref_str(run->benchmark, r->item);
                                xml_escaped(out, ref);
                                fputs("&#10;", out);
                        }
                        fputs("Remediation: ", out);
                        xml_escaped(out, result_remediation(r));
                }
                fprintf(out, "</%s>\n", elem);
        }
        fputs("      <system-out>", out);
        xml_escaped(out, status_name(r->status));
        fputs(": ", out);
        xml_escaped(out, ev);
        fputs("</system-out>\n    </testcase>\n", out);
}

void report_junit(FILE *out, const struct run *run, const struct report_meta *m)
{
        char counts[160];
        snprintf(counts, sizeof(counts), " tests=\"%zu\" failures=\"%u\" errors=\"%u\"", run->n, run->summary[ST_FAIL],
                 run->summary[ST_ERROR]);
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"nodeward\"", out);
        fprintf(out, "%s time=\"%.3f\">\n", counts, m->duration_s);
        _cleanup_free_ char *suite = xasprintf("nodeward %s", fleet_node_name(run));
        fputs("  <testsuite", out);
        attr(out, "name", suite);
        fprintf(out, "%s skipped=\"%u\" time=\"%.3f\"", counts, run->summary[ST_SKIP], m->duration_s);
        attr(out, "timestamp", m->started);
        attr(out, "hostname", run->node.hostname ? run->node.hostname : "");
        fputs(">\n    <properties>\n", out);
        property(out, "nodeward.version", NODEWARD_VERSION);
        property(out, "node", fleet_node_name(run));
        if (run->benchmark)
                property(out, "benchmark", run->benchmark->id);
        fputs("    </properties>\n", out);
        for (size_t i = 0; i < run->n; i++)
                testcase(out, run, &run->results[i]);
        fputs("  </testsuite>\n</testsuites>\n", out);
}
