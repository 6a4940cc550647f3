/* list: `nodeward list`, the check catalog with each check's item in a benchmark, as text or JSON. */
#pragma once

#include "benchmarks.h"

/* --benchmark ID: the benchmark, or -EINVAL after telling stderr the valid ids. */
int cli_parse_benchmark(const char *s, const struct benchmark **ret);

/* `nodeward list [--benchmark ID] [--format text|json] | --benchmarks`; @help is its usage text.
 * Returns the exit status. */
int list_command(int argc, char **argv, const char *help);
