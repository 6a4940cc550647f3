/* klive_probe: one bounded exchange with the kubelet: GET /pods over HTTP or HTTPS, or a TLS handshake with a chosen offer. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "base/http.h"
#include "base/tls_io.h"
#include "collect/probes/klive_internal.h"
#include "base/util.h"

/* The suites the kubelet.tls-cipher-suites check counts as strong (ECDHE or RSA key
 * exchange with AES-GCM, ECDHE with ChaCha20-Poly1305) are left out: a server that
 * completes this handshake accepts a weak one. */
#define WEAK_SUITES "ALL:COMPLEMENTOFALL:!ECDHE+AESGCM:!ECDHE+CHACHA20:!kRSA+AESGCM:!PSK:!SRP:!kDHEPSK:@SECLEVEL=0"

struct conn {
        struct tls_io io; /* io.ssl NULL: plain TCP */
        SSL_CTX *ctx;
};

static void conn_close(struct conn *c)
{
        SSL_free(c->io.ssl);
        SSL_CTX_free(c->ctx);
        if (c->io.fd >= 0)
                close(c->io.fd);
        c->io.ssl = NULL;
        c->ctx = NULL;
        c->io.fd = -1;
}

static SSL_CTX *offer_ctx(enum klive_offer offer)
{
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        if (!ctx)
                return NULL;
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
        SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_TICKET);
        int ok = 1;
        switch (offer) {
        case OFFER_ANY:
                /* OpenSSL 3 offers TLS < 1.2 and old suites only at security level 0. */
                ok = SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) &&
                     SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
                break;
        case OFFER_MODERN: ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION); break;
        case OFFER_OLD:
                ok = SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) &&
                     SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION) &&
                     SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
                break;
        case OFFER_WEAK:
                ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) &&
                     SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) && SSL_CTX_set_cipher_list(ctx, WEAK_SUITES);
                break;
        }
        if (!ok) {
                SSL_CTX_free(ctx);
                return NULL;
        }
        return ctx;
}

/* TCP connect, then the handshake when @offer >= 0; everything before c->io.deadline. */
static int conn_open(struct conn *c, const struct sockaddr *sa, socklen_t salen, int offer, bool *ret_connected,
                     char *why, size_t why_size)
{
        int ms = klive_timeout_ms();
        c->io = (struct tls_io){.fd = -1, .deadline = mono_ms() + ms};
        int r = tcp_connect_timeout(sa, salen, 0, ms, &c->io.fd);
        if (r < 0)
                return r;
        *ret_connected = true;
        if (offer < 0)
                return 0;
        c->ctx = offer_ctx((enum klive_offer)offer);
        c->io.ssl = c->ctx ? SSL_new(c->ctx) : NULL;
        if (!c->io.ssl || !SSL_set_fd(c->io.ssl, c->io.fd)) {
                tls_io_reason(why, why_size, NULL);
                return -ENOMEM;
        }
        for (;;) {
                int n = SSL_connect(c->io.ssl);
                if (n == 1)
                        return 0;
                r = tls_io_wait(&c->io, n, why, why_size);
                if (r == 1)
                        r = -EPROTO;
                if (r < 0)
                        return r;
        }
}

