/* apiserver: where the kubelet's kubeconfig points, and whether that resolves to private addresses only. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "collect/kubelet/kubelet.h"
#include "base/rootfs.h"

#define APISERVER_MAX_ADDRS 16
#define APISERVER_KUBECONFIG_CAP (1024u * 1024u) /* the kubelet's kubeconfig, read for its server */

struct apiserver_facts {
        bool have_kubeconfig;
        char *kubeconfig;    /* host path */
        char *server;        /* the current context's server: scheme and host[:port] only */
        char *host;          /* its host part */
        char *error;         /* reading or parsing the kubeconfig failed */
        char *resolve_error; /* the host did not resolve */
        size_t n_addrs;
        char addrs[APISERVER_MAX_ADDRS][INET6_ADDRSTRLEN];
};

void apiserver_collect(const struct rootfs *root, const struct kubelet_facts *k, struct apiserver_facts *ret);
void apiserver_facts_free(struct apiserver_facts *a);

/* The host of an https://host[:port]/path URL ("[v6]" brackets removed). */
int url_host(const char *url, char **ret_host);
/* RFC 1918, RFC 6598 shared, loopback, link-local, IPv6 ULA: not reachable from the internet. */
bool addr_is_private(const char *text);
