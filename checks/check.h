/* check: the vocabulary of the catalog: severities, statuses, results and check definitions. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "benchmarks.h"

/* The checks read collected facts (collect/facts.h, which each checks/ source includes); the
 * declaration alone keeps the facts out of what renderers see through this header. */
struct facts;
struct listener;
struct policy;

enum severity {
        SEV_INFO,
        SEV_LOW,
        SEV_MEDIUM,
        SEV_HIGH,
        SEV_CRITICAL
};
enum status {
        ST_PASS,
        ST_FAIL,
        ST_WARN,
        ST_SKIP,
        ST_ERROR
};
#define ST__COUNT 5

/* A result's place on the node: a host path (NULL: unknown) and line (0: unknown),
 * and the layer the value came from ("file", "config", "drop-in", "kubeconfig",
 * "flag"; NULL: unknown). The layer can be known without a path (a flag). */
struct result_where {
        char *path;
        unsigned line, col;
        const char *layer;
};

struct result {
        const struct check_def *check;
        enum status status;
        char *evidence;
        /* The item of the selected benchmark this check is (NULL: not in it); set
         * before the check runs, so permission checks judge by the item's mode. */
        const struct bench_item *item;
        /* What to change on this node (checks/remedy.c), or NULL: the catalog's
         * remediation stands. */
        char *remediation;
        /* Where the setting lives on this node (checks/describe.c): what a report
         * points an operator to. */
        struct result_where where;
        /* A skip only because the node has no kubelet (or kube-proxy): the text
         * report counts these per area instead of listing them (describe.c). */
        bool kubelet_absent;
};

/* The remediation to show for @r: the node-specific one, else the catalog's. */
const char *result_remediation(const struct result *r);

/* The pod connection attempts a check reports (watch prints each as a finding). */
enum attempt_target {
        ATTEMPT_NONE,
        ATTEMPT_SSH,
        ATTEMPT_IMDS,
        ATTEMPT_KUBELET
};

typedef void (*check_fn)(const struct facts *f, struct result *r);
/* Whether a check applies to this node at all (Bottlerocket's checks on Bottlerocket);
 * false: @r is a SKIP saying why. It runs before the fact gate: a component the node
 * does not have is no error, however unreadable the facts about it are. */
typedef bool (*check_applies_fn)(const struct facts *f, struct result *r);
/* A check that judges against what the operator approves (policy/policy.h). */
typedef void (*check_policy_fn)(const struct facts *f, const struct policy *p, struct result *r);

#define MAX_REFS 4

struct check_def {
        const char *id;
        const char *title;
        enum severity severity;
        unsigned needs; /* FACT_* bits the check reads */
        const char *references[MAX_REFS];
        const char *remediation;
        check_fn fn; /* NULL for a check with a policy_fn */
        /* FACT_* bits the check also reads when they are there: without them (a
         * copied root has no live network) it still judges, and says what it missed. */
        unsigned uses;
        /* The value that passes, as data for `nodeward fix`: for a kubelet check a
         * KubeletConfiguration fragment (JSON), for an sshd check sshd_config lines
         * ("Keyword value", newline-separated). NULL: no config file fixes it. */
        const char *fix;
        enum attempt_target attempts; /* the pod attempts this check reports, if any */
        check_policy_fn policy_fn;    /* instead of fn: the check also reads the policy */
        check_applies_fn applies;     /* NULL: the check applies to every node */
        /* The kubelet field a check judges alone (its place on the node, and what `nodeward
         * fix` writes): KFIELD(KF_...) of collect/kubelet/kubelet.h, read with check_kfield().
         * An int, not enum kfield, keeps the facts out of what renderers see; it is stored
         * plus one so that a row without it (0) names no field. */
        int kfield;
        /* The Bottlerocket setting that changes that field (NULL: its kubelet-config
         * template fixes the field or leaves it out). */
        const char *bottlerocket;
};

#define KFIELD(kf) ((int)(kf) + 1)

/* The enum kfield a check judges, or -1 if it judges no single kubelet field. */
static inline int check_kfield(const struct check_def *c)
{
        return c->kfield - 1;
}

/* The catalog's check of the pod connection attempts to @target; NULL: none. */
const struct check_def *check_for_attempt(enum attempt_target target);

extern const struct check_def check_catalog[];
extern const size_t check_catalog_len;

/* Set the status and a printf-formatted evidence line. */
void result_set(struct result *r, enum status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

const char *severity_name(enum severity s);
int severity_parse(const char *s, enum severity *ret);
const char *status_name(enum status s);

/* Every check function, declared from its catalog row (checks/catalog.c): CHECK rows name a
 * check_fn, CHECK_POLICY rows a check_policy_fn. */
#define CHECK(func, ...) void func(const struct facts *f, struct result *r);
#define CHECK_POLICY(func, ...) void func(const struct facts *f, const struct policy *p, struct result *r);
#include "catalog_kubelet.h"
#include "catalog_host.h"
#include "catalog_containerd.h"
#include "catalog_ssh.h"
#include "catalog_network.h"
#include "catalog_bottlerocket.h"
#undef CHECK
#undef CHECK_POLICY

/* The most permissive mode a permission check accepts: its benchmark item's, else 0644. */
unsigned check_max_mode(const struct result *r);
/* A TCP listener on @port in the collected inventory; NULL if none or not collected. */
const struct listener *net_read_only_listener(const struct facts *f, long port);
/* Whether the node is Bottlerocket (false: @r is a SKIP); auditd's checks do not apply there. */
bool bottlerocket_applies(const struct facts *f, struct result *r);
bool host_auditd_applies(const struct facts *f, struct result *r);
/* A failed kubelet authentication check on a standalone Bottlerocket kubelet says so. */
void bottlerocket_standalone_note(const struct facts *f, struct result *r);
