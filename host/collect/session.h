/* session: what a watch keeps across its intervals, and the facts of one interval that borrow from it. */
#pragma once

#include <stdbool.h>

#include "collect/facts.h"
#include "collect/observe/observe.h"

/* The collectors that enter other network namespaces, which takes CAP_SYS_ADMIN:
 * a session runs them at its start and again only for a new pod namespace. */
#define COLLECT_SESSION_PROBES (FACT_IMDS | FACT_POD_IMDS | FACT_POD_SSH | FACT_KUBELET_LIVE)

struct collect_session;

struct collect_session_opts {
        /* FACT_* bits the session keeps: FACT_CONNWATCH (the eBPF probe),
         * FACT_SOCKETS (netlink handles in the node's namespace) and the
         * COLLECT_SESSION_PROBES; other bits are ignored here. */
        unsigned needs;
        /* A first sighting by a pod, as the kernel reports it (observe.h). */
        void (*on_sighting)(const struct observed_attempt *a, void *data);
        /* Called once the eBPF probe attached, failed to or was not wanted
         * (FACT_CONNWATCH not kept), before the netlink handles are opened and
         * the probes run (they may take seconds). */
        void (*on_attached)(const struct observe_facts *of, void *data);
        void *data;
};

/* Open the root and its proc and fork the prober, first thing: while the caller
 * holds the least it ever will, so the prober inherits no BPF object, netlink
 * handle or API client (open those only after this returns). @base (its strings
 * too) and @so must stay valid for the session's life. A prober that cannot start
 * is not an error: later pod namespaces are then not probed, *ret_warning says
 * why. Returns 0, or -errno with *ret_err when the root or proc cannot be opened. */
int collect_session_open(const struct collect_opts *base, const struct collect_session_opts *so,
                         struct collect_session **ret, char **ret_warning, char **ret_err);

/* Still privileged: attach the eBPF probe, open the netlink handles, run the
 * namespace probes (their answers describe how the node was launched, so the
 * start is when they are taken). Failures become facts of later intervals. */
void collect_session_start(struct collect_session *s);

/* One interval's facts for @needs: collected afresh, with the probe's counts and
 * the latest probe answers borrowed from the session (->borrowed); facts_free()
 * leaves those to it. Only reads, so it runs after privileges are dropped.
 * Returns 0, or -errno with *ret_err as facts_collect(). */
int collect_session_collect(struct collect_session *s, unsigned needs, struct facts *ret, char **ret_err);

/* The probe's state (attached mode or error), for readiness. */
const struct observe_facts *collect_session_observe(const struct collect_session *s);
/* When the probe answers in the facts were taken (UTC, RFC 3339), or NULL: none yet. */
const char *collect_session_probed_at(const struct collect_session *s);
/* Consume sightings for up to @timeout_ms; sleeps when nothing is attached. */
void collect_session_poll(struct collect_session *s, int timeout_ms);

/* Detach the probe, stop the prober, close the handles. Accepts NULL. */
void collect_session_close(struct collect_session *s);
