/* static_nss: what the static binary answers where glibc would go to NSS: addresses and port numbers only, never a name service. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The static link (mk/static.mk) sends every reference to these glibc functions here
 * with --wrap, so glibc's NSS code (which would dlopen libnss_*.so of whatever machine
 * the binary runs on) is never linked. nodeward resolves names itself (host/base/dns.c);
 * libraries it links (c-ares' service names, OpenSSL's BIO address helpers) get numeric
 * answers, and "localhost" as loopback (RFC 6761), which is all they are given. The
 * dynamic build does not use these. */
int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res);
void __wrap_freeaddrinfo(struct addrinfo *ai);
int __wrap_getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen, char *serv,
                       socklen_t servlen, int flags);
struct hostent *__wrap_gethostbyname(const char *name);
struct servent *__wrap_getservbyname(const char *name, const char *proto);
int __wrap_getservbyport_r(int port, const char *proto, struct servent *buf, char *data, size_t len,
                           struct servent **ret);

struct candidate {
        int family;
        unsigned char addr[16];
};

/* The addresses @node stands for, without asking anyone; 0 when it is a name. */
static int candidates(const char *node, int flags, struct candidate ret[2])
{
        static const unsigned char loop6[16] = {[15] = 1};
        if (!node || strcmp(node, "localhost") == 0 || strcmp(node, "localhost.") == 0) {
                bool any = !node && (flags & AI_PASSIVE);
                ret[0] = (struct candidate){.family = AF_INET, .addr = {127, 0, 0, 1}};
                ret[1] = (struct candidate){.family = AF_INET6};
                if (any)
                        memset(ret[0].addr, 0, 4);
                else
                        memcpy(ret[1].addr, loop6, 16);
                return 2;
        }
        if (inet_pton(AF_INET, node, ret[0].addr) == 1)
                return ret[0].family = AF_INET, 1;
        if (inet_pton(AF_INET6, node, ret[0].addr) == 1)
                return ret[0].family = AF_INET6, 1;
        return 0;
}

static struct addrinfo *entry(const struct candidate *c, int socktype, int protocol, uint16_t port)
{
        struct addrinfo *ai = calloc(1, sizeof(*ai) + sizeof(struct sockaddr_in6));
        if (!ai)
                return NULL;
        ai->ai_family = c->family;
        ai->ai_socktype = socktype;
        ai->ai_protocol = protocol ? protocol : socktype == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
        ai->ai_addr = (struct sockaddr *)(ai + 1);
        if (c->family == AF_INET) {
                struct sockaddr_in *s = (struct sockaddr_in *)ai->ai_addr;
                s->sin_family = AF_INET;
                s->sin_port = htons(port);
                memcpy(&s->sin_addr, c->addr, 4);
                ai->ai_addrlen = sizeof(*s);
        } else {
                struct sockaddr_in6 *s = (struct sockaddr_in6 *)ai->ai_addr;
                s->sin6_family = AF_INET6;
                s->sin6_port = htons(port);
                memcpy(&s->sin6_addr, c->addr, 16);
                ai->ai_addrlen = sizeof(*s);
        }
        return ai;
}

int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
        struct addrinfo h = hints ? *hints : (struct addrinfo){.ai_family = AF_UNSPEC};
        if (!node && !service)
                return EAI_NONAME;
        if (h.ai_family != AF_UNSPEC && h.ai_family != AF_INET && h.ai_family != AF_INET6)
                return EAI_FAMILY;
        unsigned long port = 0;
        if (service && *service) {
                char *end;
                port = strtoul(service, &end, 10);
                if (*end || port > 65535)
                        return EAI_SERVICE; /* a service name needs the services database */
        }
        struct candidate c[2];
        int n = candidates(node, h.ai_flags, c);
        if (n == 0)
                return EAI_NONAME;
        static const int socktypes[] = {SOCK_STREAM, SOCK_DGRAM};
        struct addrinfo *head = NULL, **tail = &head;
        for (int i = 0; i < n; i++) {
                if (h.ai_family != AF_UNSPEC && h.ai_family != c[i].family)
                        continue;
                for (size_t t = 0; t < 2; t++) {
                        if (h.ai_socktype && h.ai_socktype != socktypes[t])
                                continue;
                        *tail = entry(&c[i], socktypes[t], h.ai_protocol, (uint16_t)port);
                        if (!*tail) {
                                __wrap_freeaddrinfo(head);
                                return EAI_MEMORY;
                        }
                        tail = &(*tail)->ai_next;
                }
        }
        if (!head)
                return h.ai_socktype && h.ai_socktype != SOCK_STREAM && h.ai_socktype != SOCK_DGRAM ? EAI_SOCKTYPE
                                                                                                    : EAI_ADDRFAMILY;
        if ((h.ai_flags & AI_CANONNAME) && !(head->ai_canonname = strdup(node ? node : "localhost"))) {
                __wrap_freeaddrinfo(head);
                return EAI_MEMORY;
        }
        *res = head;
        return 0;
}

void __wrap_freeaddrinfo(struct addrinfo *ai)
{
        while (ai) {
                struct addrinfo *next = ai->ai_next;
                free(ai->ai_canonname);
                free(ai);
                ai = next;
        }
}

int __wrap_getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen, char *serv,
                       socklen_t servlen, int flags)
{
        if (flags & NI_NAMEREQD)
                return EAI_NONAME; /* a name needs a name service */
        const void *addr;
        uint16_t port;
        if (sa && sa->sa_family == AF_INET && salen >= (socklen_t)sizeof(struct sockaddr_in)) {
                addr = &((const struct sockaddr_in *)sa)->sin_addr;
                port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
        } else if (sa && sa->sa_family == AF_INET6 && salen >= (socklen_t)sizeof(struct sockaddr_in6)) {
                addr = &((const struct sockaddr_in6 *)sa)->sin6_addr;
                port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
        } else {
                return EAI_FAMILY;
        }
        if (host && hostlen && !inet_ntop(sa->sa_family, addr, host, hostlen))
                return EAI_OVERFLOW;
        if (serv && servlen) {
                int n = snprintf(serv, servlen, "%u", port);
                if (n < 0 || (socklen_t)n >= servlen)
                        return EAI_OVERFLOW;
        }
        return 0;
}

struct hostent *__wrap_gethostbyname(const char *name)
{
        (void)name;
        h_errno = HOST_NOT_FOUND;
        return NULL;
}

struct servent *__wrap_getservbyname(const char *name, const char *proto)
{
        (void)name;
        (void)proto;
        return NULL;
}

int __wrap_getservbyport_r(int port, const char *proto, struct servent *buf, char *data, size_t len,
                           struct servent **ret)
{
        (void)port;
        (void)proto;
        (void)buf;
        (void)data;
        (void)len;
        *ret = NULL;
        return ENOENT;
}
