/* gate: the one verdict for a check whose facts are missing, unreadable or not applicable. */
#pragma once

#include <stdbool.h>

#include "check.h"
#include "collect/facts.h"

/* The status of the fact @bit (one FACT_* bit) in @f. */
struct fact_status fact_status(const struct facts *f, unsigned bit);

/* The gate every check goes through (the engine before it runs a check, and the
 * check itself at its top): true when the facts in @needs can be judged. Otherwise
 * @r is set and false returned:
 *   a needed fact not live here, its probes off, or not there (not EC2): SKIP, why;
 *   a needed or used fact unfinished at the deadline: ERROR "not evaluated: <deadline>";
 *   a needed fact unreadable: ERROR "not evaluated: <what> could not be read: <why>".
 * A fact in @uses is one the check reads when it is there: no verdict rests on it
 * alone, so only the deadline stops the check here; fact_gate_pass() guards the
 * verdicts that do rest on it. */
bool fact_gate(const struct facts *f, unsigned needs, unsigned uses, struct result *r);

/* Before a verdict that rests on the facts in @uses (a pass that nothing listens):
 * the same ERROR as fact_gate() when one is unreadable or unfinished. Not live or
 * not probed is no error here: the check judges without them and says so. */
bool fact_gate_pass(const struct facts *f, unsigned uses, struct result *r);
