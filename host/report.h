/* report: render one run as text or JSON (nodeward.report/v1), both from the same data. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "engine.h"
#include "facts.h"

struct report_meta {
        char started[32];  /* RFC 3339, UTC */
        long duration_ms;
};

void report_meta_start(struct report_meta *m);
void report_meta_finish(struct report_meta *m, const struct timespec *t0);

cJSON *report_json(const struct facts *f, const struct run *run, const struct report_meta *m);
void report_text(FILE *out, const struct facts *f, const struct run *run, const struct report_meta *m,
                 bool color);
