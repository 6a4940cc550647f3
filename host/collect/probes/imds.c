/* imds: what the instance metadata service and node SSH look like from the node and from a pod. */
#define _GNU_SOURCE
#include "collect/probes/imds.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/http.h"
#include "base/netns.h"
#include "base/util.h"

#define TOKEN_TTL_HEADER "X-aws-ec2-metadata-token-ttl-seconds: 60"
#define TOKEN_MAX 512

static socklen_t imds_addr(int family, struct sockaddr_storage *ss)
{
        memset(ss, 0, sizeof(*ss));
        if (family == AF_INET6) {
                struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons(80);
                inet_pton(AF_INET6, IMDS_V6_ADDR, &s6->sin6_addr);
                return sizeof(*s6);
        }
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(80);
        inet_pton(AF_INET, IMDS_V4_ADDR, &s4->sin_addr);
        return sizeof(*s4);
}

/* One request to the metadata service; the body is copied out only when asked. */
static void imds_request(int family, const char *method, const char *path, const char *header, int min_ttl,
                         struct http_probe *p, char *body, size_t body_size)
{
        struct sockaddr_storage ss;
        socklen_t sl = imds_addr(family, &ss);
        const char *headers[] = {header, NULL};
        struct http_request req = {method, family == AF_INET6 ? "[" IMDS_V6_ADDR "]" : IMDS_V4_ADDR, path,
                                   header ? headers : NULL};
        struct http_opts o = {.connect_ms = IMDS_TIMEOUT_MS, .total_ms = IMDS_TIMEOUT_MS, .min_ttl = min_ttl};
        struct http_outcome out;
        http_exchange((struct sockaddr *)&ss, sl, &req, &o, &out);
        p->tried = true;
        p->err = out.err;
        p->connected = out.connected;
        p->status = out.err == 0 ? out.resp.status : 0;
        if (body && body_size) {
                body[0] = '\0';
                if (out.err == 0 && out.resp.body_len < body_size)
                        memcpy(body, out.resp.body, out.resp.body_len + 1);
        }
        http_response_free(&out.resp);
}

