/* util: small string and memory helpers shared by collectors, checks and renderers. */
#pragma once

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
        free(*(void **)p);
}
static inline void closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))

/* Made valid after a copy of another process's bytes (a probe child's answer): a bool
 * that holds 0 or 1, a fixed string that ends inside its array. Read as a byte, so a
 * stray value is never loaded as a bool. */
static inline void flat_bool(bool *b)
{
        unsigned char c;
        __builtin_memcpy(&c, b, 1);
        c = c != 0;
        __builtin_memcpy(b, &c, 1);
}
#define FLAT_STR(a) ((a)[sizeof(a) - 1] = '\0')
#define _cleanup_close_ __attribute__((cleanup(closep)))

bool str_startswith(const char *s, const char *prefix);
bool str_endswith(const char *s, const char *suffix);
/* malloc'ed printf; aborts the program only on allocation failure. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xstrdup(const char *s);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);

/* The next line of buf[0..len) from *off: its start, its length without the '\n' in
 * *ret_n, and *off moved past it; NULL at the end. A last line without '\n' counts. */
const char *line_next(const char *buf, size_t len, size_t *off, size_t *ret_n);

/* Growable string. */
struct strbuf {
        char *buf;
        size_t len, cap;
};
void sb_putc(struct strbuf *sb, char c);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putn(struct strbuf *sb, const char *s, size_t n);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
/* Hands the buffer over (never NULL) and resets @sb. */
char *sb_steal(struct strbuf *sb);
void sb_free(struct strbuf *sb);

/* Join a directory and a relative path with exactly one slash; absolute @rel wins. */
char *path_join(const char *dir, const char *rel);
const char *path_basename(const char *p);

/* CLOCK_MONOTONIC in milliseconds: the clock every deadline is measured on. */
long long mono_ms(void);
/* poll(2) one fd for @events until @deadline (mono_ms()); 0 ready, -ETIMEDOUT or -errno. */
int fd_wait(int fd, short events, long long deadline);
/* The same, ended early (-ECANCELED) once a signal handler set *@cancel (NULL: never). */
int fd_wait_cancel(int fd, short events, long long deadline, const volatile sig_atomic_t *cancel);

/* 1-based line and column of byte @off in @buf. */
void text_position(const char *buf, size_t len, size_t off, unsigned *ret_line, unsigned *ret_col);

/* The authority of @url ("scheme://" optional) as Go's net/url reads it: it ends at
 * the path, query or fragment, and userinfo (to its last '@') is not part of it.
 * Returns where "host[:port]" starts; *ret_n is its length. */
const char *url_authority(const char *url, size_t *ret_n);
