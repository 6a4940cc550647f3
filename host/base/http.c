/* http: a small, bounded HTTP/1.1 client for the metadata probes, and its strict response parser. */
#define _GNU_SOURCE
#include "base/http.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

static const struct http_limits default_limits = {HTTP_MAX_HEADER, HTTP_MAX_BODY};

/* RFC 9110 tchar. */
static bool is_tchar(unsigned char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Field values and reason phrases: visible ASCII, SP, HTAB, obs-text; no other CTL. */
static bool is_field_char(unsigned char c)
{
        return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* Offset of the CRLF ending the line at @p, or -EAGAIN / -EBADMSG (a bare CR or LF). */
static long line_end(const char *buf, size_t p, size_t len)
{
        for (size_t i = p; i < len; i++) {
                if (buf[i] == '\n')
                        return -EBADMSG;
                if (buf[i] == '\r') {
                        if (i + 1 >= len)
                                return -EAGAIN;
                        return buf[i + 1] == '\n' ? (long)i : -EBADMSG;
                }
        }
        return -EAGAIN;
}

static int parse_status_line(const char *s, size_t n, int *ret_status)
{
        if (n < 12 || (memcmp(s, "HTTP/1.1 ", 9) != 0 && memcmp(s, "HTTP/1.0 ", 9) != 0))
                return -EBADMSG;
        int st = 0;
        for (size_t i = 9; i < 12; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EBADMSG;
                st = st * 10 + (s[i] - '0');
        }
        /* 1xx never comes: we send no Expect and upgrade nothing. */
        if (st < 200 || st > 599)
                return -EBADMSG;
        if (n > 12 && s[12] != ' ')
                return -EBADMSG;
        for (size_t i = 13; i < n; i++)
                if (!is_field_char((unsigned char)s[i]))
                        return -EBADMSG;
        *ret_status = st;
        return 0;
}

struct hdr_state {
        long long content_length; /* -1: none */
        bool chunked;
};

static int parse_content_length(const char *v, size_t n, const struct http_limits *lim, long long *cl)
{
        if (n == 0)
                return -EBADMSG;
        long long x = 0;
        for (size_t i = 0; i < n; i++) {
                if (v[i] < '0' || v[i] > '9')
                        return -EBADMSG;
                x = x * 10 + (v[i] - '0');
                if (x > (long long)lim->max_body)
                        return -EFBIG;
        }
        if (*cl >= 0 && *cl != x)
                return -EBADMSG; /* conflicting lengths: a smuggling shape */
        *cl = x;
        return 0;
}

/* One "name: value" line (no CRLF). @trailer: in a chunked trailer section, where
 * framing headers must not appear. */
static int parse_header(const char *s, size_t n, bool trailer, const struct http_limits *lim, struct hdr_state *h)
{
        size_t c = 0;
        while (c < n && is_tchar((unsigned char)s[c]))
                c++;
        if (c == 0 || c >= n || s[c] != ':')
                return -EBADMSG; /* also obs-fold and whitespace before the colon */
        const char *v = s + c + 1;
        size_t vn = n - c - 1;
        while (vn && (*v == ' ' || *v == '\t'))
                v++, vn--;
        while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
                vn--;
        for (size_t i = 0; i < vn; i++)
                if (!is_field_char((unsigned char)v[i]))
                        return -EBADMSG;
        bool is_cl = c == 14 && strncasecmp(s, "Content-Length", 14) == 0;
        bool is_te = c == 17 && strncasecmp(s, "Transfer-Encoding", 17) == 0;
        if ((is_cl || is_te) && trailer)
                return -EBADMSG;
        if (is_cl)
                return parse_content_length(v, vn, lim, &h->content_length);
        if (is_te) {
                if (h->chunked || vn != 7 || strncasecmp(v, "chunked", 7) != 0)
                        return -EBADMSG; /* codings we cannot undo, or chunked twice */
                h->chunked = true;
        }
        return 0;
}

/* Header lines from @p up to and including the empty line; *ret_end is after it. */
static int parse_header_block(const char *buf, size_t len, size_t p, size_t cap, bool trailer,
                              const struct http_limits *lim, struct hdr_state *h, size_t *ret_end)
{
        size_t start = p;
        for (;;) {
                long e = line_end(buf, p, len < start + cap ? len : start + cap);
                if (e == -EAGAIN)
                        return len >= start + cap ? -EFBIG : -EAGAIN;
                if (e < 0)
                        return (int)e;
                if ((size_t)e == p) {
                        *ret_end = p + 2;
                        return 0;
                }
                int r = parse_header(buf + p, (size_t)e - p, trailer, lim, h);
                if (r < 0)
                        return r;
                p = (size_t)e + 2;
        }
}

/* Chunked body from @p; appends to @body and sets *ret_end after the trailers. */
static int parse_chunked(const char *buf, size_t len, size_t p, const struct http_limits *lim, struct strbuf *body,
                         size_t *ret_end)
{
        for (;;) {
                long e = line_end(buf, p, len);
                if (e < 0)
                        return (int)e;
                size_t i = p, digits = 0;
                unsigned long long sz = 0;
                for (; i < (size_t)e && buf[i] && strchr("0123456789abcdefABCDEF", buf[i]); i++) {
                        if (++digits > 16)
                                return -EBADMSG;
                        char ch = buf[i];
                        sz = sz * 16 + (unsigned)(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
                }
                if (digits == 0 || (i < (size_t)e && buf[i] != ';' && buf[i] != ' ' && buf[i] != '\t'))
                        return -EBADMSG;
                for (; i < (size_t)e; i++) /* chunk extensions: ignored, but must be text */
                        if (!is_field_char((unsigned char)buf[i]))
                                return -EBADMSG;
                if (sz > lim->max_body || body->len + sz > lim->max_body)
                        return -EFBIG;
                p = (size_t)e + 2;
                if (sz == 0) {
                        struct hdr_state t = {.content_length = -1};
                        return parse_header_block(buf, len, p, lim->max_header, true, lim, &t, ret_end);
                }
                if (len - p < sz + 2)
                        return -EAGAIN;
                if (buf[p + sz] != '\r' || buf[p + sz + 1] != '\n')
                        return -EBADMSG;
                sb_putn(body, buf + p, (size_t)sz);
                p += (size_t)sz + 2;
        }
}

static int parse_body(const char *buf, size_t len, size_t p, bool eof, int status, const struct hdr_state *h,
                      const struct http_limits *lim, struct strbuf *body)
{
        size_t end;
        if (status == 204 || status == 304) {
                if (h->chunked || h->content_length > 0)
                        return -EBADMSG;
                end = p;
        } else if (h->chunked) {
                if (h->content_length >= 0)
                        return -EBADMSG; /* both framings: refuse rather than guess */
                int r = parse_chunked(buf, len, p, lim, body, &end);
                if (r < 0)
                        return r;
        } else if (h->content_length >= 0) {
                if (len - p < (size_t)h->content_length)
                        return -EAGAIN;
                end = p + (size_t)h->content_length;
                sb_putn(body, buf + p, end - p);
        } else {
                /* Delimited by the close of the connection. */
                if (len - p > lim->max_body)
                        return -EFBIG;
                if (!eof)
                        return -EAGAIN;
                end = len;
                sb_putn(body, buf + p, end - p);
        }
        return end == len ? 0 : -EBADMSG; /* bytes after the response */
}

int http_parse_response(const char *buf, size_t len, bool eof, const struct http_limits *lim, struct http_response *ret)
{
        if (!lim)
                lim = &default_limits;
        long e = line_end(buf, 0, len < lim->max_header ? len : lim->max_header);
        if (e == -EAGAIN && len >= lim->max_header)
                return -EFBIG;
        int status = 0, r = e < 0 ? (int)e : parse_status_line(buf, (size_t)e, &status);
        struct hdr_state h = {.content_length = -1};
        size_t p = 0;
        if (r == 0) {
                size_t used = (size_t)e + 2;
                size_t cap = lim->max_header > used ? lim->max_header - used : 0;
                r = parse_header_block(buf, len, used, cap, false, lim, &h, &p);
        }
        struct strbuf body = {0};
        if (r == 0)
                r = parse_body(buf, len, p, eof, status, &h, lim, &body);
        if (r == -EAGAIN && eof)
                r = -EBADMSG; /* truncated */
        if (r < 0) {
                sb_free(&body);
                return r;
        }
        ret->status = status;
        ret->body_len = body.len;
        ret->body = sb_steal(&body);
        return 0;
}

void http_response_free(struct http_response *r)
{
        if (!r)
                return;
        free(r->body);
        r->body = NULL;
        r->body_len = 0;
}

static int set_min_ttl(int fd, int family, int ttl)
{
        int r = family == AF_INET6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &ttl, sizeof(ttl))
                                   : setsockopt(fd, IPPROTO_IP, IP_MINTTL, &ttl, sizeof(ttl));
        return r < 0 ? -errno : 0;
}

int tcp_connect_timeout(const struct sockaddr *sa, socklen_t salen, int min_ttl, int timeout_ms, int *ret_fd)
{
        int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
        if (fd < 0)
                return -errno;
        /* Before connect: the SYN-ACK is already subject to the minimum TTL. */
        int r = min_ttl > 0 ? set_min_ttl(fd, sa->sa_family, min_ttl) : 0;
        if (r == 0 && connect(fd, sa, salen) < 0) {
                r = errno == EINPROGRESS ? fd_wait(fd, POLLOUT, mono_ms() + timeout_ms) : -errno;
                if (r == 0) {
                        int soerr = 0;
                        socklen_t l = sizeof(soerr);
                        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) < 0)
                                soerr = errno;
                        r = -soerr;
                }
        }
        if (r < 0) {
                close(fd);
                return r;
        }
        *ret_fd = fd;
        return 0;
}

