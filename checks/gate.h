/* gate: the one verdict for a check whose facts are missing, unreadable or not applicable. */
#pragma once

#include <stdbool.h>

#include "check.h"
#include "collect/facts.h"

/* The status of the fact @bit (one FACT_* bit) in @f. */
struct fact_status fact_status(const struct facts *f, unsigned bit);

/* The gate every check goes through (the engine before it runs a check, and the
 * check itself at its top): true when the facts in @needs and @uses can be judged.
 * Otherwise @r is set and false returned:
 *   a needed fact not live here, or its probes off, or not there (not EC2): SKIP, why;
 *   a needed or used fact unfinished at the deadline: ERROR "not evaluated: <deadline>";
 *   a needed or used fact unreadable: ERROR "not evaluated: <what> could not be read: <why>".
 * A used fact that is not live or not probed lets the check judge without it. */
bool fact_gate(const struct facts *f, unsigned needs, unsigned uses, struct result *r);
