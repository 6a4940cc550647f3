/* kubelet_live: plan and run the live kubelet probes in the node's and a pod's network namespace. */
#define _GNU_SOURCE
#include "collect/probes/kubelet_live.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "collect/probes/klive_internal.h"
#include "base/netns.h"
#include "base/util.h"

static long number_field(const struct kubelet_facts *k, enum kfield id, long dflt)
{
        const struct kfield_value *v = &k->f[id];
        return !v->error && cJSON_IsNumber(v->value) ? (long)v->value->valuedouble : dflt;
}

void klive_opts_from_kubelet(const struct kubelet_facts *k, struct klive_collect_opts *o)
{
        const char *pod_netns = o->pod_netns;
        memset(o, 0, sizeof(*o));
        o->pod_netns = pod_netns;
        o->port = KLIVE_DEFAULT_PORT;
        o->ro_port = KLIVE_DEFAULT_RO_PORT;
        /* A configuration the kubelet would refuse tells nothing: probe the defaults. */
        if (!k->found || k->flag_error || k->load_error)
                return;
        long p = number_field(k, KF_PORT, KLIVE_DEFAULT_PORT);
        o->port = p > 0 && p < 65536 ? p : KLIVE_DEFAULT_PORT;
        p = number_field(k, KF_READ_ONLY_PORT, KLIVE_DEFAULT_RO_PORT);
        /* 0 disables it; 10255 is still asked, to catch a config that is not what runs. */
        o->ro_port = p > 0 && p < 65536 ? p : KLIVE_DEFAULT_RO_PORT;
        const cJSON *a = k->effective ? cJSON_GetObjectItemCaseSensitive(k->effective, "address") : NULL;
        if (cJSON_IsString(a) && *a->valuestring)
                o->address = a->valuestring;
        const cJSON *ca = k->f[KF_CLIENT_CA_FILE].value;
        if (cJSON_IsString(ca) && *ca->valuestring)
                o->ca_path = ca->valuestring;
}

void klive_observe_ports(const struct kubelet_facts *k, uint16_t *ret_port, uint16_t *ret_ro_port)
{
        *ret_port = *ret_ro_port = 0;
        if (!k->found || k->flag_error || k->load_error)
                return;
        long p = number_field(k, KF_PORT, 0), ro = number_field(k, KF_READ_ONLY_PORT, 0);
        *ret_port = p > 0 && p < 65536 ? (uint16_t)p : 0;
        *ret_ro_port = ro > 0 && ro < 65536 ? (uint16_t)ro : 0;
}

int klive_timeout_ms(void)
{
        const char *e = getenv("NODEWARD_PROBE_TIMEOUT_MS");
        long v = e ? strtol(e, NULL, 10) : 0;
        return v >= 100 && v <= 60000 ? (int)v : KLIVE_TIMEOUT_MS;
}

/* A socket address for @text:@port; false if @text is not an IP address. */
static bool make_addr(const char *text, long port, struct sockaddr_storage *ss, socklen_t *ret_len)
{
        memset(ss, 0, sizeof(*ss));
        struct sockaddr_in *s4 = (void *)ss;
        struct sockaddr_in6 *s6 = (void *)ss;
        if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
                s4->sin_family = AF_INET;
                s4->sin_port = htons((uint16_t)port);
                *ret_len = sizeof(*s4);
                return true;
        }
        if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1) {
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons((uint16_t)port);
                *ret_len = sizeof(*s6);
                return true;
        }
        return false;
}

static bool is_wildcard(const char *a)
{
        return !a || !*a || strcmp(a, "0.0.0.0") == 0 || strcmp(a, "::") == 0;
}

static bool is_loopback(const char *a)
{
        return str_startswith(a, "127.") || strcmp(a, "::1") == 0;
}

struct primary {
        char addr[INET6_ADDRSTRLEN];
        bool by_route;
};

/* The node's primary address: the source the kernel picks for the default route
 * (a UDP connect sends nothing), else the first global IPv4 address. */
static void primary_job(void *argp, void *outp)
{
        (void)argp;
        struct primary *p = outp;
        struct sockaddr_in d = {.sin_family = AF_INET, .sin_port = htons(9)}, s = {0};
        socklen_t sl = sizeof(s);
        inet_pton(AF_INET, "192.0.2.1", &d.sin_addr); /* TEST-NET-1: only the default route leads there */
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&d, sizeof(d)) == 0 &&
            getsockname(fd, (struct sockaddr *)&s, &sl) == 0 && s.sin_addr.s_addr != 0) {
                inet_ntop(AF_INET, &s.sin_addr, p->addr, sizeof(p->addr));
                p->by_route = true;
        }
        if (fd >= 0)
                close(fd);
        struct ifaddrs *ifa;
        if (p->by_route || getifaddrs(&ifa) < 0)
                return;
        for (struct ifaddrs *i = ifa; i && !p->addr[0]; i = i->ifa_next) {
                if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK) || i->ifa_addr->sa_family != AF_INET)
                        continue;
                const struct sockaddr_in *a = (const void *)i->ifa_addr;
                if ((ntohl(a->sin_addr.s_addr) >> 16) != 0xa9fe) /* not 169.254/16 */
                        inet_ntop(AF_INET, &a->sin_addr, p->addr, sizeof(p->addr));
        }
        freeifaddrs(ifa);
}

