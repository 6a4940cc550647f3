/* facts: run the collectors the selected checks need, once each. */
#define _GNU_SOURCE
#include "collect/facts.h"
#include "collect/procscan.h"
#include "collect/sshd/sshd_running.h"

#include <errno.h>
#include <linux/magic.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <time.h>

#include "base/privs.h"
#include "base/sandbox.h"
#include "base/procfs.h"
#include "base/util.h"
#include "ownerscan.h"

const char *const facts_policy_engines[] = {
        "calico-node",  "calico-felix", "felix",     "cilium-agent", "aws-network-policy-agent",
        "antrea-agent", "kube-router",  "weave-npc", "ovnkube",      "kube-ovn-controller",
};
const size_t facts_n_policy_engines = ARRAY_SIZE(facts_policy_engines);

/* Every name a collector or check finds a process by (proc_table_find): only
 * their command lines are read. */
static const char *const process_names[] = {
        "kubelet",
        "kube-proxy",
        "sshd",
        "calico-node",
        "calico-felix",
        "felix",
        "cilium-agent",
        "aws-network-policy-agent",
        "antrea-agent",
        "kube-router",
        "weave-npc",
        "ovnkube",
        "kube-ovn-controller",
};

char *os_release_field(const char *buf, const char *key)
{
        size_t kl = strlen(key);
        for (const char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                if (strncmp(l, key, kl) != 0 || l[kl] != '=')
                        continue;
                const char *v = l + kl + 1;
                size_t n = strcspn(v, "\n");
                if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
                        v++;
                        n -= 2;
                }
                return n <= 256 ? xasprintf("%.*s", (int)n, v) : NULL;
        }
        return NULL;
}

/* hostname(5): comment lines are ignored, so the name is the first word of the first
 * line that is neither blank nor a comment. Its bytes are the host's: the report
 * escapes them. */
char *node_hostname_parse(const char *buf)
{
        for (const char *l = buf; *l;) {
                l += strspn(l, " \t\r");
                size_t n = strcspn(l, " \t\r\n");
                if (n && *l != '#')
                        return xasprintf("%.*s", (int)n, l);
                l += strcspn(l, "\n");
                l += *l == '\n';
        }
        return NULL;
}

static void os_release_collect(const struct rootfs *root, struct node_info *n)
{
        static const char *const paths[] = {"/etc/os-release", "/usr/lib/os-release"};
        for (size_t i = 0; i < ARRAY_SIZE(paths) && !n->os; i++) {
                char *buf;
                if (rootfs_read_file(root, paths[i], 64 * 1024, &buf, NULL, NULL) < 0)
                        continue;
                n->os = os_release_field(buf, "PRETTY_NAME");
                if (n->os) {
                        n->os_id = os_release_field(buf, "ID");
                        n->os_version_id = os_release_field(buf, "VERSION_ID");
                }
                free(buf);
        }
        if (!n->os)
                n->os = xstrdup("unknown");
}

/* A process table that is a plain directory holding process 1 but no namespace
 * link for it was copied from a node; a real procfs, an empty mount point or a
 * test's table with a namespace bound at 1/ns/net are not copies. */
static bool proc_is_copy(const struct rootfs *proc)
{
        struct stat st;
        char link[128];
        return !procfs_is_real(proc) && rootfs_stat(proc, "/1/cmdline", &st) == 0 &&
               rootfs_readlink(proc, "/1/ns/net", link, sizeof(link)) == -ENOENT &&
               rootfs_stat(proc, "/1/ns/net", &st) == -ENOENT;
}

/* A DaemonSet passes spec.nodeName as NODE_NAME: a DNS subdomain (RFC 1123), at
 * most 253 characters. Anything else is ignored rather than printed. */
static char *kubernetes_node_name(void)
{
        const char *v = getenv("NODE_NAME");
        if (!v || !*v || strlen(v) > 253 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(v))
                return NULL;
        return xstrdup(v);
}

/* The node's kernel is the one its procfs reports (PROC, else ROOT/proc): a
 * bundled or copied root names its own, and nodeward's uname would describe the
 * machine it runs on instead. uname only for the live root itself. */
