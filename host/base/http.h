/* http: a small, bounded HTTP/1.1 client for the metadata probes, and its strict response parser. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define HTTP_MAX_HEADER (8u * 1024u) /* status line + headers (and chunked trailers) */
#define HTTP_MAX_BODY (64u * 1024u)

struct http_limits {
        size_t max_header;
        size_t max_body;
};

struct http_response {
        int status;
        char *body; /* malloc'ed, NUL-terminated (not counted in body_len) */
        size_t body_len;
};

/* Parse one whole response held in buf[0..len). @eof: the peer has closed, so buf is
 * all there will be. Returns 0 when complete (and fills *ret), -EAGAIN when more bytes
 * are needed, -EBADMSG when the bytes are not a well-formed HTTP/1.x response (also
 * for trailing bytes after it), -EFBIG when a size cap is exceeded. Never reads past len. */
int http_parse_response(const char *buf, size_t len, bool eof, const struct http_limits *lim,
                        struct http_response *ret);
void http_response_free(struct http_response *r);

struct http_request {
        const char *method; /* "GET", "PUT" */
        const char *host;   /* Host header value */
        const char *path;
        const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
};

struct http_opts {
        int connect_ms;                /* connect timeout */
        int total_ms;                  /* deadline for the whole exchange, connect included */
        int min_ttl;                   /* >0: IP_MINTTL (IPV6_MINHOPCOUNT) on the socket: replies with a
                           * lower TTL are dropped by the kernel */
        const struct http_limits *lim; /* NULL: HTTP_MAX_HEADER / HTTP_MAX_BODY */
};

/* What happened, also when the exchange failed. */
struct http_outcome {
        int err;        /* 0: a response was parsed into resp; else -errno (-ETIMEDOUT: the
                         * deadline passed, connected or not) */
        bool connected; /* the TCP handshake completed */
        struct http_response resp;
};

/* One request on a fresh connection ("Connection: close"). Always fills *ret. */
void http_exchange(const struct sockaddr *sa, socklen_t salen, const struct http_request *req,
                   const struct http_opts *o, struct http_outcome *ret);

/* Non-blocking TCP connect with a timeout; 0 connected, else -errno. Used for bare
 * reachability probes too. Returns the socket in *ret_fd on success. */
int tcp_connect_timeout(const struct sockaddr *sa, socklen_t salen, int min_ttl, int timeout_ms, int *ret_fd);