static void primary_check(void *out)
{
        struct primary *p = out;
        FLAT_STR(p->addr);
        flat_bool(&p->by_route);
}

/* Where each side knocks. Node side: the bind address, loopback for a wildcard.
 * Pod side: the bind address, the node's primary address for a wildcard, none for loopback. */
static void choose_targets(const struct klive_collect_opts *o, const struct netns_plan *plan, struct klive_facts *f)
{
        const char *a = o->address ? o->address : "0.0.0.0";
        f->address = xstrdup(a);
        f->node_addr = xstrdup(!is_wildcard(a) ? a : strchr(a, ':') ? "::1" : "127.0.0.1");
        if (!f->have_pod)
                return;
        if (!is_wildcard(a) && is_loopback(a)) {
                f->pod_addr_why = xasprintf("the kubelet binds %s only: no pod can reach it", a);
        } else if (!is_wildcard(a)) {
                f->pod_addr = xstrdup(a);
                f->pod_addr_why = xasprintf("the kubelet's bind address %s", a);
        } else if (!f->host_error) {
                struct primary p = {0};
                struct ns_job j = {.ns_fd = plan->host_fd,
                                   .fn = primary_job,
                                   .check = primary_check,
                                   .out = &p,
                                   .out_size = sizeof(p)};
                ns_jobs_run(&j, 1, f->timeout_ms);
                if (j.err == 0 && p.addr[0]) {
                        f->pod_addr = xstrdup(p.addr);
                        f->pod_addr_why = xasprintf(
                                "the node's primary address %s (%s; the kubelet binds %s)", p.addr,
                                p.by_route ? "source of the default route" : "first global IPv4, no default route", a);
                } else {
                        f->pod_addr_why = xstrdup("the node has no global IPv4 address to probe from the pod");
                }
        }
}

struct get_arg {
        struct sockaddr_storage ss;
        socklen_t sl;
        bool tls;
        char host[80];
        char target[80];
};

/* Parent side: a child's answer made valid before anything reads it (see ns_job.check). */
static void http_check(struct klive_http *h)
{
        flat_bool(&h->tried);
        flat_bool(&h->connected);
        FLAT_STR(h->target);
        FLAT_STR(h->tls_error);
}

static void handshake_check(struct klive_handshake *h)
{
        flat_bool(&h->tried);
        flat_bool(&h->connected);
        FLAT_STR(h->version);
        FLAT_STR(h->cipher);
}

static void cert_check(struct klive_cert *c)
{
        flat_bool(&c->have);
        flat_bool(&c->self_signed);
        flat_bool(&c->not_yet_valid);
        FLAT_STR(c->subject);
        FLAT_STR(c->issuer);
        FLAT_STR(c->ca_error);
}

static void get_job_check(void *out)
{
        http_check(out);
}

void klive_facts_sanitize(struct klive_facts *f)
{
        flat_bool(&f->have_pod);
        struct klive_http *hs[] = {&f->node_ro, &f->node_api, &f->pod_ro, &f->pod_api};
        for (size_t i = 0; i < ARRAY_SIZE(hs); i++)
                http_check(hs[i]);
        FLAT_STR(f->tls.target);
        handshake_check(&f->tls.modern);
        handshake_check(&f->tls.old);
        handshake_check(&f->tls.weak);
        cert_check(&f->tls.cert);
}

static void get_job(void *argp, void *outp)
{
        const struct get_arg *a = argp;
        struct klive_http *h = outp;
        memcpy(h->target, a->target, sizeof(h->target)); /* the child's output starts zeroed */
        h->timeout_ms = klive_timeout_ms();
        klive_get_pods((const struct sockaddr *)&a->ss, a->sl, a->tls, a->host, h);
}

struct tls_arg {
        struct sockaddr_storage ss;
        socklen_t sl;
        enum klive_offer offer;
        const char *ca;
        size_t ca_len;
};

struct tls_out {
        struct klive_handshake h;
        struct klive_cert cert;
};

static void tls_job_check(void *out)
{
        struct tls_out *t = out;
        handshake_check(&t->h);
        cert_check(&t->cert);
}

