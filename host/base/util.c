/* util: small string and memory helpers shared by collectors, checks and renderers. */
#define _GNU_SOURCE
#include "base/util.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void oom(void)
{
        fputs("nodeward: out of memory\n", stderr);
        abort();
}

void *xmalloc(size_t n)
{
        void *p = malloc(n ? n : 1);
        if (!p)
                oom();
        return p;
}

void *xcalloc(size_t n, size_t size)
{
        void *p = calloc(n ? n : 1, size ? size : 1);
        if (!p)
                oom();
        return p;
}

void *xrealloc(void *p, size_t n)
{
        void *q = realloc(p, n ? n : 1);
        if (!q)
                oom();
        return q;
}

char *xstrdup(const char *s)
{
        char *p = strdup(s ? s : "");
        if (!p)
                oom();
        return p;
}

char *xasprintf(const char *fmt, ...)
{
        va_list ap;
        char *s;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                oom();
        return s;
}

bool str_startswith(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_endswith(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

static void sb_grow(struct strbuf *sb, size_t extra)
{
        if (sb->len + extra + 1 <= sb->cap)
                return;
        size_t cap = sb->cap ? sb->cap : 64;
        while (cap < sb->len + extra + 1)
                cap *= 2;
        sb->buf = xrealloc(sb->buf, cap);
        sb->cap = cap;
}

void sb_putn(struct strbuf *sb, const char *s, size_t n)
{
        sb_grow(sb, n);
        memcpy(sb->buf + sb->len, s, n);
        sb->len += n;
        sb->buf[sb->len] = '\0';
}

void sb_putc(struct strbuf *sb, char c)
{
        sb_putn(sb, &c, 1);
}
void sb_puts(struct strbuf *sb, const char *s)
{
        sb_putn(sb, s, strlen(s));
}

void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
        va_list aq;
        va_copy(aq, ap);
        int n = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (n < 0)
                return;
        sb_grow(sb, (size_t)n);
        vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
        sb->len += (size_t)n;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        sb_vprintf(sb, fmt, ap);
        va_end(ap);
}

char *sb_steal(struct strbuf *sb)
{
        char *s = sb->buf ? sb->buf : xstrdup("");
        sb->buf = NULL;
        sb->len = sb->cap = 0;
        return s;
}

void sb_free(struct strbuf *sb)
{
        free(sb->buf);
        sb->buf = NULL;
        sb->len = sb->cap = 0;
}

char *path_join(const char *dir, const char *rel)
{
        if (rel[0] == '/' || !dir || !*dir)
                return xstrdup(rel);
        /* "/" and "dir/" lose their trailing slashes: "/proc", never "//proc". */
        size_t dl = strlen(dir);
        while (dl > 0 && dir[dl - 1] == '/')
                dl--;
        return xasprintf("%.*s/%s", (int)dl, dir, rel);
}

const char *path_basename(const char *p)
{
        const char *s = strrchr(p, '/');
        return s ? s + 1 : p;
}

void text_position(const char *buf, size_t len, size_t off, unsigned *ret_line, unsigned *ret_col)
{
        unsigned line = 1, col = 1;
        for (size_t i = 0; i < off && i < len; i++) {
                if (buf[i] == '\n') {
                        line++;
                        col = 1;
                } else {
                        col++;
                }
        }
        *ret_line = line;
        *ret_col = col;
}

long long mono_ms(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int fd_wait(int fd, short events, long long deadline)
{
        return fd_wait_cancel(fd, events, deadline, NULL);
}

int fd_wait_cancel(int fd, short events, long long deadline, const volatile sig_atomic_t *cancel)
{
        for (;;) {
                if (cancel && *cancel)
                        return -ECANCELED;
                long long left = deadline - mono_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                struct pollfd p = {.fd = fd, .events = events};
                int n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n > 0)
                        return 0;
        }
}

const char *url_authority(const char *url, size_t *ret_n)
{
        const char *p = strstr(url, "://");
        p = p ? p + 3 : url;
        size_t n = strcspn(p, "/?#");
        for (size_t i = n; i > 0; i--)
                if (p[i - 1] == '@') {
                        p += i;
                        n -= i;
                        break;
                }
        *ret_n = n;
        return p;
}

const char *line_next(const char *buf, size_t len, size_t *off, size_t *ret_n)
{
        if (*off >= len)
                return NULL;
        const char *l = buf + *off;
        const char *nl = memchr(l, '\n', len - *off);
        *ret_n = nl ? (size_t)(nl - l) : len - *off;
        *off += *ret_n + (nl != NULL);
        return l;
}
