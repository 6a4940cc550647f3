/* sockets: the netlink side of the inventory: requests, and parsers that trust nothing they read. */
#define _GNU_SOURCE
#include "collect/net/sockets.h"

#include <endian.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

/* A datagram of a dump is at most 32 KiB on current kernels; twice that
 * leaves room for kernels that grow it, and MSG_TRUNC tells us if not. */
#define NL_RECV_SIZE (64u * 1024u)

/* Netlink framing over <linux/netlink.h>'s layout. These few accessors were all
 * this file took from libmnl; owning them keeps the static binary free of a
 * library Debian ships no static archive for. Lengths are checked by the
 * callers (nlmsg_fits, nla_fits) before any of these is used. */
static const void *nlmsg_payload(const struct nlmsghdr *nlh)
{
        return (const char *)nlh + NLMSG_HDRLEN;
}

static size_t nlmsg_payload_len(const struct nlmsghdr *nlh)
{
        return nlh->nlmsg_len - NLMSG_HDRLEN;
}

static bool nla_fits(const struct nlattr *a, int left)
{
        return left >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= (unsigned)left;
}

static uint16_t nla_kind(const struct nlattr *a)
{
        return a->nla_type & NLA_TYPE_MASK;
}

static const void *nla_payload(const struct nlattr *a)
{
        return (const char *)a + NLA_HDRLEN;
}

static size_t nla_payload_len(const struct nlattr *a)
{
        return a->nla_len - NLA_HDRLEN;
}

/* Walk the attributes after a fixed header; any byte that does not belong to
 * a well-formed attribute is an error. @fn sees each one. */
static int attrs_walk(const struct nlmsghdr *nlh, size_t hdrlen, int (*fn)(const struct nlattr *a, void *data),
                      void *data)
{
        size_t plen = nlmsg_payload_len(nlh);
        if (plen < hdrlen)
                return -EBADMSG;
        const char *p = (const char *)nlmsg_payload(nlh) + NLMSG_ALIGN(hdrlen);
        int left = plen > NLMSG_ALIGN(hdrlen) ? (int)(plen - NLMSG_ALIGN(hdrlen)) : 0;
        const struct nlattr *a = (const struct nlattr *)p;
        while (nla_fits(a, left)) {
                int r = fn(a, data);
                if (r < 0)
                        return r;
                left -= (int)NLMSG_ALIGN(a->nla_len);
                a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
        }
        return left > 0 ? -EBADMSG : 0;
}

/* The length compared unsigned: as a signed int (libmnl's mnl_nlmsg_ok() does
 * that) a length of 0xfffffff0 passes and walks backwards. */
static bool nlmsg_fits(const struct nlmsghdr *nlh, int left)
{
        return left >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= (unsigned)left;
}

/* Common framing of one dump datagram: sequence, errors, DONE. Returns 1 at
 * DONE, 0 to go on, -errno; @msg is called for every data message. */
