/* expect: what the operator says this node runs, so that not finding it is an error, not a skip. */
#pragma once

#include "engine.h"
#include "collect/facts.h"

enum {
        EXPECT_KUBELET = 1u << 0,
};

/* @list: comma-separated component names ("kubelet"). Returns 0 or -EINVAL. */
int expect_parse(const char *list, unsigned *ret_expect);

/* The facts a run must collect to judge @expect. */
unsigned expect_needs(unsigned expect);

/* What @expect names and @f does not show, as one sentence; NULL when all is there. */
char *expect_unmet(unsigned expect, const struct facts *f);

/* Turn the skips of the checks of an expected component that was not found into
 * errors, and return the exit code of @run: engine_exit_code(), and 2 rather
 * than 0 when the missing component had no selected check to carry the error. */
int expect_apply(unsigned expect, const struct facts *f, struct run *run, enum severity fail_on);