/* A token is opaque printable text; anything else is not a token we would send back. */
static bool token_usable(const char *t)
{
        size_t n = strlen(t);
        if (n == 0 || n >= TOKEN_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (t[i] <= 0x20 || t[i] >= 0x7f)
                        return false;
        return true;
}

static bool id_usable(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
                        return false;
        return true;
}

struct session_arg {
        int family;
        bool host_side;
};

/* Child side. The token lives only in this process and is never copied out. */
static void session_job(void *argp, void *outp)
{
        const struct session_arg *a = argp;
        struct imds_session *s = outp;
        imds_request(a->family, "GET", "/latest/meta-data/", NULL, 0, &s->v1_get, NULL, 0);
        if (!s->v1_get.connected)
                return; /* nothing there: do not wait out the other requests too */
        char token[TOKEN_MAX], hdr[TOKEN_MAX + 64];
        imds_request(a->family, "PUT", "/latest/api/token", TOKEN_TTL_HEADER, 0, &s->token_put, token, sizeof(token));
        s->got_token = s->token_put.err == 0 && s->token_put.status == 200 && token_usable(token);
        snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token: %s", s->got_token ? token : "");
        const char *auth = s->got_token ? hdr : NULL;
        if (!s->got_token && s->v1_get.status != 200)
                goto out;
        if (!a->host_side) {
                if (s->got_token)
                        imds_request(a->family, "GET", "/latest/meta-data/", auth, 0, &s->token_get, NULL, 0);
                goto out;
        }
        char id[64];
        imds_request(a->family, "GET", "/latest/meta-data/instance-id", auth, 0, &s->instance_id, id, sizeof(id));
        if (s->instance_id.status == 200 && strlen(id) < sizeof(s->instance_id_value) && id_usable(id))
                memcpy(s->instance_id_value, id, strlen(id) + 1);
        imds_request(a->family, "GET", "/latest/meta-data/public-ipv4", auth, 0, &s->public_ipv4, NULL, 0);
        /* Account and region for ASFF; the document is signed data, not a credential. */
        char doc[IMDS_IDENTITY_MAX + 1];
        imds_request(a->family, "GET", "/latest/dynamic/instance-identity/document", auth, 0, &s->identity, doc,
                     sizeof(doc));
        if (s->identity.status != 200 || imds_identity_parse(doc, strlen(doc), &s->identity_value) < 0)
                memset(&s->identity_value, 0, sizeof(s->identity_value));
out:
        explicit_bzero(token, sizeof(token));
        explicit_bzero(hdr, sizeof(hdr));
}

/* Parent side: a child's answer made valid before anything reads it (see ns_job.check). */
static void http_probe_check(struct http_probe *p)
{
        flat_bool(&p->tried);
        flat_bool(&p->connected);
}

static void session_check(struct imds_session *s)
{
        struct http_probe *ps[] = {&s->v1_get,      &s->token_put,   &s->token_get,
                                   &s->instance_id, &s->public_ipv4, &s->identity};
        for (size_t i = 0; i < ARRAY_SIZE(ps); i++)
                http_probe_check(ps[i]);
        flat_bool(&s->got_token);
        FLAT_STR(s->instance_id_value);
        FLAT_STR(s->identity_value.account);
        FLAT_STR(s->identity_value.region);
        FLAT_STR(s->identity_value.instance);
}

static void session_job_check(void *out)
{
        session_check(out);
}

static void hop_job_check(void *out)
{
        http_probe_check(out);
}

static void tcp_probe_check(struct tcp_probe *p)
{
        FLAT_STR(p->addr);
}

void imds_facts_sanitize(struct imds_facts *f)
{
        flat_bool(&f->reachable);
        flat_bool(&f->node_has_ipv6);
        flat_bool(&f->have_pod);
        flat_bool(&f->ssh_probed);
        session_check(&f->v4);
        session_check(&f->v6);
        session_check(&f->pod);
        http_probe_check(&f->hop);
        for (size_t i = 0; f->ssh && i < f->n_ssh; i++)
                tcp_probe_check(&f->ssh[i]);
}

/* The hop-limit estimate: the token response carries TTL = hop limit, so with
 * IP_MINTTL 2 a limit of 1 never arrives. */
static void hop_job(void *argp, void *outp)
{
        (void)argp;
        char token[TOKEN_MAX];
        imds_request(AF_INET, "PUT", "/latest/api/token", TOKEN_TTL_HEADER, 2, outp, token, sizeof(token));
        explicit_bzero(token, sizeof(token));
}

struct node_addrs {
        size_t n;
        bool has_ipv6;
        struct sockaddr_storage a[IMDS_MAX_ADDRS];
};

/* The node's own unicast addresses, loopback and link-local left out. */
static void addrs_job(void *argp, void *outp)
{
        (void)argp;
        struct node_addrs *na = outp;
        struct ifaddrs *ifa;
        if (getifaddrs(&ifa) < 0)
                return;
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
                if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK))
                        continue;
                if (i->ifa_addr->sa_family == AF_INET) {
                        const struct sockaddr_in *s = (const void *)i->ifa_addr;
                        if ((ntohl(s->sin_addr.s_addr) >> 16) == 0xa9fe) /* 169.254/16 */
                                continue;
                        if (na->n < IMDS_MAX_ADDRS)
                                memcpy(&na->a[na->n++], s, sizeof(*s));
                } else if (i->ifa_addr->sa_family == AF_INET6) {
                        const struct sockaddr_in6 *s = (const void *)i->ifa_addr;
                        if (IN6_IS_ADDR_LINKLOCAL(&s->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&s->sin6_addr))
                                continue;
                        na->has_ipv6 = true;
                        if (na->n < IMDS_MAX_ADDRS)
                                memcpy(&na->a[na->n++], s, sizeof(*s));
                }
        }
        freeifaddrs(ifa);
}

static void addrs_job_check(void *out)
{
        struct node_addrs *na = out;
        flat_bool(&na->has_ipv6);
        if (na->n > IMDS_MAX_ADDRS)
                na->n = IMDS_MAX_ADDRS;
}