static int conn_write(struct conn *c, const char *buf, size_t len, char *why, size_t why_size)
{
        if (c->io.ssl)
                return tls_io_write(&c->io, buf, len, why, why_size);
        while (len) {
                ssize_t n = send(c->io.fd, buf, len, MSG_NOSIGNAL);
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                        int r = fd_wait(c->io.fd, POLLOUT, c->io.deadline);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (n < 0)
                        return -errno;
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

/* Some bytes, or 0 at the end of the stream, or -errno. */
static ssize_t conn_read(struct conn *c, char *buf, size_t size, char *why, size_t why_size)
{
        if (c->io.ssl)
                return tls_io_read(&c->io, buf, size, why, why_size);
        for (;;) {
                ssize_t n = recv(c->io.fd, buf, size, 0);
                if (n >= 0)
                        return n;
                if (errno != EAGAIN && errno != EINTR)
                        return -errno;
                int r = fd_wait(c->io.fd, POLLIN, c->io.deadline);
                if (r < 0)
                        return r;
        }
}

/* Read until the response parses, the peer closes, the cap, or the deadline. The
 * parser runs again only when the bytes have doubled (a 4 MiB body is not re-parsed
 * per segment) and once more at the end. */
static void read_pods_response(struct conn *c, struct klive_http *out)
{
        static const struct http_limits lim = {KLIVE_MAX_HEADER, KLIVE_MAX_BODY};
        size_t cap = KLIVE_MAX_HEADER + KLIVE_MAX_BODY + 64 * 1024, len = 0, next_parse = 4096;
        _cleanup_free_ char *buf = xmalloc(cap);
        struct http_response resp = {0};
        int r = -EAGAIN;
        for (;;) {
                ssize_t n = conn_read(c, buf + len, cap - len, out->tls_error, sizeof(out->tls_error));
                bool end = n <= 0;
                if (n > 0)
                        len += (size_t)n;
                if (end || len >= next_parse || len == cap) {
                        r = http_parse_response(buf, len, end, &lim, &resp);
                        next_parse = len * 2;
                }
                if (end && n < 0 && r != 0)
                        r = (int)n; /* cut short by the deadline or a reset, not malformed */
                if (r != -EAGAIN || end)
                        break;
                if (len == cap) {
                        r = -EFBIG;
                        break;
                }
        }
        out->err = r;
        if (r == 0) {
                out->status = resp.status;
                if (resp.status == 200 && klive_count_items(resp.body, resp.body_len, &out->pods) < 0)
                        out->pods = -1;
        } else if (r == -EFBIG || r == -ETIMEDOUT) {
                int st;
                if (klive_status_peek(buf, len, &st) == 0)
                        out->status = st; /* too big or too slow, but it did answer */
        }
        http_response_free(&resp);
}

void klive_get_pods(const struct sockaddr *sa, socklen_t salen, bool tls, const char *host_header,
                    struct klive_http *out)
{
        struct conn c = {.io.fd = -1};
        out->tried = true;
        out->pods = -1;
        out->err = conn_open(&c, sa, salen, tls ? OFFER_ANY : -1, &out->connected, out->tls_error,
                             sizeof(out->tls_error));
        if (out->err == 0) {
                _cleanup_free_ char *req = xasprintf("GET /pods HTTP/1.1\r\nHost: %s\r\nUser-Agent: nodeward\r\n"
                                                     "Accept: application/json\r\nConnection: close\r\n\r\n",
                                                     host_header);
                out->err = conn_write(&c, req, strlen(req), out->tls_error, sizeof(out->tls_error));
                if (out->err == 0)
                        read_pods_response(&c, out);
        }
        conn_close(&c);
}

/* Names are the peer's text: keep them printable in any report format. */
static void name_text(X509_NAME *n, char *buf, size_t size)
{
        if (!n || !X509_NAME_oneline(n, buf, (int)size))
                snprintf(buf, size, "?");
        for (char *p = buf; *p; p++)
                if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f || *p == '"' || *p == '\\')
                        *p = '?';
}

/* Does @x chain to a certificate of the PEM bundle? Validity dates are not judged here
 * (expiry is reported on its own), so an expired cluster-signed certificate still
 * reads as cluster-signed. */
static void compare_with_ca(SSL *ssl, X509 *x, const char *ca, size_t ca_len, struct klive_cert *out)
{
        out->ca_verdict = -1;
        if (!ca || !ca_len)
                return;
        X509_STORE *st = X509_STORE_new();
        BIO *b = BIO_new_mem_buf(ca, (int)ca_len);
        X509_STORE_CTX *sc = X509_STORE_CTX_new();
        size_t n = 0;
        X509 *c;
        while (st && b && (c = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
                n += X509_STORE_add_cert(st, c) == 1;
                X509_free(c);
        }
        ERR_clear_error();
        if (n == 0 || !sc) {
                snprintf(out->ca_error, sizeof(out->ca_error), "no certificate in the CA file");
        } else {
                X509_STORE_set_flags(st, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN);
                if (X509_STORE_CTX_init(sc, st, x, SSL_get_peer_cert_chain(ssl)) == 1 && X509_verify_cert(sc) == 1) {
                        out->ca_verdict = 1;
                } else {
                        out->ca_verdict = 0;
                        snprintf(out->ca_error, sizeof(out->ca_error), "%s",
                                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(sc)));
                }
        }
        ERR_clear_error();
        X509_STORE_CTX_free(sc);
        BIO_free(b);
        X509_STORE_free(st);
}

static void read_cert(SSL *ssl, const char *ca, size_t ca_len, struct klive_cert *out)
{
        X509 *x = SSL_get1_peer_certificate(ssl);
        if (!x)
                return;
        out->have = true;
        name_text(X509_get_subject_name(x), out->subject, sizeof(out->subject));
        name_text(X509_get_issuer_name(x), out->issuer, sizeof(out->issuer));
        out->self_signed = X509_self_signed(x, 1) == 1;
        int days = 0, secs = 0;
        if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)) == 1)
                out->days_left = days < 0 || secs < 0 ? (days ? days : -1) : days;
        out->not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(x)) > 0;
        compare_with_ca(ssl, x, ca, ca_len, out);
        X509_free(x);
        ERR_clear_error();
}

void klive_handshake(const struct sockaddr *sa, socklen_t salen, enum klive_offer offer, const char *ca, size_t ca_len,
                     struct klive_handshake *out, struct klive_cert *cert)
{
        struct conn c = {.io.fd = -1};
        char why[96] = "";
        out->tried = true;
        out->err = conn_open(&c, sa, salen, (int)offer, &out->connected, why, sizeof(why));
        if (out->err == 0) {
                const SSL_CIPHER *ci = SSL_get_current_cipher(c.io.ssl);
                const char *name = ci ? SSL_CIPHER_standard_name(ci) : NULL;
                snprintf(out->version, sizeof(out->version), "%s", SSL_get_version(c.io.ssl));
                snprintf(out->cipher, sizeof(out->cipher), "%s", name ? name : "?");
                if (cert)
                        read_cert(c.io.ssl, ca, ca_len, cert);
        }
        conn_close(&c);
}

/* The static link (mk/static.mk) routes libcrypto's loader of dynamic engines and
 * providers here with --wrap: the built-in default provider is all the probes use, and
 * failing these keeps glibc's dlopen() out of the static binary. */
void *__wrap_dlopen(const char *file, int mode);
int __wrap_dladdr(const void *addr, void *info);

void *__wrap_dlopen(const char *file, int mode)
{
        (void)file;
        (void)mode;
        return NULL;
}

int __wrap_dladdr(const void *addr, void *info)
{
        (void)addr;
        (void)info;
        return 0;
}