static int send_all(int fd, const char *buf, size_t len, long long deadline)
{
        while (len) {
                ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                        int r = fd_wait(fd, POLLOUT, deadline);
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

static char *format_request(const struct http_request *req)
{
        struct strbuf sb = {0};
        sb_printf(&sb,
                  "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: nodeward\r\nAccept: */*\r\n"
                  "Connection: close\r\n",
                  req->method, req->path, req->host);
        for (const char *const *h = req->headers; h && *h; h++)
                sb_printf(&sb, "%s\r\n", *h);
        /* A PUT without a body still states its length, as curl does. */
        if (strcmp(req->method, "GET") != 0)
                sb_puts(&sb, "Content-Length: 0\r\n");
        sb_puts(&sb, "\r\n");
        return sb_steal(&sb);
}

/* Read until the parser says complete, the peer closes, a cap, or the deadline. */
static int read_response(int fd, const struct http_limits *lim, long long deadline, struct http_response *ret)
{
        size_t cap = lim->max_header + 2 * lim->max_body + 4096, len = 0;
        _cleanup_free_ char *buf = xmalloc(cap);
        for (;;) {
                int r = fd_wait(fd, POLLIN, deadline);
                if (r < 0)
                        return r;
                ssize_t n = recv(fd, buf + len, cap - len, 0);
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                        continue;
                if (n < 0)
                        return -errno;
                len += (size_t)n;
                r = http_parse_response(buf, len, n == 0, lim, ret);
                if (r != -EAGAIN)
                        return r;
                if (len == cap)
                        return -EFBIG;
        }
}

void http_exchange(const struct sockaddr *sa, socklen_t salen, const struct http_request *req,
                   const struct http_opts *o, struct http_outcome *ret)
{
        memset(ret, 0, sizeof(*ret));
        long long deadline = mono_ms() + o->total_ms;
        int cms = o->connect_ms < o->total_ms ? o->connect_ms : o->total_ms;
        _cleanup_close_ int fd = -1;
        ret->err = tcp_connect_timeout(sa, salen, o->min_ttl, cms, &fd);
        if (ret->err < 0)
                return;
        ret->connected = true;
        _cleanup_free_ char *msg = format_request(req);
        ret->err = send_all(fd, msg, strlen(msg), deadline);
        if (ret->err == 0)
                ret->err = read_response(fd, o->lim ? o->lim : &default_limits, deadline, &ret->resp);
}