static void tls_job(void *argp, void *outp)
{
        const struct tls_arg *a = argp;
        struct tls_out *t = outp;
        klive_handshake((const struct sockaddr *)&a->ss, a->sl, a->offer, a->ca, a->ca_len, &t->h, &t->cert);
}

#define MAX_JOBS 7

struct job_set {
        struct ns_job jobs[MAX_JOBS];
        size_t n, n_get;
        struct get_arg get[4];
        struct tls_arg tls[3];
        struct tls_out tls_out[3];
};

/* Does a TCP connect to @ss from nodeward's own namespace meet a refusal at once?
 * A closed port of this host answers the SYN with a reset within a few
 * milliseconds, so its probes need no child (the connect reads nothing from the
 * network); anything slower, or a connection, goes to the probe child as before. */
#define REFUSAL_WAIT_MS 10

static bool refused_here(const struct sockaddr_storage *ss, socklen_t sl)
{
        int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return false;
        bool refused = false;
        if (connect(fd, (const struct sockaddr *)ss, sl) < 0) {
                refused = errno == ECONNREFUSED;
                struct pollfd p = {.fd = fd, .events = POLLOUT};
                int err = 0;
                socklen_t el = sizeof(err);
                if (errno == EINPROGRESS && poll(&p, 1, REFUSAL_WAIT_MS) == 1 &&
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0)
                        refused = err == ECONNREFUSED;
        }
        close(fd);
        return refused;
}

static void add_get(struct job_set *js, int fd, const char *addr, long port, bool tls, struct klive_http *out)
{
        bool v6 = strchr(addr, ':');
        out->timeout_ms = klive_timeout_ms();
        snprintf(out->target, sizeof(out->target), "%s://%s%s%s:%ld/pods", tls ? "https" : "http", v6 ? "[" : "", addr,
                 v6 ? "]" : "", port);
        struct get_arg *a = &js->get[js->n_get];
        if (js->n_get == ARRAY_SIZE(js->get) || !make_addr(addr, port, &a->ss, &a->sl)) {
                out->tried = true;
                out->err = -EINVAL;
                return;
        }
        if (fd < 0 && refused_here(&a->ss, a->sl)) {
                /* What the child's klive_get_pods() would report. */
                out->tried = true;
                out->pods = -1;
                out->err = -ECONNREFUSED;
                return;
        }
        a->tls = tls;
        memcpy(a->target, out->target, sizeof(a->target));
        snprintf(a->host, sizeof(a->host), "%s%s%s:%ld", v6 ? "[" : "", addr, v6 ? "]" : "", port);
        js->n_get++;
        js->jobs[js->n++] = (struct ns_job){
                .ns_fd = fd, .fn = get_job, .check = get_job_check, .arg = a, .out = out, .out_size = sizeof(*out)};
}

static void add_tls(struct job_set *js, int fd, const struct sockaddr_storage *ss, socklen_t sl, enum klive_offer of,
                    const char *ca, size_t ca_len, size_t k)
{
        if (fd < 0 && refused_here(ss, sl)) {
                /* What the child's klive_handshake() would report. */
                js->tls_out[k].h.tried = true;
                js->tls_out[k].h.err = -ECONNREFUSED;
                return;
        }
        js->tls[k] = (struct tls_arg){.ss = *ss, .sl = sl, .offer = of, .ca = ca, .ca_len = ca_len};
        js->jobs[js->n++] = (struct ns_job){.ns_fd = fd,
                                            .fn = tls_job,
                                            .check = tls_job_check,
                                            .arg = &js->tls[k],
                                            .out = &js->tls_out[k],
                                            .out_size = sizeof(js->tls_out[k])};
}

static char *steal(char **p)
{
        char *s = *p;
        *p = NULL;
        return s;
}

static void read_ca(const struct rootfs *root, const char *path, struct klive_facts *f, char **ret_buf, size_t *ret_len)
{
        *ret_buf = NULL;
        *ret_len = 0;
        if (!path)
                return;
        f->ca_path = xstrdup(path);
        int r = rootfs_read_file(root, path, KLIVE_MAX_CA, ret_buf, ret_len, NULL);
        if (r < 0)
                f->ca_error = xasprintf("%s: %s", path, rootfs_strerror(r));
}

/* A child that did not report in time is a probe that got no answer; one that could
 * not enter its namespace makes that side an error. */
