/* klive_parse: the few bytes of the kubelet's answers nodeward reads: a status line and a PodList's item count. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "collect/probes/kubelet_live.h"

/* Nesting beyond this is refused: a PodList is about ten levels deep. */
#define MAX_DEPTH 256

struct scan {
        const char *s;
        size_t n, p;
};

static void skip_ws(struct scan *c)
{
        while (c->p < c->n && (c->s[c->p] == ' ' || c->s[c->p] == '\t' || c->s[c->p] == '\n' || c->s[c->p] == '\r'))
                c->p++;
}

/* A string starting at the quote; *ret_raw_len is its length between the quotes. */
static int skip_string(struct scan *c, size_t *ret_start, size_t *ret_len)
{
        if (c->p >= c->n || c->s[c->p] != '"')
                return -EBADMSG;
        size_t start = ++c->p;
        while (c->p < c->n) {
                unsigned char ch = (unsigned char)c->s[c->p];
                if (ch == '"') {
                        if (ret_start)
                                *ret_start = start;
                        if (ret_len)
                                *ret_len = c->p - start;
                        c->p++;
                        return 0;
                }
                if (ch < 0x20)
                        return -EBADMSG;
                c->p += ch == '\\' ? 2 : 1;
        }
        return -EBADMSG;
}

/* Numbers, true, false, null: a run of their characters (not validated further:
 * only the element count matters). */
static int skip_scalar(struct scan *c)
{
        size_t start = c->p;
        while (c->p < c->n && strchr("0123456789+-.eEtruefalsn", c->s[c->p]) && c->s[c->p])
                c->p++;
        return c->p > start ? 0 : -EBADMSG;
}

/* Any value, nested containers included, with brackets matched by an explicit
 * stack (no recursion on input depth). */
static int skip_value(struct scan *c)
{
        uint8_t stack[MAX_DEPTH]; /* '{' or '[' */
        size_t depth = 0;
        for (;;) {
                skip_ws(c);
                if (c->p >= c->n)
                        return -EBADMSG;
                char ch = c->s[c->p];
                int r = 0;
                if (ch == '{' || ch == '[') {
                        if (depth == MAX_DEPTH)
                                return -EBADMSG;
                        stack[depth++] = (uint8_t)ch;
                        c->p++;
                        continue;
                }
                if (ch == '}' || ch == ']') {
                        if (depth == 0 || stack[depth - 1] != (ch == '}' ? '{' : '['))
                                return -EBADMSG;
                        depth--;
                        c->p++;
                } else if (ch == '"') {
                        r = skip_string(c, NULL, NULL);
                } else if (ch == ',' || ch == ':') {
                        if (depth == 0)
                                return -EBADMSG;
                        c->p++;
                        continue;
                } else {
                        r = skip_scalar(c);
                }
                if (r < 0)
                        return r;
                if (depth == 0)
                        return 0;
        }
}

/* The elements of the array at c->p. */
static int count_array(struct scan *c, long *ret)
{
        long n = 0;
        c->p++; /* '[' */
        skip_ws(c);
        if (c->p < c->n && c->s[c->p] == ']') {
                c->p++;
                *ret = 0;
                return 0;
        }
        for (;;) {
                int r = skip_value(c);
                if (r < 0)
                        return r;
                n++;
                skip_ws(c);
                if (c->p >= c->n)
                        return -EBADMSG;
                char ch = c->s[c->p++];
                if (ch == ']')
                        break;
                if (ch != ',')
                        return -EBADMSG;
        }
        *ret = n;
        return 0;
}

int klive_count_items(const char *json, size_t len, long *ret_count)
{
        struct scan c = {json, len, 0};
        long count = -1;
        skip_ws(&c);
        if (c.p >= c.n || json[c.p] != '{')
                return -EBADMSG;
        c.p++;
        skip_ws(&c);
        if (c.p < c.n && json[c.p] == '}')
                return -EBADMSG; /* no items at all */
        for (;;) {
                size_t ks, kl;
                skip_ws(&c);
                int r = skip_string(&c, &ks, &kl);
                if (r < 0)
                        return r;
                skip_ws(&c);
                if (c.p >= c.n || json[c.p++] != ':')
                        return -EBADMSG;
                skip_ws(&c);
                bool items = kl == 5 && memcmp(json + ks, "items", 5) == 0;
                if (items && c.p < c.n && json[c.p] == '[')
                        r = count_array(&c, &count);
                else if (items && c.p + 4 <= c.n && memcmp(json + c.p, "null", 4) == 0)
                        c.p += 4, count = 0; /* Go encodes an empty list as null */
                else
                        r = skip_value(&c);
                if (r < 0)
                        return r;
                skip_ws(&c);
                if (c.p >= c.n)
                        return -EBADMSG;
                char ch = json[c.p++];
                if (ch == '}')
                        break;
                if (ch != ',')
                        return -EBADMSG;
        }
        skip_ws(&c);
        if (c.p != c.n || count < 0)
                return -EBADMSG;
        *ret_count = count;
        return 0;
}

int klive_status_peek(const char *buf, size_t len, int *ret_status)
{
        if (len < 12)
                return -EAGAIN;
        if (memcmp(buf, "HTTP/1.1 ", 9) != 0 && memcmp(buf, "HTTP/1.0 ", 9) != 0)
                return -EBADMSG;
        int st = 0;
        for (size_t i = 9; i < 12; i++) {
                if (buf[i] < '0' || buf[i] > '9')
                        return -EBADMSG;
                st = st * 10 + (buf[i] - '0');
        }
        if (st < 100 || st > 599 || (len > 12 && buf[12] != ' ' && buf[12] != '\r'))
                return -EBADMSG;
        *ret_status = st;
        return 0;
}

const char *klive_http_text(const struct klive_http *h, char *buf, size_t size)
{
        if (!h->tried)
                snprintf(buf, size, "not tried");
        else if (h->err == 0)
                snprintf(buf, size, "%d", h->status);
        else if (h->err == -ETIMEDOUT)
                snprintf(buf, size, h->connected ? "connected, no response within %d ms" : "no answer within %d ms",
                         h->timeout_ms);
        else if (h->err == -EPROTO)
                snprintf(buf, size, "TLS handshake failed (%s)", h->tls_error[0] ? h->tls_error : "?");
        else if (h->err == -EBADMSG)
                snprintf(buf, size, "malformed response");
        else if (h->err == -EFBIG && h->status)
                snprintf(buf, size, "%d with a body over the %u MiB cap", h->status, KLIVE_MAX_BODY >> 20);
        else if (h->err == -EFBIG)
                snprintf(buf, size, "response over the size cap");
        else
                snprintf(buf, size, "%s", strerror(-h->err));
        return buf;
}