size_t ssh_ports_for_pod_probe(const struct imds_collect_opts *o, int *ret_ports, size_t max)
{
        if (max == 0)
                return 0;
        if (!o->ssh_ports || o->n_ssh_ports == 0) {
                ret_ports[0] = 22;
                return 1;
        }
        size_t n = 0;
        for (size_t i = 0; i < o->n_ssh_ports && n < max; i++)
                ret_ports[n++] = o->ssh_ports[i];
        return n;
}

struct tcp_targets {
        size_t n;
        struct tcp_probe p[IMDS_MAX_ADDRS * IMDS_MAX_PORTS];
};

static void addr_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
        const void *a = ss->ss_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
                                                  : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
        if (!inet_ntop(ss->ss_family, a, buf, (socklen_t)size))
                snprintf(buf, size, "?");
}

/* Every node address x port, from the pod's side, all at once within one timeout. */
static void tcp_connect_each(size_t n, struct tcp_probe *p)
{
        struct pollfd pfd[IMDS_MAX_ADDRS * IMDS_MAX_PORTS];
        for (size_t i = 0; i < n; i++) {
                struct sockaddr_storage ss = {0};
                socklen_t sl;
                if (strchr(p[i].addr, ':')) {
                        struct sockaddr_in6 *s6 = (void *)&ss;
                        s6->sin6_family = AF_INET6;
                        s6->sin6_port = htons((uint16_t)p[i].port);
                        inet_pton(AF_INET6, p[i].addr, &s6->sin6_addr);
                        sl = sizeof(*s6);
                } else {
                        struct sockaddr_in *s4 = (void *)&ss;
                        s4->sin_family = AF_INET;
                        s4->sin_port = htons((uint16_t)p[i].port);
                        inet_pton(AF_INET, p[i].addr, &s4->sin_addr);
                        sl = sizeof(*s4);
                }
                pfd[i] = (struct pollfd){.fd = -1, .events = POLLOUT};
                p[i].err = -ETIMEDOUT;
                int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        p[i].err = -errno;
                else if (connect(fd, (struct sockaddr *)&ss, sl) == 0)
                        p[i].err = 0, close(fd);
                else if (errno != EINPROGRESS)
                        p[i].err = -errno, close(fd);
                else
                        pfd[i].fd = fd;
        }
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
                clock_gettime(CLOCK_MONOTONIC, &t);
                long left = IMDS_TIMEOUT_MS - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
                bool pending = false;
                for (size_t i = 0; i < n; i++)
                        pending |= pfd[i].fd >= 0;
                if (!pending || left <= 0 || poll(pfd, n, (int)left) < 0)
                        break;
                for (size_t i = 0; i < n; i++) {
                        if (pfd[i].fd < 0 || !pfd[i].revents)
                                continue;
                        int soerr = 0;
                        socklen_t l = sizeof(soerr);
                        getsockopt(pfd[i].fd, SOL_SOCKET, SO_ERROR, &soerr, &l);
                        p[i].err = -soerr;
                        close(pfd[i].fd);
                        pfd[i].fd = -1;
                }
        }
        for (size_t i = 0; i < n; i++)
                if (pfd[i].fd >= 0)
                        close(pfd[i].fd);
}

static void tcp_job(void *argp, void *outp)
{
        struct tcp_targets *t = outp;
        memcpy(t, argp, sizeof(*t));
        tcp_connect_each(t->n, t->p);
}

static void tcp_job_check(void *out)
{
        struct tcp_targets *t = out;
        if (t->n > ARRAY_SIZE(t->p))
                t->n = ARRAY_SIZE(t->p);
        for (size_t i = 0; i < t->n; i++)
                tcp_probe_check(&t->p[i]);
}

/* Targets: every node address on every port given (sshd's, for ssh.pod-reachable). */
static void tcp_targets_fill(const struct node_addrs *na, const int *ports, size_t nports, struct tcp_targets *t)
{
        memset(t, 0, sizeof(*t));
        for (size_t i = 0; i < na->n; i++)
                for (size_t k = 0; k < nports && k < IMDS_MAX_PORTS; k++) {
                        struct tcp_probe *p = &t->p[t->n++];
                        addr_text(&na->a[i], p->addr, sizeof(p->addr));
                        p->port = ports[k];
                }
}

