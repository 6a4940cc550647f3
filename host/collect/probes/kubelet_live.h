/* kubelet_live: what the running kubelet answers, asked from the node and from a pod, never with credentials. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collect/kubelet/kubelet.h"
#include "base/rootfs.h"

#define KLIVE_TIMEOUT_MS 1000 /* per probe, connect included; the probes of a run go concurrently */
/* NODEWARD_PROBE_TIMEOUT_MS overrides it (100..60000) for slow harnesses: under valgrind
 * every probe child translates OpenSSL's handshake code anew. */
#define KLIVE_DEFAULT_PORT 10250
#define KLIVE_DEFAULT_RO_PORT 10255
#define KLIVE_MAX_HEADER (16u * 1024u)
#define KLIVE_MAX_BODY (4u * 1024u * 1024u) /* /pods of a full node is a few hundred KiB */
#define KLIVE_MAX_CA (256u * 1024u)

/* One GET /pods, flat so it can cross the pipe from a probe child. */
struct klive_http {
        bool tried;
        char target[80];    /* "http://127.0.0.1:10255/pods" */
        int err;            /* 0: an HTTP response with @status came back; else -errno:
                            * -ETIMEDOUT no answer in time, -EPROTO the TLS handshake failed,
                            * -EBADMSG malformed, -EFBIG over the size cap (status may be known) */
        bool connected;     /* the TCP handshake completed */
        int timeout_ms;     /* the bound it ran with */
        int status;         /* also set with -EFBIG when the status line was readable */
        long pods;          /* items in the PodList answered with 200; -1 not counted */
        char tls_error[96]; /* with -EPROTO: OpenSSL's reason */
};

/* One TLS handshake with a chosen offer. */
struct klive_handshake {
        bool tried;
        int err; /* 0 completed; -EPROTO refused; -ETIMEDOUT; other -errno */
        bool connected;
        char version[16]; /* "TLSv1.3" */
        char cipher[64];  /* IANA name, e.g. TLS_AES_128_GCM_SHA256 */
};

/* The serving certificate, read during the default handshake. */
struct klive_cert {
        bool have;
        char subject[160];
        char issuer[160];
        bool self_signed;
        int ca_verdict;    /* 1 chains to the cluster CA, 0 does not, -1 no CA to compare */
        char ca_error[96]; /* why it does not chain */
        long days_left;    /* until notAfter; negative: expired */
        bool not_yet_valid;
};

struct klive_tls {
        char target[64];
        struct klive_handshake modern; /* what a current client gets */
        struct klive_handshake old;    /* TLS 1.0/1.1 only (SECLEVEL=0) */
        struct klive_handshake weak;   /* TLS 1.2 with only suites outside the strong set */
        struct klive_cert cert;
};

struct klive_facts {
        int timeout_ms;     /* each probe's bound */
        long port;          /* the authenticated port probed */
        long ro_port;       /* the read-only port probed */
        char *address;      /* the kubelet's bind address (resolved, or the default 0.0.0.0) */
        char *node_addr;    /* probed from the node */
        char *pod_addr;     /* probed from the pod; NULL when a pod cannot reach it */
        char *pod_addr_why; /* how pod_addr was chosen, or why there is none */
        char *ca_path;      /* the cluster CA the serving certificate is compared with */
        char *ca_error;     /* it could not be read */
        char *host_ns;      /* the node's namespace when it is not nodeward's own, else NULL */
        char *host_error;
        bool have_pod;
        char *pod_ns, *pod_absent, *pod_error;
        struct klive_http node_ro, node_api;
        struct klive_http pod_ro, pod_api;
        struct klive_tls tls;
};

struct klive_collect_opts {
        const char *pod_netns; /* --pod-netns */
        long port;             /* 0: 10250 */
        long ro_port;          /* resolved readOnlyPort; 0 (disabled): 10255 is still probed */
        const char *address;   /* NULL: 0.0.0.0 */
        const char *ca_path;   /* host path of the cluster CA bundle, or NULL */
};

/* What to probe, taken from the kubelet's resolved configuration (defaults where the
 * configuration is unknown or broken). Strings point into @k. */
void klive_opts_from_kubelet(const struct kubelet_facts *k, struct klive_collect_opts *ret);

/* The resolved port and read-only port for the eBPF watch; 0 where unknown or disabled. */
void klive_observe_ports(const struct kubelet_facts *k, uint16_t *ret_port, uint16_t *ret_ro_port);

/* KLIVE_TIMEOUT_MS, or NODEWARD_PROBE_TIMEOUT_MS when set and in range. */
int klive_timeout_ms(void);

/* Run every probe concurrently, bounded by about 1.5 s in all. */
void klive_collect(const struct rootfs *root, const struct rootfs *proc, const struct klive_collect_opts *o,
                   struct klive_facts *ret);
void klive_facts_free(struct klive_facts *f);
/* Make the flat parts of @f valid (bools 0 or 1, fixed strings terminated) after they
 * were copied from another process. */
void klive_facts_sanitize(struct klive_facts *f);

/* Count the elements of the top-level "items" array of a JSON object (a v1 PodList)
 * without building it. 0 with *ret_count, or -EBADMSG when @json is not such an object. */
int klive_count_items(const char *json, size_t len, long *ret_count);

/* The status code of a response whose status line is complete in buf[0..len); -EBADMSG
 * or -EAGAIN. For answers too big to parse whole. */
int klive_status_peek(const char *buf, size_t len, int *ret_status);

/* "200", "connection refused", "no answer within 1000 ms", "TLS handshake failed: ..." */
const char *klive_http_text(const struct klive_http *h, char *buf, size_t size);
