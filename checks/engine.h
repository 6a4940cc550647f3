/* engine: select checks, run them over the facts, summarize, and choose the exit code. */
#pragma once

#include <stdbool.h>

#include "check.h"

struct run {
        struct result *results; /* in catalog order, selected checks only */
        size_t n;
        unsigned summary[ST__COUNT];
        const struct benchmark *benchmark; /* the references are this benchmark's items */
        const char *benchmark_why;         /* how it was chosen */
};

/* @only and @skip: comma-separated ids or areas ("kubelet" selects "kubelet.*").
 * A selector that matches nothing is an error (a typo must not pass silently).
 * *ret_selected has check_catalog_len entries. */
int engine_select(const char *only, const char *skip, bool **ret_selected, char **ret_err);
unsigned engine_needs(const bool *selected);
void engine_run(const struct facts *f, const bool *selected, struct run *ret);
/* engine_run against @bench (NULL: the default benchmark); @why is kept for the report. */
void engine_run_benchmark(const struct facts *f, const bool *selected, const struct benchmark *bench,
                          const char *why, struct run *ret);
void run_free(struct run *r);

/* 1 if a check failed at or above @fail_on, else 2 if any could not be evaluated, else 0. */
int engine_exit_code(const struct run *r, enum severity fail_on);
