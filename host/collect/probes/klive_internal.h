/* klive_internal: the single probes kubelet_live runs in its namespace children. */
#pragma once

#include <sys/socket.h>

#include "collect/probes/kubelet_live.h"

/* What the client offers in a handshake. */
enum klive_offer {
        OFFER_ANY,    /* whatever the server speaks, to get an HTTP answer (SECLEVEL=0) */
        OFFER_MODERN, /* TLS >= 1.2 with OpenSSL's default suites, as a current client */
        OFFER_OLD,    /* TLS 1.0 and 1.1 only */
        OFFER_WEAK,   /* TLS 1.2 with every suite outside the strong set */
};

/* GET /pods on a fresh connection, over TLS when @tls (never verifying the peer and
 * never presenting a certificate or token). Fills *out; @out->target set by the caller. */
void klive_get_pods(const struct sockaddr *sa, socklen_t salen, bool tls, const char *host_header,
                    struct klive_http *out);

/* One handshake with @offer; with @cert, the serving certificate is read and compared
 * with the PEM bundle @ca (NULL: nothing to compare with). */
void klive_handshake(const struct sockaddr *sa, socklen_t salen, enum klive_offer offer, const char *ca, size_t ca_len,
                     struct klive_handshake *out, struct klive_cert *cert);
