/* imds: what the instance metadata service and node SSH look like from the node and from a pod. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "base/rootfs.h"

#define IMDS_V4_ADDR "169.254.169.254"
#define IMDS_V6_ADDR "fd00:ec2::254"
#define IMDS_TIMEOUT_MS 1000 /* per request; probes of a run go concurrently */
#define IMDS_MAX_ADDRS 16
#define IMDS_MAX_PORTS 8

/* One HTTP request's outcome, flat so it can cross the pipe from a child. */
struct http_probe {
        bool tried;
        int err; /* 0: a response with @status came back; else -errno */
        bool connected;
        int status;
};

/* Who the instance is, from its identity document (the fields ASFF needs). */
#define IMDS_IDENTITY_MAX 4096
struct imds_identity {
        char account[16]; /* 12 digits */
        char region[32];
        char instance[32];
};
/* Parse the JSON identity document (at most IMDS_IDENTITY_MAX bytes): 0, or -EINVAL when
 * it is not JSON or lacks a well-formed accountId, region or instanceId. */
int imds_identity_parse(const char *body, size_t len, struct imds_identity *ret);

/* GET without a token, token PUT, and GETs with the token (never the credentials path). */
struct imds_session {
        struct http_probe v1_get;      /* GET /latest/meta-data/ without a token */
        struct http_probe token_put;   /* PUT /latest/api/token */
        bool got_token;                /* a usable token came back (it never leaves the child) */
        struct http_probe token_get;   /* GET /latest/meta-data/ with the token */
        struct http_probe instance_id; /* host side only */
        struct http_probe public_ipv4; /* host side only: 200 present, 404 absent */
        char instance_id_value[32];
        struct http_probe identity;          /* host side only: the instance identity document */
        struct imds_identity identity_value; /* empty when it could not be read */
};

struct tcp_probe {
        char addr[INET6_ADDRSTRLEN];
        int port;
        int err; /* 0: the connection was accepted */
};

struct imds_facts {
        char *not_ec2;    /* no EC2 signature under --root: metadata not probed, and why */
        char *host_ns;    /* where the host-side probes ran */
        char *host_error; /* they could not run */
        bool reachable;   /* the metadata service answered the host (v4 or v6) */
        struct imds_session v4;
        bool node_has_ipv6;
        struct imds_session v6;
        struct http_probe hop; /* token PUT with IP_MINTTL 2 */
        /* From the pod's namespace. */
        bool have_pod;
        char *pod_ns;     /* which, found how */
        char *pod_absent; /* why none */
        char *pod_error;  /* could not enter or probe it */
        struct imds_session pod;
        struct tcp_probe *ssh; /* node address x sshd port, from the pod */
        size_t n_ssh;
        bool ssh_probed;
};

struct imds_collect_opts {
        bool host;             /* the host-side metadata probes */
        bool pod_imds;         /* the metadata probes from a pod */
        bool pod_ssh;          /* TCP to node SSH from a pod */
        const char *pod_netns; /* --pod-netns */
        const int *ssh_ports;  /* sshd's effective ports; NULL: 22 */
        size_t n_ssh_ports;
};

/* Does the node under @root say it is an EC2 instance (DMI vendor "Amazon EC2", an
 * "ec2" product or hypervisor UUID)? Fixture roots and other clouds do not, so their
 * runs send nothing to the metadata address. On false, *ret_why says what was read. */
bool imds_ec2_hint(const struct rootfs *root, char **ret_why);

/* Run the selected probes concurrently, all within a few seconds. */
void imds_collect(const struct rootfs *root, const struct rootfs *proc, const struct imds_collect_opts *o,
                  struct imds_facts *ret);
void imds_facts_free(struct imds_facts *f);
/* Make the flat parts of @f valid (bools 0 or 1, fixed strings terminated) after they
 * were copied from another process. */
void imds_facts_sanitize(struct imds_facts *f);

/* The ports the pod-side SSH probe tries: sshd's effective ports when known, else 22. */
size_t ssh_ports_for_pod_probe(const struct imds_collect_opts *o, int *ret_ports, size_t max);

/* An HTTP response came back (any status). */
bool http_answered(const struct http_probe *p);

/* Human text of a probe outcome: "200", "connection refused", "no answer within 1000 ms". */
const char *http_probe_text(const struct http_probe *p, char *buf, size_t size);
