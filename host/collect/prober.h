/* prober: a process that keeps only what entering network namespaces needs, so a watch that holds
 * no such capability still probes from a pod network namespace that appears after it started. */
#pragma once

#include <stdbool.h>

#include "collect/facts.h"
#include "collect/probes/probe_wire.h"

struct prober;

/* When to run the probes. */
enum prober_when {
        PROBER_NOW,        /* run them */
        PROBER_IF_NEW_POD, /* only when the pod network namespace found now is not the last one probed from */
};

/* Fork the prober while the caller still holds its capabilities. It keeps, where
 * held, CAP_SYS_ADMIN (setns), CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (finding and
 * opening other processes' namespaces), CAP_SETUID and CAP_SETGID (its probe
 * children become nobody before they open a socket); nothing else, no_new_privs set.
 * @co (its strings too) must stay valid for the prober's life; only its network
 * probe needs are used. Returns 0 or -errno with *ret_err. */
int prober_start(const struct collect_opts *co, struct prober **ret, char **ret_err);

/* Ask the prober, waiting at most @timeout_ms. Returns 1 with *ret filled (the
 * probes ran), 0 when @when found nothing new to probe, or -errno (the prober is
 * gone or did not answer in time; it is stopped then and later asks fail). */
int prober_ask(struct prober *p, enum prober_when when, int timeout_ms, struct probe_answers *ret);

/* The prober's pid, for tests and for the privilege report; -1 once stopped. */
int prober_pid(const struct prober *p);

/* Close the channel, which ends the prober, and reap it. Accepts NULL. */
void prober_stop(struct prober *p);