static int walk_dump(const void *buf, size_t len, uint32_t seq, uint16_t type,
                     int (*msg)(const struct nlmsghdr *nlh, void *data), void *data)
{
        if (len > (size_t)INT32_MAX)
                return -E2BIG;
        if (len == 0)
                return -EBADMSG;
        /* Headers are read in place, so they must be aligned as the kernel's are. */
        _cleanup_free_ void *copy = NULL;
        if ((uintptr_t)buf % NLMSG_ALIGNTO) {
                copy = xmalloc(len);
                memcpy(copy, buf, len);
                buf = copy;
        }
        int left = (int)len;
        const struct nlmsghdr *nlh = buf;
        while (nlmsg_fits(nlh, left)) {
                if (nlh->nlmsg_seq != seq)
                        return -EPROTO;
                if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
                        return -EINTR;
                if (nlh->nlmsg_type == NLMSG_DONE) {
                        /* Newer kernels put the dump's own error in DONE. */
                        if (nlmsg_payload_len(nlh) >= sizeof(int)) {
                                int e;
                                memcpy(&e, nlmsg_payload(nlh), sizeof(e));
                                if (e < 0)
                                        return e < -4095 ? -EPROTO : e;
                        }
                        return 1;
                }
                if (nlh->nlmsg_type == NLMSG_ERROR) {
                        if (nlmsg_payload_len(nlh) < sizeof(struct nlmsgerr))
                                return -EBADMSG;
                        const struct nlmsgerr *err = nlmsg_payload(nlh);
                        if (err->error < 0)
                                return err->error < -4095 ? -EPROTO : err->error;
                } else if (nlh->nlmsg_type == NLMSG_NOOP) {
                        /* nothing */
                } else if (nlh->nlmsg_type != type) {
                        return -EPROTO;
                } else {
                        int r = msg(nlh, data);
                        if (r < 0)
                                return r;
                }
                left -= (int)NLMSG_ALIGN(nlh->nlmsg_len);
                nlh = (const struct nlmsghdr *)((const char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
        }
        /* Bytes that do not form a whole message: a truncated reply. */
        return left > 0 ? -EBADMSG : 0;
}

struct diag_ctx {
        struct sockets *s;
        uint8_t proto;
        struct listener *l;
};

static int diag_attr(const struct nlattr *a, void *data)
{
        struct diag_ctx *c = data;
        if (nla_kind(a) == INET_DIAG_SKV6ONLY) {
                if (nla_payload_len(a) < 1)
                        return -EBADMSG;
                c->l->v6only = *(const uint8_t *)nla_payload(a) != 0;
        }
        return 0;
}

static int diag_msg(const struct nlmsghdr *nlh, void *data)
{
        struct diag_ctx *c = data;
        struct sockets *s = c->s;
        if (nlmsg_payload_len(nlh) < sizeof(struct inet_diag_msg))
                return -EBADMSG;
        struct inet_diag_msg m;
        memcpy(&m, nlmsg_payload(nlh), sizeof(m));
        if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6)
                return -EBADMSG;
        if (s->n >= SOCKETS_MAX_LISTENERS)
                return -E2BIG;
        if (s->n == s->cap) {
                s->cap = s->cap ? s->cap * 2 : 256;
                s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
        }
        struct listener *l = &s->v[s->n];
        memset(l, 0, sizeof(*l));
        l->proto = c->proto;
        l->family = m.idiag_family;
        l->port = ntohs(m.id.idiag_sport);
        memcpy(l->addr, m.id.idiag_src, m.idiag_family == AF_INET ? 4 : 16);
        l->ifindex = m.id.idiag_if;
        l->inode = m.idiag_inode;
        l->uid = m.idiag_uid;
        c->l = l;
        int r = attrs_walk(nlh, sizeof(struct inet_diag_msg), diag_attr, c);
        if (r < 0)
                return r;
        s->n++;
        return 0;
}

int sockets_parse_diag(const void *buf, size_t len, uint32_t seq, uint8_t proto, struct sockets *s)
{
        struct diag_ctx c = {.s = s, .proto = proto};
        return walk_dump(buf, len, seq, SOCK_DIAG_BY_FAMILY, diag_msg, &c);
}

struct addr_ctx {
        struct sockets *s;
        struct node_addr *a;
        bool have_local, have_address;
};

static int addr_attr(const struct nlattr *a, void *data)
{
        struct addr_ctx *c = data;
        uint16_t t = nla_kind(a);
        if (t != IFA_LOCAL && t != IFA_ADDRESS)
                return 0;
        size_t want = c->a->family == AF_INET ? 4 : 16;
        if (nla_payload_len(a) < want)
                return -EBADMSG;
        /* IFA_LOCAL is the node's own address on point-to-point links. */
        if (t == IFA_LOCAL || !c->have_local)
                memcpy(c->a->addr, nla_payload(a), want);
        if (t == IFA_LOCAL)
                c->have_local = true;
        else
                c->have_address = true;
        return 0;
}

static int addr_msg(const struct nlmsghdr *nlh, void *data)
{
        struct addr_ctx *c = data;
        struct sockets *s = c->s;
        if (nlmsg_payload_len(nlh) < sizeof(struct ifaddrmsg))
                return -EBADMSG;
        struct ifaddrmsg ifa;
        memcpy(&ifa, nlmsg_payload(nlh), sizeof(ifa));
        if (ifa.ifa_family != AF_INET && ifa.ifa_family != AF_INET6)
                return 0; /* other families are not ours to judge */
        if (s->n_addrs >= SOCKETS_MAX_ADDRS)
                return -E2BIG;
        struct node_addr a = {.family = ifa.ifa_family, .prefixlen = ifa.ifa_prefixlen, .ifindex = ifa.ifa_index};
        c->a = &a;
        c->have_local = c->have_address = false;
        int r = attrs_walk(nlh, sizeof(struct ifaddrmsg), addr_attr, c);
        if (r < 0)
                return r;
        if (!c->have_local && !c->have_address)
                return -EBADMSG;
        s->addrs = xrealloc(s->addrs, (s->n_addrs + 1) * sizeof(*s->addrs));
        s->addrs[s->n_addrs++] = a;
        return 0;
}

int sockets_parse_addrs(const void *buf, size_t len, uint32_t seq, struct sockets *s)
{
        struct addr_ctx c = {.s = s};
        return walk_dump(buf, len, seq, RTM_NEWADDR, addr_msg, &c);
}

/* Send one dump request and feed every reply datagram to @parse until DONE. */
static int dump(int fd, void *req, size_t reqlen, uint32_t seq, int (*parse)(const void *, size_t, uint32_t, void *),
                void *data)
{
        struct nlmsghdr *nlh = req;
        nlh->nlmsg_seq = seq;
        struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
        if (sendto(fd, req, reqlen, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return -errno;
        _cleanup_free_ char *buf = xmalloc(NL_RECV_SIZE);
        for (;;) {
                struct iovec iov = {buf, NL_RECV_SIZE};
                struct msghdr mh = {.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1};
                ssize_t n = recvmsg(fd, &mh, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (mh.msg_flags & MSG_TRUNC)
                        return -EMSGSIZE;
                if (sa.nl_pid != 0)
                        continue; /* not from the kernel */
                int r = parse(buf, (size_t)n, seq, data);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
}

struct diag_job {
        struct sockets *s;
        uint8_t proto;
};

static int parse_diag_job(const void *buf, size_t len, uint32_t seq, void *data)
{
        struct diag_job *j = data;
        return sockets_parse_diag(buf, len, seq, j->proto, j->s);
}

static int parse_addrs_job(const void *buf, size_t len, uint32_t seq, void *data)
{
        return sockets_parse_addrs(buf, len, seq, data);
}

static uint32_t next_seq(void)
{
        static uint32_t seq;
        if (!seq)
                seq = (uint32_t)time(NULL);
        return ++seq;
}

static int cmp_listener(const void *a, const void *b)
{
        const struct listener *x = a, *y = b;
        if (x->proto != y->proto)
                return x->proto < y->proto ? -1 : 1; /* tcp (6) before udp (17) */
        if (x->family != y->family)
                return x->family < y->family ? -1 : 1;
        /* The address in two big-endian halves: memcmp's order, without the call. */
        for (size_t h = 0; h < sizeof(x->addr); h += 8) {
                uint64_t ax, ay;
                memcpy(&ax, x->addr + h, 8);
                memcpy(&ay, y->addr + h, 8);
                if (ax != ay)
                        return be64toh(ax) < be64toh(ay) ? -1 : 1;
        }
        if (x->port != y->port)
                return x->port < y->port ? -1 : 1;
        if (x->ifindex != y->ifindex)
                return x->ifindex < y->ifindex ? -1 : 1;
        return (x->inode > y->inode) - (x->inode < y->inode);
}

int sockets_dump_listeners(const struct netns_handles *h, struct sockets *s, char **ret_err)
{
        static const struct {
                uint8_t family, proto;
                uint32_t states;
                const char *what;
        } q[] = {
                {AF_INET, IPPROTO_TCP, 1u << TCP_LISTEN, "tcp"},
                {AF_INET6, IPPROTO_TCP, 1u << TCP_LISTEN, "tcp6"},
                /* A bound, unconnected UDP socket is in TCP_CLOSE ("UNCONN" in ss). */
                {AF_INET, IPPROTO_UDP, 1u << TCP_CLOSE, "udp"},
                {AF_INET6, IPPROTO_UDP, 1u << TCP_CLOSE, "udp6"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(q); i++) {
                struct {
                        struct nlmsghdr nlh;
                        struct inet_diag_req_v2 r;
                } req = {
                        .nlh = {.nlmsg_len = sizeof(req),
                                .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                                .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
                        .r = {.sdiag_family = q[i].family, .sdiag_protocol = q[i].proto, .idiag_states = q[i].states},
                };
                struct diag_job j = {s, q[i].proto};
                int r = dump(h->diag, &req, sizeof(req), next_seq(), parse_diag_job, &j);
                if (r == -ENOENT && q[i].proto == IPPROTO_UDP)
                        continue; /* udp_diag not loaded and not loadable: no UDP view */
                if (r < 0) {
                        *ret_err = xasprintf("sock_diag %s dump: %s", q[i].what, strerror(-r));
                        return r;
                }
        }
        if (s->n)
                qsort(s->v, s->n, sizeof(*s->v), cmp_listener);
        return 0;
}

int sockets_dump_addrs(const struct netns_handles *h, struct sockets *s, char **ret_err)
{
        struct {
                struct nlmsghdr nlh;
                struct ifaddrmsg ifa;
        } req = {
                .nlh = {.nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETADDR, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
                .ifa = {.ifa_family = AF_UNSPEC},
        };
        int r = dump(h->route, &req, sizeof(req), next_seq(), parse_addrs_job, s);
        if (r < 0)
                *ret_err = xasprintf("RTM_GETADDR dump: %s", strerror(-r));
        return r;
}