bool http_answered(const struct http_probe *p)
{
        return p->tried && p->err == 0;
}

const char *http_probe_text(const struct http_probe *p, char *buf, size_t size)
{
        if (!p->tried)
                snprintf(buf, size, "not tried");
        else if (p->err == 0)
                snprintf(buf, size, "%d", p->status);
        else if (p->err == -ETIMEDOUT)
                snprintf(buf, size, p->connected ? "connected, no response within %d ms" : "no answer within %d ms",
                         IMDS_TIMEOUT_MS);
        else if (p->err == -EBADMSG)
                snprintf(buf, size, "malformed response");
        else if (p->err == -EFBIG)
                snprintf(buf, size, "response over the size cap");
        else
                snprintf(buf, size, "%s", strerror(-p->err));
        return buf;
}

bool imds_ec2_hint(const struct rootfs *root, char **ret_why)
{
        static const char *const vendors[] = {"/sys/class/dmi/id/sys_vendor", "/sys/class/dmi/id/board_vendor",
                                              "/sys/class/dmi/id/bios_vendor"};
        static const char *const uuids[] = {"/sys/class/dmi/id/product_uuid", "/sys/hypervisor/uuid"};
        for (size_t i = 0; i < ARRAY_SIZE(vendors) + ARRAY_SIZE(uuids); i++) {
                bool is_uuid = i >= ARRAY_SIZE(vendors);
                const char *p = is_uuid ? uuids[i - ARRAY_SIZE(vendors)] : vendors[i];
                _cleanup_free_ char *buf = NULL;
                if (rootfs_read_file(root, p, 4096, &buf, NULL, NULL) < 0)
                        continue;
                if (is_uuid ? strncasecmp(buf, "ec2", 3) == 0 : strstr(buf, "Amazon EC2") != NULL)
                        return true;
        }
        *ret_why = xasprintf("not on EC2: no EC2 signature under %s (DMI sys/board/bios vendor, product "
                             "or hypervisor uuid); metadata service not probed",
                             root->path);
        return false;
}

static char *steal(char **p)
{
        char *s = *p;
        *p = NULL;
        return s;
}

static void job_add(struct ns_job *jobs, size_t *n, int fd, void (*fn)(void *, void *), void (*check)(void *),
                    void *arg, void *out, size_t size)
{
        jobs[(*n)++] = (struct ns_job){.ns_fd = fd, .fn = fn, .check = check, .arg = arg, .out = out, .out_size = size};
}

static const char *job_error(const struct ns_job *j)
{
        return j->err == -ETIMEDOUT ? "did not finish in time" : strerror(-j->err);
}

/* Where the probes run, recorded in the facts (the fds stay in the plan). */
static void take_plan(struct netns_plan *plan, struct imds_facts *f)
{
        f->host_ns = steal(&plan->host_desc);
        f->host_error = steal(&plan->host_error);
        f->have_pod = plan->have_pod;
        f->pod_ns = steal(&plan->pod_desc);
        f->pod_absent = steal(&plan->pod_absent);
        f->pod_error = steal(&plan->pod_error);
}

/* Every probe of the run, started together. */
struct probe_set {
        struct ns_job jobs[5];
        size_t n, first_pod;
        struct session_arg a4, a6, ap;
        struct tcp_targets tt, tt_out;
};

