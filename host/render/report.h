/* report: render one run as text, JSON (nodeward.report/v1), SARIF, Prometheus or an NPD line, all from the same data. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "engine.h"

struct report_meta {
        char started[32]; /* RFC 3339, UTC */
        long duration_ms;
        double started_epoch; /* Unix time of the start, for metrics */
        double duration_s;
};

void report_meta_start(struct report_meta *m);
void report_meta_finish(struct report_meta *m, const struct timespec *t0);

/* One structured benchmark reference: benchmark, version, item, level, assessment. */
cJSON *report_benchmark_ref(const struct benchmark *b, const struct bench_item *it);
/* Add "references" (strings, the benchmark's item first) and "benchmark_references" to @j. */
void report_add_references(cJSON *j, const struct benchmark *b, const struct result *r);

cJSON *report_json(const struct run *run, const struct report_meta *m);
/* One watch interval's "summary" line: @j gets the node, the summary and each
 * result's id, status and evidence. */
void report_watch_summary(cJSON *j, const struct run *run);
/* One pod connection attempt as a watch "finding" line's fields, added to @j. */
void report_attempt_finding(cJSON *j, const struct run_attempt *a);
/* How the text report is laid out. */
struct text_opts {
        bool color;
        bool quiet;            /* only failures and errors, then the summary line */
        unsigned width;        /* shorten evidence to this many columns; 0: full text */
        enum severity fail_on; /* "To fix" lists the failures at or above it */
        bool kubelet_expected; /* --expect kubelet: a missing kubelet is an error, not "not a node" */
};
/* @s (host data: a hostname, os-release, a path) for a terminal: control
 * characters and bytes outside valid UTF-8 as \xNN. Malloc'ed; NULL reads as "". */
char *text_escape(const char *s);
/* Bytes of @s (text_escape'd or sanitized evidence) that fit in @cols columns. */
size_t text_fit_columns(const char *s, size_t cols);
/* Bytes of evidence @s to print after @indent columns so that the line, with "..."
 * after a shortened one, fits @width (0: no limit): strlen(@s) when it fits. */
size_t text_shortened(const char *s, size_t indent, size_t width);
/* @text word-wrapped to @width columns (0: one line), the first line indented by
 * @first and the others by @indent; with @fields a line breaks where two spaces
 * part fields (the header's) before any other space. Never shortened: a word
 * wider than the room (a long path) is printed whole. */
void text_fill(FILE *out, const char *text, size_t first, size_t indent, size_t width, bool fields);
void report_text(FILE *out, const struct run *run, const struct report_meta *m, const struct text_opts *o);

/* SARIF 2.1.0 (report_sarif.c); @exit_code goes into the invocation. */
cJSON *report_sarif(const struct run *run, const struct report_meta *m, int exit_code);

/* Prometheus text exposition format 0.0.4 (report_metrics.c). */
void report_prometheus(FILE *out, const struct run *run, const struct report_meta *m);

/* The node-problem-detector custom plugin line (report_metrics.c): at most
 * NPD_LINE_MAX bytes, no newline; the exit code is the plugin status. */
#define NPD_LINE_MAX 80
char *report_npd_line(const struct run *run, enum severity fail_on, int exit_code);