static void harvest(struct job_set *js, size_t first_pod, struct klive_facts *f)
{
        for (size_t i = 0; i < js->n; i++) {
                const struct ns_job *j = &js->jobs[i];
                if (j->err == 0)
                        continue;
                if (j->err == -ETIMEDOUT) {
                        if (j->fn == get_job) {
                                struct klive_http *h = j->out;
                                h->tried = true;
                                h->err = -ETIMEDOUT;
                        } else {
                                struct tls_out *t = j->out;
                                t->h.tried = true;
                                t->h.err = -ETIMEDOUT;
                        }
                        continue;
                }
                char **slot = i < first_pod ? &f->host_error : &f->pod_error;
                if (!*slot)
                        *slot = xasprintf("probing from the %s namespace: %s", i < first_pod ? "host" : "pod",
                                          strerror(-j->err));
        }
        f->tls.modern = js->tls_out[0].h;
        f->tls.old = js->tls_out[1].h;
        f->tls.weak = js->tls_out[2].h;
        /* The certificate of whichever handshake got one: a server that speaks only
         * old protocols still shows it. */
        for (size_t k = 0; k < 3 && !f->tls.cert.have; k++)
                f->tls.cert = js->tls_out[k].cert;
}

static void plan_probes(const struct netns_plan *plan, const char *ca, size_t ca_len, struct job_set *js,
                        size_t *ret_first_pod, struct klive_facts *f)
{
        if (!f->host_error) {
                add_get(js, plan->host_fd, f->node_addr, f->ro_port, false, &f->node_ro);
                add_get(js, plan->host_fd, f->node_addr, f->port, true, &f->node_api);
                struct sockaddr_storage ss;
                socklen_t sl;
                bool v6 = strchr(f->node_addr, ':');
                snprintf(f->tls.target, sizeof(f->tls.target), "%s%s%s:%ld", v6 ? "[" : "", f->node_addr, v6 ? "]" : "",
                         f->port);
                if (make_addr(f->node_addr, f->port, &ss, &sl)) {
                        add_tls(js, plan->host_fd, &ss, sl, OFFER_MODERN, ca, ca_len, 0);
                        add_tls(js, plan->host_fd, &ss, sl, OFFER_OLD, NULL, 0, 1);
                        add_tls(js, plan->host_fd, &ss, sl, OFFER_WEAK, NULL, 0, 2);
                }
        }
        *ret_first_pod = js->n;
        if (f->have_pod && !f->pod_error && f->pod_addr) {
                add_get(js, plan->pod_fd, f->pod_addr, f->ro_port, false, &f->pod_ro);
                add_get(js, plan->pod_fd, f->pod_addr, f->port, true, &f->pod_api);
        }
}

void klive_collect(const struct rootfs *root, const struct rootfs *proc, const struct klive_collect_opts *o,
                   struct klive_facts *f)
{
        memset(f, 0, sizeof(*f));
        f->timeout_ms = klive_timeout_ms();
        f->port = o->port > 0 ? o->port : KLIVE_DEFAULT_PORT;
        f->ro_port = o->ro_port > 0 ? o->ro_port : KLIVE_DEFAULT_RO_PORT;
        struct netns_plan plan;
        netns_plan_make(root, proc, o->pod_netns, &plan);
        /* Named only when it is not nodeward's own (nodeward in a pod probes pid 1's):
         * the report then reads the same wherever nodeward runs. */
        if (plan.host_fd >= 0)
                f->host_ns = steal(&plan.host_desc);
        f->host_error = steal(&plan.host_error);
        f->have_pod = plan.have_pod;
        f->pod_ns = steal(&plan.pod_desc);
        f->pod_absent = steal(&plan.pod_absent);
        f->pod_error = steal(&plan.pod_error);
        choose_targets(o, &plan, f);
        _cleanup_free_ char *ca = NULL;
        size_t ca_len;
        read_ca(root, o->ca_path, f, &ca, &ca_len);
        struct job_set *js = xcalloc(1, sizeof(*js));
        size_t first_pod;
        plan_probes(&plan, ca, ca_len, js, &first_pod, f);
        /* OpenSSL's one-time setup (providers, cipher tables) happens here, once,
         * instead of in every probe child against its deadline. The runner's own
         * openssl.cnf is not read: the probes set every protocol and suite themselves,
         * and answer the same wherever nodeward runs. */
        OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS,
                         NULL);
        /* Every probe is one connection bounded by the timeout; the margin covers
         * forking and the children's own setup. */
        ns_jobs_run(js->jobs, js->n, f->timeout_ms + 500);
        harvest(js, first_pod, f);
        free(js);
        netns_plan_free(&plan);
}

void klive_facts_free(struct klive_facts *f)
{
        if (!f)
                return;
        free(f->address);
        free(f->node_addr);
        free(f->pod_addr);
        free(f->pod_addr_why);
        free(f->ca_path);
        free(f->ca_error);
        free(f->host_ns);
        free(f->host_error);
        free(f->pod_ns);
        free(f->pod_absent);
        free(f->pod_error);
        memset(f, 0, sizeof(*f));
}