static void probes_plan(struct probe_set *ps, const struct imds_collect_opts *o, const struct netns_plan *plan,
                        const struct node_addrs *na, struct imds_facts *f)
{
        ps->a4 = (struct session_arg){AF_INET, true};
        ps->a6 = (struct session_arg){AF_INET6, true};
        ps->ap = (struct session_arg){AF_INET, false};
        if (o->host && !f->host_error) {
                job_add(ps->jobs, &ps->n, plan->host_fd, session_job, session_job_check, &ps->a4, &f->v4,
                        sizeof(f->v4));
                job_add(ps->jobs, &ps->n, plan->host_fd, hop_job, hop_job_check, NULL, &f->hop, sizeof(f->hop));
                if (na->has_ipv6)
                        job_add(ps->jobs, &ps->n, plan->host_fd, session_job, session_job_check, &ps->a6, &f->v6,
                                sizeof(f->v6));
        }
        ps->first_pod = ps->n;
        if (o->pod_imds && f->have_pod)
                job_add(ps->jobs, &ps->n, plan->pod_fd, session_job, session_job_check, &ps->ap, &f->pod,
                        sizeof(f->pod));
        if (o->pod_ssh && f->have_pod) {
                int ports[IMDS_MAX_PORTS];
                size_t np = ssh_ports_for_pod_probe(o, ports, IMDS_MAX_PORTS);
                tcp_targets_fill(na, ports, np, &ps->tt);
                job_add(ps->jobs, &ps->n, plan->pod_fd, tcp_job, tcp_job_check, &ps->tt, &ps->tt_out,
                        sizeof(ps->tt_out));
        }
}

static void probes_harvest(const struct probe_set *ps, bool ssh, struct imds_facts *f)
{
        for (size_t i = 0; i < ps->n; i++) {
                if (ps->jobs[i].err == 0)
                        continue;
                bool host = i < ps->first_pod;
                char **slot = host ? &f->host_error : &f->pod_error;
                if (!*slot)
                        *slot = xasprintf("probing from the %s namespace: %s", host ? "host" : "pod",
                                          job_error(&ps->jobs[i]));
        }
        if (ssh && ps->n && ps->jobs[ps->n - 1].err == 0) {
                f->ssh_probed = true;
                f->n_ssh = ps->tt_out.n;
                f->ssh = xcalloc(ps->tt_out.n, sizeof(*f->ssh));
                memcpy(f->ssh, ps->tt_out.p, ps->tt_out.n * sizeof(*f->ssh));
        }
        f->reachable = http_answered(&f->v4.v1_get) || http_answered(&f->v4.token_put) ||
                       http_answered(&f->v6.v1_get) || http_answered(&f->v6.token_put);
}

void imds_collect(const struct rootfs *root, const struct rootfs *proc, const struct imds_collect_opts *opts,
                  struct imds_facts *f)
{
        memset(f, 0, sizeof(*f));
        struct imds_collect_opts o = *opts;
        if ((o.host || o.pod_imds) && !imds_ec2_hint(root, &f->not_ec2))
                o.host = o.pod_imds = false;
        struct netns_plan plan;
        netns_plan_make(root, proc, o.pod_netns, &plan);
        take_plan(&plan, f);
        o.pod_ssh = o.pod_ssh && f->have_pod;

        /* The node's addresses first: the IPv6 endpoint and the SSH targets depend on them. */
        struct node_addrs na = {0};
        if (!f->host_error && (o.host || o.pod_ssh)) {
                struct ns_job j = {.ns_fd = plan.host_fd,
                                   .fn = addrs_job,
                                   .check = addrs_job_check,
                                   .out = &na,
                                   .out_size = sizeof(na)};
                ns_jobs_run(&j, 1, IMDS_TIMEOUT_MS);
        }
        f->node_has_ipv6 = na.has_ipv6;
        struct probe_set *ps = xcalloc(1, sizeof(*ps));
        probes_plan(ps, &o, &plan, &na, f);
        /* The longest job, a host session, makes at most four requests in a row. */
        ns_jobs_run(ps->jobs, ps->n, 4 * IMDS_TIMEOUT_MS + 500);
        probes_harvest(ps, o.pod_ssh, f);
        free(ps);
        netns_plan_free(&plan);
}

void imds_facts_free(struct imds_facts *f)
{
        if (!f)
                return;
        free(f->not_ec2);
        free(f->host_ns);
        free(f->host_error);
        free(f->pod_ns);
        free(f->pod_absent);
        free(f->pod_error);
        free(f->ssh);
        memset(f, 0, sizeof(*f));
}
