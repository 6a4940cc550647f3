/* gate: one table of where each fact's failure is recorded, and the one gate every check goes through. */
#include "gate.h"

#include <stddef.h>

#include "base/util.h"

static const char *procs_error(const struct facts *f)
{
        return f->procs_error;
}

/* The kubelet and kube-proxy are found by their process first: with no process
 * table, "not found" means "not looked for", unless a unit or path found them. */
static const char *kubelet_error(const struct facts *f)
{
        return f->kubelet.found ? NULL : f->procs_error;
}
static const char *kube_proxy_error(const struct facts *f)
{
        return f->kube_proxy.found ? NULL : f->procs_error;
}
static const char *sockets_error(const struct facts *f)
{
        return f->sockets.error;
}
static const char *owners_error(const struct facts *f)
{
        return f->sockets.error ? f->sockets.error : f->sockets.owners_error;
}
static const char *unit_error(const struct facts *f)
{
        return f->kubelet_unit.error;
}
static const char *imds_host_error(const struct facts *f)
{
        return f->imds.host_error;
}
/* Off EC2 (no metadata service answered the node) the pod side is moot: the
 * metadata checks skip on the host side first. */
static const char *imds_pod_error(const struct facts *f)
{
        return f->imds.reachable ? f->imds.pod_error : NULL;
}
static const char *pod_ssh_error(const struct facts *f)
{
        return f->imds.pod_error;
}
static const char *klive_error(const struct facts *f)
{
        return f->klive.host_error;
}
static const char *observe_error(const struct facts *f)
{
        return f->observe.error;
}
static const char *not_ec2(const struct facts *f)
{
        return f->imds.not_ec2;
}

/* Each fact, what it is called in evidence, and where its collector left why it
 * could not be read (and, for the probes, why it is not there). Facts without an
 * error field (the node, sshd, host, containerd, Bottlerocket, sysctl) record
 * their failures per setting, and their checks judge each one. privs_error is
 * not a fact's failure: the CLI refuses to report without the drop (main.c). */
static const struct fact_source {
        unsigned bit;
        const char *what;
        const char *(*unreadable)(const struct facts *f);
        const char *(*absent)(const struct facts *f);
} fact_sources[] = {
        {FACT_PROCS, "the process table", procs_error, NULL},
        {FACT_KUBELET, "the process table the kubelet is found in", kubelet_error, NULL},
        {FACT_KUBE_PROXY, "the process table kube-proxy is found in", kube_proxy_error, NULL},
        {FACT_SOCKETS, "the listening sockets", sockets_error, NULL},
        {FACT_OWNERS_SSH, "the listening sockets' owners", owners_error, NULL},
        {FACT_OWNERS_WILDCARD, "the listening sockets' owners", owners_error, NULL},
        {FACT_OWNERS_KUBELET, "the listening sockets' owners", owners_error, NULL},
        {FACT_KUBELET_FILES, "kubelet.service", unit_error, NULL},
        {FACT_IMDS, "the metadata service from the node", imds_host_error, not_ec2},
        {FACT_POD_IMDS, "the metadata service from a pod", imds_pod_error, not_ec2},
        {FACT_POD_SSH, "node SSH from a pod", pod_ssh_error, NULL},
        {FACT_KUBELET_LIVE, "the running kubelet's ports", klive_error, NULL},
        {FACT_CONNWATCH, "pod connection attempts (eBPF)", observe_error, NULL},
};

struct fact_status fact_status(const struct facts *f, unsigned bit)
{
        /* Owners are committed with the listening sockets. */
        unsigned committed_by = bit & FACTS_OWNERS ? FACT_SOCKETS : bit;
        if (f->unfinished & committed_by)
                return (struct fact_status){FS_UNFINISHED, "the facts", f->deadline_error};
        if (f->not_live && (committed_by & FACTS_LIVE))
                return (struct fact_status){FS_NOT_LIVE, "live facts", f->not_live};
        if (f->probes_off && (bit & FACT_PROBES))
                return (struct fact_status){FS_PROBES_OFF, "the network probes", f->probes_off};
        for (size_t i = 0; i < ARRAY_SIZE(fact_sources); i++) {
                const struct fact_source *s = &fact_sources[i];
                if (s->bit != bit)
                        continue;
                const char *why = s->absent ? s->absent(f) : NULL;
                if (why)
                        return (struct fact_status){FS_ABSENT, s->what, why};
                why = s->unreadable(f);
                if (why)
                        return (struct fact_status){FS_UNREADABLE, s->what, why};
        }
        return (struct fact_status){FS_OK, NULL, NULL};
}

/* The first fact among @bits in @state, or FS_OK. */
static struct fact_status first_in(const struct facts *f, unsigned bits, enum fact_state state)
{
        for (unsigned b = 1; b && b <= bits; b <<= 1) {
                if (!(bits & b))
                        continue;
                struct fact_status s = fact_status(f, b);
                if (s.state == state)
                        return s;
        }
        return (struct fact_status){FS_OK, NULL, NULL};
}

/* The one sentence for a fact that stops a check. */
static bool stopped(struct fact_status s, struct result *r)
{
        if (s.state == FS_OK)
                return false;
        if (s.state == FS_UNFINISHED)
                result_set(r, ST_ERROR, "not evaluated: %s", s.why);
        else if (s.state == FS_UNREADABLE)
                result_set(r, ST_ERROR, "not evaluated: %s could not be read: %s", s.what, s.why);
        else
                result_set(r, ST_SKIP, "%s", s.why);
        return true;
}

bool fact_gate(const struct facts *f, unsigned needs, unsigned uses, struct result *r)
{
        /* Not applicable first: a copied root's missing network is no error. */
        static const enum fact_state skips[] = {FS_NOT_LIVE, FS_PROBES_OFF, FS_ABSENT};
        for (size_t i = 0; i < ARRAY_SIZE(skips); i++)
                if (stopped(first_in(f, needs, skips[i]), r))
                        return false;
        /* Every check reads the node's identity (FACT_NODE) at least for its report;
         * a fact still being written by a stalled collector is read by no one. */
        return !stopped(first_in(f, needs | uses | FACT_NODE, FS_UNFINISHED), r) &&
               !stopped(first_in(f, needs, FS_UNREADABLE), r);
}

bool fact_gate_pass(const struct facts *f, unsigned uses, struct result *r)
{
        return !stopped(first_in(f, uses | FACT_NODE, FS_UNFINISHED), r) &&
               !stopped(first_in(f, uses, FS_UNREADABLE), r);
}