static char *node_kernel(const struct rootfs *root, const struct rootfs *proc, bool root_is_slash,
                         const char *uname_release)
{
        char *buf = NULL;
        int r = -ENOENT;
        if (proc && proc->fd >= 0)
                r = rootfs_read_file(proc, "/sys/kernel/osrelease", 256, &buf, NULL, NULL);
        if (r < 0)
                r = rootfs_read_file(root, "/proc/sys/kernel/osrelease", 256, &buf, NULL, NULL);
        if (r == 0) {
                buf[strcspn(buf, " \t\r\n")] = '\0';
                if (*buf &&
                    strspn(buf, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-_~") == strlen(buf))
                        return buf;
                free(buf);
        }
        return xstrdup(root_is_slash ? uname_release : "unknown");
}

static void collect_node(const struct rootfs *root, const struct rootfs *proc, bool root_is_slash, struct node_info *n)
{
        struct utsname u;
        if (uname(&u) < 0)
                memset(&u, 0, sizeof(u));
        n->kernel = node_kernel(root, proc, root_is_slash, u.release);
        char *buf;
        n->hostname = NULL;
        if (!root_is_slash && rootfs_read_file(root, "/etc/hostname", NODE_HOSTNAME_CAP, &buf, NULL, NULL) == 0) {
                n->hostname = node_hostname_parse(buf);
                free(buf);
        }
        if (!n->hostname)
                n->hostname = xstrdup(u.nodename);
        os_release_collect(root, n);
        bottlerocket_detect(root, &n->br);
        n->name = kubernetes_node_name();
}

void observe_ports_from_sshd(const struct sshd_facts *s, struct observe_opts *oo)
{
        const struct sshd_config *c = &s->cfg;
        if (!c->found || c->error)
                return;
        const int *ports;
        const struct sshd_listen *l;
        size_t n = sshd_config_ports(c, &ports), nl = sshd_config_listen(c, &l);
        for (size_t i = 0; i < n + nl && oo->n_ssh_ports < OBSERVE_MAX_PORTS; i++) {
                int p = i < n ? ports[i] : l[i - n].port;
                bool dup = false;
                for (size_t k = 0; k < oo->n_ssh_ports; k++)
                        dup |= oo->ssh_ports[k] == p;
                if (p > 0 && p < 65536 && !dup)
                        oo->ssh_ports[oo->n_ssh_ports++] = (uint16_t)p;
        }
}

static long kubelet_port_of(const struct kubelet_facts *k, enum kfield id)
{
        if (!k->found || k->flag_error || k->load_error || k->f[id].error || !cJSON_IsNumber(k->f[id].value))
                return -1;
        return (long)k->f[id].value->valuedouble;
}

/* Owners only of the listeners the selected checks name, and sshd's processes
 * read first: the rest of the process table is walked only while one is missing. */
static void find_owners(unsigned needs, const struct rootfs *proc, struct facts *f)
{
        struct sockets *s = &f->sockets;
        if (!(needs & (FACT_OWNERS_SSH | FACT_OWNERS_WILDCARD | FACT_OWNERS_KUBELET)) || s->n == 0)
                return;
        long ports[24];
        size_t np = 0;
        if (needs & FACT_OWNERS_SSH) {
                ports[np++] = 22;
                const int *cfg = NULL;
                size_t nc = 0;
                if ((f->collected & FACT_SSHD) && f->sshd.cfg.found && !f->sshd.cfg.error)
                        nc = sshd_config_ports(&f->sshd.cfg, &cfg);
                for (size_t i = 0; i < nc && np < 16; i++)
                        ports[np++] = cfg[i];
        }
        if (needs & FACT_OWNERS_KUBELET) {
                ports[np++] = 10250;
                ports[np++] = 10255;
                if (f->collected & FACT_KUBELET) {
                        ports[np++] = kubelet_port_of(&f->kubelet, KF_PORT);
                        ports[np++] = kubelet_port_of(&f->kubelet, KF_READ_ONLY_PORT);
                }
        }
        bool *want = xcalloc(s->n, sizeof(bool));
        for (size_t i = 0; i < s->n; i++) {
                const struct listener *l = &s->v[i];
                if ((needs & FACT_OWNERS_WILDCARD) && listener_is_wildcard(l) && !l->ifindex)
                        want[i] = true;
                for (size_t k = 0; k < np && l->proto == IPPROTO_TCP; k++)
                        want[i] |= ports[k] == l->port;
        }
        struct owner_query q = {.want = want};
        pid_t *pids = NULL, *first = NULL;
        if ((f->collected & FACT_PROCS) && !f->procs_error) {
                pids = xcalloc(f->procs.n + 1, sizeof(*pids));
                first = xcalloc(f->procs.n + 1, sizeof(*first));
                for (size_t i = 0; i < f->procs.n; i++) {
                        const struct proc_entry *e = &f->procs.v[i];
                        pids[i] = e->pid;
                        if ((needs & FACT_OWNERS_SSH) && proc_entry_is(e, "sshd"))
                                first[q.n_first++] = e->pid;
                }
                q.pids = pids;
                q.n_pids = f->procs.n;
                q.first = first;
        }
        sockets_add_owners(proc, &q, s);
        free(pids);
        free(first);
        free(want);
}

bool proc_is_live(const struct rootfs *proc)
{
        struct statfs sf;
        return proc->fd >= 0 && fstatfs(proc->fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* The network probes of a run, each on its own thread: every one is bounded by its
 * own deadline, so the run waits for the longest of them, not for their sum. They
 * only read the facts collected before them, and each fills its own. */
struct probe_run {
        const struct collect_opts *o;
        unsigned needs;
        const struct rootfs *root, *proc;
        struct facts *f;
};

static void *probe_apiserver(void *p)
{
        struct probe_run *pr = p;
        apiserver_collect(pr->root, &pr->f->kubelet, &pr->f->apiserver);
        return NULL;
}

static void *probe_kubelet_live(void *p)
{
        struct probe_run *pr = p;
        struct klive_collect_opts ko = {.pod_netns = pr->o->pod_netns};
        klive_opts_from_kubelet(&pr->f->kubelet, &ko);
        klive_collect(pr->root, pr->proc, &ko, &pr->f->klive);
        return NULL;
}

static void *probe_imds(void *p)
{
        struct probe_run *pr = p;
        struct facts *f = pr->f;
        unsigned needs = pr->needs;
        struct imds_collect_opts io = {.host = needs & FACT_IMDS,
                                       .pod_imds = needs & FACT_POD_IMDS,
                                       .pod_ssh = needs & FACT_POD_SSH,
                                       .pod_netns = pr->o->pod_netns};
        if (f->sshd.cfg.found && !f->sshd.cfg.error)
                io.n_ssh_ports = sshd_config_ports(&f->sshd.cfg, &io.ssh_ports);
        imds_collect(pr->root, pr->proc, &io, &f->imds);
        return NULL;
}

static void run_probes(const struct collect_opts *o, unsigned needs, const struct rootfs *root,
                       const struct rootfs *proc, struct facts *f)
{
        struct probe_run pr = {o, needs, root, proc, f};
        void *(*fns[3])(void *);
        size_t n = 0;
        if (needs & FACT_APISERVER)
                fns[n++] = probe_apiserver;
        if (needs & FACT_KUBELET_LIVE)
                fns[n++] = probe_kubelet_live;
        if (needs & (FACT_IMDS | FACT_POD_IMDS | FACT_POD_SSH))
                fns[n++] = probe_imds;
        pthread_t t[3];
        bool started[3] = {false};
        /* The last one runs here; a thread that cannot start runs here too. */
        for (size_t i = 0; i + 1 < n; i++)
                started[i] = pthread_create(&t[i], NULL, fns[i], &pr) == 0;
        if (n)
                fns[n - 1](&pr);
        for (size_t i = 0; i + 1 < n; i++) {
                if (started[i])
                        pthread_join(t[i], NULL);
                else
                        fns[i](&pr);
        }
}

/* The probe is attached first, so the other collectors run while it observes. */
static void start_observing(const struct collect_opts *o, const struct rootfs *root, const struct rootfs *proc,
                            struct facts *f, struct observe_session **ret)
{
        struct observe_opts oo = {.seconds = o->observe_seconds,
                                  .verbose = o->verbose,
                                  .force_tracepoint = getenv("NODEWARD_FORCE_TRACEPOINT") != NULL};
        if (f->collected & FACT_SSHD)
                observe_ports_from_sshd(&f->sshd, &oo);
        if (f->collected & FACT_KUBELET)
                klive_observe_ports(&f->kubelet, &oo.kubelet_port, &oo.kubelet_ro_port);
        observe_begin(root, proc, &oo, &f->observe, ret);
        if (o->verbose && !f->observe.error)
                fprintf(stderr, "nodeward: attached (%s)\n", f->observe.mode);
        if (!f->observe.error)
                fprintf(stderr, "nodeward: observing TCP connect attempts for %d s\n", o->observe_seconds);
}

/* One run's collection: the options, what to collect, where, and the facts being
 * filled. With a deadline it runs on a thread of its own; the lock guards
 * @f->collected, @stage and @abandoned, and a collector's facts are written
 * only before its bit is committed. */
struct collect_job {
        struct collect_opts o;
        char **audit_watch; /* a copy: the caller frees its own when the deadline passes */
        unsigned needs;
        struct rootfs root, proc;
        int proc_err; /* opening PROC, when it failed */
        struct facts *f;
        struct facts *caller_f; /* where the caller wants them (@f when no thread is used) */
        pthread_mutex_t lock;
        pthread_cond_t cond;
        const char *stage;
        bool done, abandoned;
        /* The observer is attached and the privileged collectors are done: the
         * waiting thread drops to the readers as well (capabilities are per thread). */
        bool readers_only, waiter_dropped;
        char *waiter_privs_error;
};

static void stage_begin(struct collect_job *j, const char *name)
{
        pthread_mutex_lock(&j->lock);
        j->stage = name;
        pthread_mutex_unlock(&j->lock);
        testhook_stall(name);
}

static void stage_commit(struct collect_job *j, unsigned bits)
{
        pthread_mutex_lock(&j->lock);
        if (!j->abandoned)
                j->f->collected |= bits;
        pthread_mutex_unlock(&j->lock);
}

/* What the process table gives: the table itself, sshd (its effective ports are
 * what the probe watches, so first), the kubelet (its resolved ports too), and
 * the eBPF probe, attached as early as they are known. */
static void collect_processes(struct collect_job *j, struct observe_session **ret_obs)
{
        const struct collect_opts *o = &j->o;
        struct facts *f = j->f;
        struct rootfs *root = &j->root, *proc = &j->proc;
        unsigned needs = j->needs;
        if (needs & FACT_PROCS) {
                stage_begin(j, "the process table");
                int r = j->proc_err;
                if (r == 0)
                        r = procscan_read(proc, process_names, ARRAY_SIZE(process_names), &f->procs, NULL);
                if (r < 0)
                        f->procs_error = xasprintf("%s: %s", f->proc_path, rootfs_strerror(r));
                stage_commit(j, FACT_PROCS);
        }
        if (needs & FACT_SSHD) {
                stage_begin(j, "sshd");
                struct proc_table own = {0};
                if (!(needs & FACT_PROCS) && proc->fd >= 0) /* only sshd looks: its pid file first */
                        sshd_running_read(root, proc, &own);
                sshd_collect(root, (needs & FACT_PROCS) ? &f->procs : &own, j->o.sshd_config_only, &f->sshd);
                proc_table_free(&own);
                stage_commit(j, FACT_SSHD);
        }
        if (needs & FACT_KUBELET) {
                stage_begin(j, "the kubelet");
                kubelet_collect(root, proc, &f->procs, &f->kubelet);
                stage_commit(j, FACT_KUBELET);
        }
        if ((needs & FACT_CONNWATCH) && o->observe_seconds > 0) {
                stage_begin(j, "the eBPF probe");
                start_observing(o, root, proc, f, ret_obs);
                if (!*ret_obs) /* it could not attach: the checks say why (f->observe.error) */
                        stage_commit(j, FACT_CONNWATCH);
        }
}

/* The node's identity and Bottlerocket's settings; Bottlerocket's are filled apart
 * and committed with the node's other facts under the lock. */
static void collect_identity(struct collect_job *j)
{
        struct facts *f = j->f;
        struct rootfs *root = &j->root, *proc = &j->proc;
        stage_begin(j, "the node's identity");
        collect_node(root, proc, strcmp(f->root_path, "/") == 0, &f->node);
        stage_commit(j, FACT_NODE);
        if (!(j->needs & FACT_BOTTLEROCKET) || !f->node.br.is_bottlerocket)
                return;
        stage_begin(j, "Bottlerocket's settings");
        struct br_facts br = f->node.br;
        bottlerocket_collect(root, proc->fd >= 0 ? proc : NULL, f->procs_error ? NULL : &f->procs, &br);
        pthread_mutex_lock(&j->lock);
        if (!j->abandoned) {
                f->node.br = br;
                f->collected |= FACT_BOTTLEROCKET;
        }
        pthread_mutex_unlock(&j->lock);
}

/* The files of the host: the kubelet's units, kernel settings, host hardening,
 * containerd and kube-proxy. */
static void collect_files(struct collect_job *j)
{
        const struct collect_opts *o = &j->o;
        struct facts *f = j->f;
        struct rootfs *root = &j->root, *proc = &j->proc;
        unsigned needs = j->needs;
        const struct proc_table *procs = f->procs_error ? NULL : &f->procs;
        if (needs & FACT_KUBELET_FILES) {
                stage_begin(j, "the kubelet's unit files");
                kubelet_unit_files_collect(root, &f->kubelet_unit);
                stage_commit(j, FACT_KUBELET_FILES);
        }
        if (needs & FACT_SYSCTL) {
                stage_begin(j, "kernel settings");
                sysctl_collect(proc, f->proc_path, &f->sysctl);
                stage_commit(j, FACT_SYSCTL);
        }
        if (needs & FACT_HOST) {
                stage_begin(j, "host hardening settings");
                struct hostsec_opts ho = {.audit_watch = j->audit_watch,
                                          .n_audit_watch = o->n_audit_watch,
                                          .audit_watch_from = o->audit_watch_from};
                if (f->kubelet.found && f->kubelet.argc)
                        ho.kubelet_binary = f->kubelet.argv[0];
                if (f->kubelet.found && f->kubelet.has_config)
                        ho.kubelet_config = f->kubelet.config.path;
                hostsec_collect(root, proc, procs, &ho, &f->host);
                stage_commit(j, FACT_HOST);
        }
        if (needs & FACT_CONTAINERD) {
                stage_begin(j, "containerd's configuration");
                containerd_collect(root, &f->containerd);
                stage_commit(j, FACT_CONTAINERD);
        }
        if (needs & FACT_KUBE_PROXY) {
                stage_begin(j, "kube-proxy");
                kube_proxy_collect(root, proc, procs, &f->kube_proxy);
                stage_commit(j, FACT_KUBE_PROXY);
        }
}

/* The network: the probes, then the listening sockets and the owners the checks name. */
static void collect_network(struct collect_job *j)
{
        const struct collect_opts *o = &j->o;
        struct facts *f = j->f;
        struct rootfs *root = &j->root, *proc = &j->proc;
        unsigned needs = j->needs;
        if (needs & FACT_PROBES) {
                stage_begin(j, "the network probes");
                run_probes(o, needs, root, proc, f);
                stage_commit(j, needs & FACT_PROBES);
        }
        if (!(needs & FACT_SOCKETS))
                return;
        stage_begin(j, "listening sockets and their owners");
        /* The host's namespace is found through PROC/1; never fall back to
         * nodeward's own when the root has no process table. */
        if (o->sock_handles)
                sockets_collect_handles(o->sock_handles, o->sock_netns_what, proc->fd >= 0 ? proc : NULL, SOCKETS_ADDRS,
                                        &f->sockets);
        else if (proc->fd >= 0 || o->netns)
                sockets_collect(o->netns, proc->fd >= 0 ? proc : NULL, SOCKETS_ADDRS, &f->sockets);
        else
                f->sockets.error = xasprintf("%s: no process table, so no network namespace to read", f->proc_path);
        if (!f->sockets.error)
                find_owners(needs, proc->fd >= 0 ? proc : NULL, f);
        stage_commit(j, FACT_SOCKETS);
}

/* The observing window: attached, and the privileged collectors are done, so the
 * wait and the attribution only read. */
static void finish_observing(struct collect_job *j, struct observe_session *obs)
{
        struct facts *f = j->f;
        stage_begin(j, "the eBPF probe");
        privs_drop_to_readers(&f->privs_error);
        pthread_mutex_lock(&j->lock);
        j->readers_only = true;
        if (j->f != j->caller_f) /* a thread of its own: the waiting one drops too */
                pthread_cond_signal(&j->cond);
        pthread_mutex_unlock(&j->lock);
        observe_end(obs, &f->observe);
        observe_session_free(obs);
        stage_commit(j, FACT_CONNWATCH);
}

static void collect_stages(struct collect_job *j)
{
        /* The process table and the owners take one load of the iterators. */
        ownerscan_hold();
        struct observe_session *obs = NULL;
        collect_processes(j, &obs);
        collect_identity(j);
        collect_files(j);
        collect_network(j);
        if (obs)
                finish_observing(j, obs);
        ownerscan_release();
}

static void *collect_thread(void *p)
{
        struct collect_job *j = p;
        collect_stages(j);
        pthread_mutex_lock(&j->lock);
        j->done = true;
        pthread_cond_signal(&j->cond);
        pthread_mutex_unlock(&j->lock);
        return NULL;
}

/* What a run that passed its deadline keeps: the facts of every committed
 * collector, by the bit that commits it. Prologue fields are always kept. */
#define FACT_PART(bits, member)                                                           \
        {                                                                                 \
                bits, offsetof(struct facts, member), sizeof(((struct facts *)0)->member) \
        }
static const struct fact_part {
        unsigned bits;
        size_t off, size;
} fact_parts[] = {
        FACT_PART(FACT_NODE, node),
        FACT_PART(FACT_PROCS, procs),
        FACT_PART(FACT_PROCS, procs_error),
        FACT_PART(FACT_KUBELET, kubelet),
        FACT_PART(FACT_SSHD, sshd),
        FACT_PART(FACT_IMDS | FACT_POD_IMDS | FACT_POD_SSH, imds),
        FACT_PART(FACT_APISERVER, apiserver),
        FACT_PART(FACT_KUBELET_LIVE, klive),
        FACT_PART(FACT_SOCKETS, sockets),
        FACT_PART(FACT_CONNWATCH, observe),
        FACT_PART(FACT_CONNWATCH, privs_error),
        FACT_PART(FACT_KUBELET_FILES, kubelet_unit),
        FACT_PART(FACT_SYSCTL, sysctl),
        FACT_PART(FACT_KUBE_PROXY, kube_proxy),
        FACT_PART(FACT_HOST, host),
        FACT_PART(FACT_CONTAINERD, containerd),
};

/* The bits a run commits, given what it needs (FACT_OWNERS_* ride on FACT_SOCKETS). */
static unsigned planned_bits(const struct collect_job *j)
{
        unsigned plan = j->needs &
                        (FACT_NODE | FACT_PROCS | FACT_KUBELET | FACT_SSHD | FACT_SOCKETS | FACT_KUBELET_FILES |
                         FACT_SYSCTL | FACT_KUBE_PROXY | FACT_PROBES | FACT_HOST | FACT_CONTAINERD | FACT_BOTTLEROCKET);
        if ((j->needs & FACT_CONNWATCH) && j->o.observe_seconds > 0)
                plan |= FACT_CONNWATCH;
        return plan;
}

/* Called with the lock held, the collector thread still running: @ret gets the
 * committed facts (shared with the thread, which never frees them). */
static void keep_committed(const struct collect_job *j, struct facts *ret)
{
        const struct facts *w = j->f;
        memset(ret, 0, sizeof(*ret));
        ret->root_path = w->root_path;
        ret->proc_path = w->proc_path;
        ret->not_live = w->not_live;
        ret->probes_off = w->probes_off;
        ret->collected = w->collected;
        for (size_t i = 0; i < ARRAY_SIZE(fact_parts); i++)
                if (w->collected & fact_parts[i].bits)
                        memcpy((char *)ret + fact_parts[i].off, (const char *)w + fact_parts[i].off,
                               fact_parts[i].size);
        unsigned unfinished = planned_bits(j) & ~w->collected;
        if ((w->collected & FACT_NODE) && !w->node.br.is_bottlerocket)
                unfinished &= ~(unsigned)FACT_BOTTLEROCKET; /* it would not have run */
        ret->unfinished = unfinished ? unfinished : FACT_NODE;
        ret->deadline_error = xasprintf("the run's deadline (%u s%s) passed while nodeward was reading %s",
                                        j->o.deadline_ms / 1000, j->o.observe_seconds > 0 ? " after --observe" : "",
                                        j->stage ? j->stage : "the host");
}

/* What the run collects: @o->needs, with what those facts are built from. */
static unsigned needs_closure(const struct collect_opts *o)
{
        unsigned needs = o->needs | FACT_NODE;
        if ((needs & FACT_CONNWATCH) && o->observe_seconds > 0)
                needs |= FACT_SSHD | FACT_KUBELET;
        if (needs & (FACT_APISERVER | FACT_KUBELET_LIVE))
                needs |= FACT_KUBELET;
        if (needs & FACT_POD_SSH)
                needs |= FACT_SSHD; /* the pod probe tries sshd's real ports */
        if (needs & FACT_HOST)
                needs |= FACT_KUBELET; /* its binary and config are in the default audit watch set */
        unsigned read_procs = FACT_KUBELET | FACT_SOCKETS | FACT_CONNWATCH | FACT_KUBE_PROXY | FACT_SYSCTL | FACT_HOST |
                              FACT_BOTTLEROCKET;
        if (!o->sshd_by_pid_file)
                read_procs |= FACT_SSHD;
        if (needs & read_procs)
                needs |= FACT_PROCS;
        return needs;
}

/* PROC, when @needs reads it (the network probes too: pid 1's namespace and
 * kubepods processes). Only a --proc that cannot be opened fails the run; a root
 * without one leaves the error for the collectors (j->proc_err). */
static int open_proc(struct collect_job *j, unsigned needs, const char *rootp, char **ret_err)
{
        const struct collect_opts *o = &j->o;
        struct facts *f = j->f;
        if (!(needs & (FACT_PROCS | FACT_SSHD | FACT_IMDS | FACT_POD_IMDS | FACT_POD_SSH)))
                return 0;
        int r = o->proc ? procfs_open_root(o->proc, &j->proc) : procfs_open_subroot(&j->root, "proc", &j->proc);
        f->proc_path = o->proc ? xstrdup(o->proc) : path_join(rootp, "proc");
        if (r < 0 && o->proc) {
                *ret_err = xasprintf("--proc %s: %s", o->proc, strerror(-r));
                return r;
        }
        j->proc_err = r < 0 ? r : 0;
        return 0;
}

/* @needs without what this root cannot give: a copied root has no live network,
 * and a fixture root sends no packet and no DNS query unless --probe asks (its
 * names and addresses are made up; the machine running nodeward is not it). */
static unsigned narrow_to_root(struct collect_job *j, unsigned needs)
{
        const struct collect_opts *o = &j->o;
        struct facts *f = j->f;
        if (j->proc.fd >= 0 && !o->netns && !o->pod_netns && !o->sock_handles && proc_is_copy(&j->proc)) {
                f->not_live = xasprintf("copied root, no live network: %s is a plain directory without 1/ns/net",
                                        f->proc_path);
                if (needs & FACT_SOCKETS) {
                        f->sockets.error = xasprintf("not read: %s", f->not_live);
                        f->collected |= FACT_SOCKETS;
                }
                needs &= ~(unsigned)FACTS_LIVE;
        }
        if ((needs & FACT_PROBES) && !o->probe && !proc_is_live(&j->proc)) {
                f->probes_off = xasprintf("not probed: %s is not a live procfs (a fixture root); --probe sends "
                                          "the network probes",
                                          f->proc_path);
                needs &= ~(unsigned)FACT_PROBES;
        }
        return needs;
}

/* With a deadline the collectors run on a thread of their own, on facts and lists
 * of the job's (the caller's may be freed while a stalled collector still runs).
 * False when there is no deadline or no thread: the caller collects itself. */
static bool start_collect_thread(struct collect_job *j, struct facts *f, pthread_t *ret)
{
        const struct collect_opts *o = &j->o;
        if (!o->deadline_ms) {
                j->audit_watch = (char **)o->audit_watch;
                return false;
        }
        if (o->audit_watch) {
                j->audit_watch = xcalloc(o->n_audit_watch + 1, sizeof(char *));
                for (size_t i = 0; i < o->n_audit_watch; i++)
                        j->audit_watch[i] = xstrdup(o->audit_watch[i]);
        }
        j->o.audit_watch = NULL;
        j->f = xcalloc(1, sizeof(*j->f));
        memcpy(j->f, f, sizeof(*f));
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&j->cond, &ca);
        pthread_condattr_destroy(&ca);
        if (pthread_create(ret, NULL, collect_thread, j) == 0)
                return true;
        memcpy(f, j->f, sizeof(*f));
        free(j->f);
        j->f = f;
        return false;
}

/* Wait for the collector thread until the deadline (plus the observing window),
 * dropping to the readers' privileges when it does. True when it finished and
 * @f holds everything; false when it is left running and @f holds what it
 * committed (the thread keeps the roots, the job and every fact it filled). */
static bool wait_collect_thread(struct collect_job *j, pthread_t t, struct facts *f)
{
        const struct collect_opts *o = &j->o;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        uint64_t ms = o->deadline_ms + (uint64_t)(o->observe_seconds > 0 ? o->observe_seconds : 0) * 1000u;
        until.tv_sec += (time_t)(ms / 1000);
        until.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L)
                until.tv_sec++, until.tv_nsec -= 1000000000L;
        pthread_mutex_lock(&j->lock);
        while (!j->done && pthread_cond_timedwait(&j->cond, &j->lock, &until) != ETIMEDOUT) {
                if (j->readers_only && !j->waiter_dropped) {
                        j->waiter_dropped = true;
                        pthread_mutex_unlock(&j->lock);
                        privs_drop_to_readers(&j->waiter_privs_error);
                        pthread_mutex_lock(&j->lock);
                }
        }
        if (!j->done) {
                j->abandoned = true;
                keep_committed(j, f);
                pthread_mutex_unlock(&j->lock);
                pthread_detach(t);
                return false;
        }
        pthread_mutex_unlock(&j->lock);
        pthread_join(t, NULL);
        memcpy(f, j->f, sizeof(*f));
        free(j->f);
        if (j->waiter_privs_error && !f->privs_error)
                f->privs_error = j->waiter_privs_error;
        else
                free(j->waiter_privs_error);
        pthread_cond_destroy(&j->cond);
        if (j->audit_watch)
                strv_free(j->audit_watch, j->o.n_audit_watch);
        return true;
}

int facts_collect(const struct collect_opts *o, struct facts *f, char **ret_err)
{
        memset(f, 0, sizeof(*f));
        struct collect_job *j = xcalloc(1, sizeof(*j));
        j->o = *o;
        j->root.fd = j->proc.fd = -1;
        j->f = j->caller_f = f;
        const char *rootp = o->root && *o->root ? o->root : "/";
        int r = rootfs_open_root(rootp, &j->root);
        if (r < 0) {
                *ret_err = xasprintf("--root %s: %s", rootp, strerror(-r));
                free(j);
                return r;
        }
        f->root_path = xstrdup(rootp);
        unsigned needs = needs_closure(o);
        r = open_proc(j, needs, rootp, ret_err);
        if (r < 0) {
                rootfs_close(&j->root);
                free(f->root_path);
                free(f->proc_path);
                memset(f, 0, sizeof(*f));
                free(j);
                return r;
        }
        j->needs = narrow_to_root(j, needs);
        pthread_mutex_init(&j->lock, NULL);
        pthread_t t;
        if (!start_collect_thread(j, f, &t))
                collect_stages(j);
        else if (!wait_collect_thread(j, t, f))
                return 0; /* the thread goes on; the run keeps what it committed */
        pthread_mutex_destroy(&j->lock);
        rootfs_close(&j->proc);
        rootfs_close(&j->root);
        free(j);
        return 0;
}

void facts_free(struct facts *f)
{
        if (!f)
                return;
        if (f->unfinished) {
                /* Shared with a collector that may still run: the process's exit frees them. */
                free(f->deadline_error);
                memset(f, 0, sizeof(*f));
                return;
        }
        free(f->root_path);
        free(f->proc_path);
        free(f->node.hostname);
        free(f->node.name);
        free(f->node.kernel);
        free(f->node.os_id);
        free(f->node.os_version_id);
        free(f->not_live);
        free(f->node.os);
        bottlerocket_facts_free(&f->node.br);
        proc_table_free(&f->procs);
        free(f->procs_error);
        kubelet_facts_free(&f->kubelet);
        sshd_facts_free(&f->sshd);
        if (!(f->borrowed & (FACT_IMDS | FACT_POD_IMDS | FACT_POD_SSH)))
                imds_facts_free(&f->imds);
        apiserver_facts_free(&f->apiserver);
        if (!(f->borrowed & FACT_KUBELET_LIVE))
                klive_facts_free(&f->klive);
        sockets_free(&f->sockets);
        if (!(f->borrowed & FACT_CONNWATCH))
                observe_facts_free(&f->observe);
        kubelet_unit_files_free(&f->kubelet_unit);
        sysctl_facts_free(&f->sysctl);
        kube_proxy_facts_free(&f->kube_proxy);
        host_facts_free(&f->host);
        containerd_facts_free(&f->containerd);
        free(f->privs_error);
        free(f->probes_off);
        memset(f, 0, sizeof(*f));
}
