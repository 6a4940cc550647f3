/* toml: a strict TOML 1.0 reader (tables, arrays of tables, dotted keys, inline tables, all
 * string, number and date forms), rejecting what the specification rejects, in linear time. */
#define _GNU_SOURCE
#include "toml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootfs.h"
#include "util.h"

/* The rules for redefinition follow the specification's text and agree with Python's tomllib
 * (the reference the differential test compares with): a table opened by a header or by dotted
 * keys of an earlier section cannot be opened again; inline tables and static arrays are closed. */

struct parser {
        const char *s; /* CRLF already folded to LF */
        size_t len, pos;
        const char *file;
        size_t line_pos; /* line is the line of line_pos; positions only move forward */
        unsigned line;
        unsigned section; /* incremented at every header */
        unsigned depth;
        char *err;
};

static unsigned line_at(struct parser *p, size_t pos)
{
        for (; p->line_pos < pos && p->line_pos < p->len; p->line_pos++)
                if (p->s[p->line_pos] == '\n')
                        p->line++;
        return p->line;
}

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
        if (p->err)
                return -EINVAL;
        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                abort();
        va_end(ap);
        p->err = xasprintf("%s line %u: %s", p->file, line_at(p, p->pos), msg);
        free(msg);
        return -EINVAL;
}

static int peek(const struct parser *p, size_t off)
{
        return p->pos + off < p->len ? (unsigned char)p->s[p->pos + off] : -1;
}

static bool starts(const struct parser *p, const char *lit)
{
        size_t n = strlen(lit);
        return p->len - p->pos >= n && memcmp(p->s + p->pos, lit, n) == 0;
}

static void skip_ws(struct parser *p)
{
        while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
                p->pos++;
}

/* Control characters other than tab are never allowed in comments or strings. */
static bool is_ctrl(int c)
{
        return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

static int skip_comment(struct parser *p)
{
        if (peek(p, 0) != '#')
                return 0;
        while (p->pos < p->len && p->s[p->pos] != '\n') {
                if (is_ctrl((unsigned char)p->s[p->pos]))
                        return fail(p, "control character in a comment");
                p->pos++;
        }
        return 0;
}

/* Whitespace, newlines and comments between array elements. */
static int skip_array_ws(struct parser *p)
{
        for (;;) {
                while (p->pos < p->len && strchr(" \t\n", p->s[p->pos]) && p->s[p->pos])
                        p->pos++;
                if (peek(p, 0) != '#')
                        return 0;
                if (skip_comment(p) < 0)
                        return -EINVAL;
        }
}

/* ---- values and tables ---- */

static struct toml_value *value_new(struct parser *p, enum toml_type t, size_t at)
{
        struct toml_value *v = xcalloc(1, sizeof(*v));
        v->type = t;
        v->file = p->file;
        v->line = line_at(p, at);
        return v;
}

static void value_free(struct toml_value *v)
{
        if (!v)
                return;
        switch (v->type) {
        case TOML_ARRAY:
                for (size_t i = 0; i < v->u.arr.n; i++)
                        value_free(v->u.arr.items[i]);
                free(v->u.arr.items);
                break;
        case TOML_TABLE:
                for (size_t i = 0; i < v->u.tab.n; i++) {
                        free(v->u.tab.kv[i].key);
                        value_free(v->u.tab.kv[i].value);
                }
                free(v->u.tab.kv);
                free(v->u.tab.index);
                break;
        case TOML_INTEGER:
        case TOML_FLOAT:
        case TOML_BOOL:
                break;
        default:
                free(v->u.str.s);
        }
        free(v);
}

static size_t key_hash(const char *k, size_t n)
{
        size_t h = 1469598103934665603ull;
        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
        return h;
}

static void index_insert(struct toml_value *t, size_t i)
{
        size_t mask = t->u.tab.index_cap - 1;
        size_t h = key_hash(t->u.tab.kv[i].key, t->u.tab.kv[i].key_len) & mask;
        while (t->u.tab.index[h])
                h = (h + 1) & mask;
        t->u.tab.index[h] = i + 1;
}

static struct toml_value *table_find(const struct toml_value *t, const char *k, size_t n)
{
        if (!t->u.tab.index) {
                for (size_t i = 0; i < t->u.tab.n; i++)
                        if (t->u.tab.kv[i].key_len == n && memcmp(t->u.tab.kv[i].key, k, n) == 0)
                                return t->u.tab.kv[i].value;
                return NULL;
        }
        size_t mask = t->u.tab.index_cap - 1;
        for (size_t h = key_hash(k, n) & mask; t->u.tab.index[h]; h = (h + 1) & mask) {
                const struct toml_kv *kv = &t->u.tab.kv[t->u.tab.index[h] - 1];
                if (kv->key_len == n && memcmp(kv->key, k, n) == 0)
                        return kv->value;
        }
        return NULL;
}

/* Small tables are searched in order; from 16 keys on a hash index keeps inserts O(1). */
static void table_add(struct toml_value *t, char *k, size_t n, struct toml_value *v)
{
        if (t->u.tab.n == t->u.tab.cap) {
                t->u.tab.cap = t->u.tab.cap ? 2 * t->u.tab.cap : 4;
                t->u.tab.kv = xrealloc(t->u.tab.kv, t->u.tab.cap * sizeof(*t->u.tab.kv));
        }
        t->u.tab.kv[t->u.tab.n++] = (struct toml_kv){.key = k, .key_len = n, .value = v};
        if (t->u.tab.n >= 16 && 2 * t->u.tab.n > t->u.tab.index_cap) {
                free(t->u.tab.index);
                t->u.tab.index_cap = t->u.tab.index_cap ? 2 * t->u.tab.index_cap : 64;
                t->u.tab.index = xcalloc(t->u.tab.index_cap, sizeof(size_t));
                for (size_t i = 0; i < t->u.tab.n; i++)
                        index_insert(t, i);
        } else if (t->u.tab.index) {
                index_insert(t, t->u.tab.n - 1);
        }
}

static void array_add(struct toml_value *a, struct toml_value *v)
{
        if (a->u.arr.n == a->u.arr.cap) {
                a->u.arr.cap = a->u.arr.cap ? 2 * a->u.arr.cap : 4;
                a->u.arr.items = xrealloc(a->u.arr.items, a->u.arr.cap * sizeof(*a->u.arr.items));
        }
        a->u.arr.items[a->u.arr.n++] = v;
}

/* ---- strings ---- */

static void put_utf8(struct strbuf *sb, unsigned long c)
{
        if (c < 0x80) {
                sb_putc(sb, (char)c);
        } else if (c < 0x800) {
                sb_putc(sb, (char)(0xc0 | (c >> 6)));
                sb_putc(sb, (char)(0x80 | (c & 0x3f)));
        } else if (c < 0x10000) {
                sb_putc(sb, (char)(0xe0 | (c >> 12)));
                sb_putc(sb, (char)(0x80 | ((c >> 6) & 0x3f)));
                sb_putc(sb, (char)(0x80 | (c & 0x3f)));
        } else {
                sb_putc(sb, (char)(0xf0 | (c >> 18)));
                sb_putc(sb, (char)(0x80 | ((c >> 12) & 0x3f)));
                sb_putc(sb, (char)(0x80 | ((c >> 6) & 0x3f)));
                sb_putc(sb, (char)(0x80 | (c & 0x3f)));
        }
}

static int parse_escape(struct parser *p, struct strbuf *sb, bool multiline)
{
        int c = peek(p, 1);
        p->pos += 2;
        if (multiline && (c == ' ' || c == '\t' || c == '\n')) {
                /* A line-ending backslash: only whitespace may follow it on its line. */
                if (c != '\n') {
                        skip_ws(p);
                        if (p->pos >= p->len)
                                return 0;
                        if (p->s[p->pos] != '\n')
                                return fail(p, "a backslash that ends a line may be followed only by whitespace");
                        p->pos++;
                }
                while (p->pos < p->len && strchr(" \t\n", p->s[p->pos]) && p->s[p->pos])
                        p->pos++;
                return 0;
        }
        const char *simple = "b\bt\tn\nf\fr\r\"\"\\\\";
        for (const char *e = simple; *e; e += 2)
                if (c == e[0]) {
                        sb_putc(sb, e[1]);
                        return 0;
                }
        if (c != 'u' && c != 'U')
                return fail(p, "unknown escape \\%c", c > 0x20 && c < 0x7f ? c : '?');
        size_t n = c == 'u' ? 4 : 8;
        unsigned long cp = 0;
        for (size_t i = 0; i < n; i++) {
                int h = peek(p, i);
                int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                if (d < 0)
                        return fail(p, "\\%c needs %zu hex digits", c, n);
                cp = cp * 16 + (unsigned long)d;
        }
        p->pos += n;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return fail(p, "\\%c escape U+%lX is not a Unicode scalar value", c, cp);
        put_utf8(sb, cp);
        return 0;
}

/* p->pos is past the opening quote(s). */
static int parse_basic(struct parser *p, bool multiline, struct strbuf *sb)
{
        size_t start = p->pos;
        for (;;) {
                if (p->pos >= p->len)
                        return fail(p, "unterminated string");
                int c = (unsigned char)p->s[p->pos];
                if (c == '"') {
                        if (!multiline || starts(p, "\"\"\"")) {
                                sb_putn(sb, p->s + start, p->pos - start);
                                p->pos += multiline ? 3 : 1;
                                return 0;
                        }
                        p->pos++;
                        continue;
                }
                if (c == '\\') {
                        sb_putn(sb, p->s + start, p->pos - start);
                        if (parse_escape(p, sb, multiline) < 0)
                                return -EINVAL;
                        start = p->pos;
                        continue;
                }
                if (is_ctrl(c) && !(multiline && c == '\n'))
                        return fail(p, "control character in a string");
                p->pos++;
        }
}

static int parse_literal(struct parser *p, bool multiline, struct strbuf *sb)
{
        const char *end = multiline ? "'''" : "'";
        size_t start = p->pos;
        while (!starts(p, end)) {
                if (p->pos >= p->len)
                        return fail(p, "unterminated string");
                int c = (unsigned char)p->s[p->pos];
                if (is_ctrl(c) && !(multiline && c == '\n'))
                        return fail(p, "control character in a string");
                p->pos++;
        }
        sb_putn(sb, p->s + start, p->pos - start);
        p->pos += strlen(end);
        return 0;
}

/* Any string form; p->pos is on the opening quote. */
static int parse_string(struct parser *p, struct strbuf *sb, bool allow_multiline)
{
        char q = p->s[p->pos];
        bool ml = allow_multiline && starts(p, q == '"' ? "\"\"\"" : "'''");
        p->pos += ml ? 3 : 1;
        if (ml && peek(p, 0) == '\n')
                p->pos++;
        int r = q == '"' ? parse_basic(p, ml, sb) : parse_literal(p, ml, sb);
        if (r < 0 || !ml)
                return r;
        /* Up to two quotes right before the closing three belong to the string. */
        for (int i = 0; i < 2 && peek(p, 0) == q; i++) {
                sb_putc(sb, q);
                p->pos++;
        }
        return 0;
}

/* ---- keys ---- */

struct key {
        char **parts;
        size_t *lens;
        size_t n;
};

static void key_free(struct key *k)
{
        for (size_t i = 0; i < k->n; i++)
                free(k->parts[i]);
        free(k->parts);
        free(k->lens);
        *k = (struct key){0};
}

static bool is_bare(int c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int parse_key(struct parser *p, struct key *k)
{
        for (;;) {
                struct strbuf sb = {0};
                int c = peek(p, 0);
                if (is_bare(c)) {
                        size_t start = p->pos;
                        while (is_bare(peek(p, 0)))
                                p->pos++;
                        sb_putn(&sb, p->s + start, p->pos - start);
                } else if (c == '"' || c == '\'') {
                        if (parse_string(p, &sb, false) < 0) {
                                sb_free(&sb);
                                return -EINVAL;
                        }
                } else {
                        return fail(p, "expected a key");
                }
                if (k->n >= TOML_MAX_DEPTH) {
                        sb_free(&sb);
                        return fail(p, "key has more than %d parts", TOML_MAX_DEPTH);
                }
                k->parts = xrealloc(k->parts, (k->n + 1) * sizeof(*k->parts));
                k->lens = xrealloc(k->lens, (k->n + 1) * sizeof(*k->lens));
                k->lens[k->n] = sb.len;
                k->parts[k->n++] = sb_steal(&sb);
                skip_ws(p);
                if (peek(p, 0) != '.')
                        return 0;
                p->pos++;
                skip_ws(p);
        }
}

/* ---- numbers and dates ---- */

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

static bool isxdigit_c(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static size_t digits_run(const struct parser *p, size_t at, int base)
{
        size_t i = at;
        int c = i < p->len ? (unsigned char)p->s[i] : -1;
#define DIGIT_OK(c) ((base == 16 && isxdigit_c(c)) || (base == 10 && is_digit(c)) || (base == 8 && (c) >= '0' && (c) <= '7') || (base == 2 && ((c) == '0' || (c) == '1')))
        if (!DIGIT_OK(c))
                return 0;
        for (i++; i < p->len; i++) {
                c = (unsigned char)p->s[i];
                if (DIGIT_OK(c))
                        continue;
                if (c == '_' && i + 1 < p->len && DIGIT_OK((unsigned char)p->s[i + 1])) {
                        i++;
                        continue;
                }
                break;
        }
#undef DIGIT_OK
        return i - at;
}

/* Matches the number grammar at p->pos; *ret_end is 0 when nothing matches. */
static void number_extent(const struct parser *p, size_t *ret_end, bool *ret_float, int *ret_base)
{
        size_t at = p->pos;
        *ret_end = 0, *ret_float = false, *ret_base = 10;
        if (peek(p, 0) == '0' && (peek(p, 1) == 'x' || peek(p, 1) == 'o' || peek(p, 1) == 'b')) {
                int base = peek(p, 1) == 'x' ? 16 : peek(p, 1) == 'o' ? 8 : 2;
                size_t n = digits_run(p, at + 2, base);
                if (n) {
                        *ret_end = at + 2 + n, *ret_base = base;
                        return;
                }
        }
        size_t i = at;
        if (peek(p, 0) == '+' || peek(p, 0) == '-')
                i++;
        if (i < p->len && p->s[i] == '0')
                i++;
        else if (i < p->len && p->s[i] >= '1' && p->s[i] <= '9')
                i += digits_run(p, i, 10);
        else
                return;
        if (i + 1 < p->len && p->s[i] == '.' && is_digit((unsigned char)p->s[i + 1])) {
                i += 1 + digits_run(p, i + 1, 10);
                *ret_float = true;
        }
        if (i + 1 < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
                size_t j = i + 1;
                if (p->s[j] == '+' || p->s[j] == '-')
                        j++;
                size_t n = digits_run(p, j, 10);
                if (n) {
                        i = j + n;
                        *ret_float = true;
                }
        }
        *ret_end = i;
}

static int parse_number(struct parser *p, size_t end, bool is_float, int base, struct toml_value **ret)
{
        /* The text without underscores (and, for 0x/0o/0b, without prefix and leading zeros). */
        struct strbuf sb = {0};
        const char *q = p->s + p->pos + (base != 10 ? 2 : 0), *e = p->s + end;
        if (base != 10)
                while (q + 1 < e && (*q == '0' || *q == '_'))
                        q++;
        for (; q < e; q++)
                if (*q != '_')
                        sb_putc(&sb, *q);
        char *txt = sb_steal(&sb);
        struct toml_value *v = value_new(p, is_float ? TOML_FLOAT : TOML_INTEGER, p->pos);
        int r = 0;
        if (is_float) {
                v->u.f = strtod(txt, NULL); /* overflow gives ±inf, as the reference reader does */
        } else {
                char *rest = NULL;
                errno = 0;
                v->u.i = strtoll(txt, &rest, base);
                if (errno == ERANGE || *rest)
                        r = fail(p, "integer out of the 64-bit signed range");
        }
        free(txt);
        if (r < 0) {
                value_free(v);
                return r;
        }
        p->pos = end;
        *ret = v;
        return 0;
}

static bool digits_at(const struct parser *p, size_t at, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (at + i >= p->len || !is_digit((unsigned char)p->s[at + i]))
                        return false;
        return true;
}

static int two(const struct parser *p, size_t at)
{
        return (p->s[at] - '0') * 10 + (p->s[at + 1] - '0');
}

/* HH:MM:SS[.frac] at @at; returns its length or 0. */
static size_t time_extent(const struct parser *p, size_t at)
{
        if (!digits_at(p, at, 2) || at + 8 > p->len || p->s[at + 2] != ':' || !digits_at(p, at + 3, 2) ||
            p->s[at + 5] != ':' || !digits_at(p, at + 6, 2))
                return 0;
        if (two(p, at) > 23 || two(p, at + 3) > 59 || two(p, at + 6) > 59)
                return 0;
        size_t i = at + 8;
        if (i + 1 < p->len && p->s[i] == '.' && is_digit((unsigned char)p->s[i + 1]))
                for (i++; i < p->len && is_digit((unsigned char)p->s[i]); i++)
                        ;
        return i - at;
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* A date, date-time or time at p->pos: 1 made, 0 none there, <0 invalid. */
static int parse_datetime(struct parser *p, struct toml_value **ret)
{
        size_t at = p->pos, end;
        enum toml_type t;
        if (digits_at(p, at, 4) && at + 10 <= p->len && p->s[at + 4] == '-' && digits_at(p, at + 5, 2) &&
            p->s[at + 7] == '-' && digits_at(p, at + 8, 2) && two(p, at + 5) >= 1 && two(p, at + 5) <= 12 &&
            two(p, at + 8) >= 1 && two(p, at + 8) <= 31) {
                int y = atoi(p->s + at), m = two(p, at + 5), d = two(p, at + 8);
                static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
                end = at + 10, t = TOML_DATE_LOCAL;
                size_t tl;
                if (end < p->len && strchr("Tt ", p->s[end]) && p->s[end] && (tl = time_extent(p, end + 1))) {
                        end += 1 + tl, t = TOML_DATETIME_LOCAL;
                        if (end < p->len && (p->s[end] == 'Z' || p->s[end] == 'z')) {
                                end++, t = TOML_DATETIME;
                        } else if (end + 6 <= p->len && (p->s[end] == '+' || p->s[end] == '-') &&
                                   digits_at(p, end + 1, 2) && p->s[end + 3] == ':' && digits_at(p, end + 4, 2) &&
                                   two(p, end + 1) <= 23 && two(p, end + 4) <= 59) {
                                end += 6, t = TOML_DATETIME;
                        }
                }
                if (y < 1 || d > mdays[m - 1] + (m == 2 && leap(y)))
                        return fail(p, "invalid date");
        } else if ((end = time_extent(p, at))) {
                end += at, t = TOML_TIME_LOCAL;
        } else {
                return 0;
        }
        struct toml_value *v = value_new(p, t, at);
        v->u.str.s = xmalloc(end - at + 1);
        memcpy(v->u.str.s, p->s + at, end - at);
        v->u.str.s[end - at] = '\0';
        v->u.str.len = end - at;
        p->pos = end;
        *ret = v;
        return 1;
}

/* ---- values ---- */

static int parse_value(struct parser *p, struct toml_value **ret);
static int kv_into(struct parser *p, struct toml_value *base, const struct key *k, struct toml_value *v,
                   bool inline_table);

static int parse_array(struct parser *p, struct toml_value **ret)
{
        struct toml_value *a = value_new(p, TOML_ARRAY, p->pos);
        a->frozen = 1;
        p->pos++;
        if (skip_array_ws(p) < 0)
                goto err;
        while (peek(p, 0) != ']') {
                struct toml_value *v;
                if (parse_value(p, &v) < 0)
                        goto err;
                array_add(a, v);
                if (skip_array_ws(p) < 0)
                        goto err;
                if (peek(p, 0) == ']')
                        break;
                if (peek(p, 0) != ',') {
                        fail(p, "expected ',' or ']' in an array");
                        goto err;
                }
                p->pos++;
                if (skip_array_ws(p) < 0)
                        goto err;
        }
        p->pos++;
        *ret = a;
        return 0;
err:
        value_free(a);
        return -EINVAL;
}

static int parse_inline_table(struct parser *p, struct toml_value **ret)
{
        struct toml_value *t = value_new(p, TOML_TABLE, p->pos);
        t->frozen = 1;
        p->pos++;
        skip_ws(p);
        if (peek(p, 0) == '}') {
                p->pos++;
                *ret = t;
                return 0;
        }
        for (;;) {
                struct key k = {0};
                struct toml_value *v = NULL;
                if (parse_key(p, &k) < 0)
                        goto err_key;
                if (peek(p, 0) != '=') {
                        fail(p, "expected '=' after a key");
                        goto err_key;
                }
                p->pos++;
                skip_ws(p);
                if (parse_value(p, &v) < 0)
                        goto err_key;
                if (kv_into(p, t, &k, v, true) < 0)
                        goto err_key;
                key_free(&k);
                skip_ws(p);
                int c = peek(p, 0);
                p->pos++;
                if (c == '}')
                        break;
                if (c != ',') {
                        p->pos--;
                        fail(p, "expected ',' or '}' in an inline table");
                        goto err;
                }
                skip_ws(p);
                continue;
err_key:
                key_free(&k);
                goto err;
        }
        *ret = t;
        return 0;
err:
        value_free(t);
        return -EINVAL;
}

static int parse_value(struct parser *p, struct toml_value **ret)
{
        int c = peek(p, 0);
        if (c == '"' || c == '\'') {
                struct strbuf sb = {0};
                size_t at = p->pos;
                if (parse_string(p, &sb, true) < 0) {
                        sb_free(&sb);
                        return -EINVAL;
                }
                struct toml_value *v = value_new(p, TOML_STRING, at);
                v->u.str.len = sb.len;
                v->u.str.s = sb_steal(&sb);
                *ret = v;
                return 0;
        }
        if (starts(p, "true") || starts(p, "false")) {
                struct toml_value *v = value_new(p, TOML_BOOL, p->pos);
                v->u.b = c == 't';
                p->pos += v->u.b ? 4 : 5;
                *ret = v;
                return 0;
        }
        if (c == '[' || c == '{') {
                if (p->depth >= TOML_MAX_DEPTH)
                        return fail(p, "nested deeper than %d", TOML_MAX_DEPTH);
                p->depth++;
                int r = c == '[' ? parse_array(p, ret) : parse_inline_table(p, ret);
                p->depth--;
                return r;
        }
        int r = parse_datetime(p, ret);
        if (r != 0)
                return r < 0 ? r : 0;
        size_t end;
        bool is_float;
        int base;
        number_extent(p, &end, &is_float, &base);
        if (end)
                return parse_number(p, end, is_float, base, ret);
        static const char *const special[] = {"inf", "nan", "+inf", "+nan", "-inf", "-nan"};
        for (size_t i = 0; i < ARRAY_SIZE(special); i++)
                if (starts(p, special[i])) {
                        struct toml_value *v = value_new(p, TOML_FLOAT, p->pos);
                        v->u.f = strchr(special[i], 'i') ? (special[i][0] == '-' ? -INFINITY : INFINITY) : NAN;
                        p->pos += strlen(special[i]);
                        *ret = v;
                        return 0;
                }
        return fail(p, "expected a value");
}

/* ---- placing keys and tables ---- */

static bool is_explicit(const struct parser *p, const struct toml_value *t)
{
        return t->explicit_ || (t->dotted_section && t->dotted_section < p->section);
}

static char *dup_part(const struct key *k, size_t i)
{
        char *c = xmalloc(k->lens[i] + 1);
        memcpy(c, k->parts[i], k->lens[i] + 1);
        return c;
}

/* Tables made on the way to a key are not frozen: only values are (see kv_into). */
static struct toml_value *new_table(struct parser *p, struct toml_value *parent, const struct key *k, size_t i,
                                    size_t at)
{
        struct toml_value *t = value_new(p, TOML_TABLE, at);
        table_add(parent, dup_part(k, i), k->lens[i], t);
        return t;
}

/* key = value under @base (the current section's table, or an inline table). */
static int kv_into(struct parser *p, struct toml_value *base, const struct key *k, struct toml_value *v,
                   bool inline_table)
{
        struct toml_value *t = base;
        for (size_t i = 0; i + 1 < k->n; i++) {
                struct toml_value *c = table_find(t, k->parts[i], k->lens[i]);
                if (!c) {
                        c = new_table(p, t, k, i, p->pos);
                } else if (c->type != TOML_TABLE) {
                        value_free(v);
                        return fail(p, "dotted key goes through \"%s\", which is not a table", k->parts[i]);
                } else if (c->frozen || is_explicit(p, c)) {
                        value_free(v);
                        return fail(p, "dotted key reopens table \"%s\" defined elsewhere", k->parts[i]);
                }
                if (!inline_table)
                        c->dotted_section = p->section;
                t = c;
        }
        if (t->u.tab.n > 0 && table_find(t, k->parts[k->n - 1], k->lens[k->n - 1])) {
                value_free(v);
                return fail(p, "duplicate key \"%s\"", k->parts[k->n - 1]);
        }
        if (v->type == TOML_TABLE || v->type == TOML_ARRAY)
                v->frozen = 1;
        table_add(t, dup_part(k, k->n - 1), k->lens[k->n - 1], v);
        return 0;
}

/* Step from @t into key part @i of a header: arrays of tables lead to their last table. */
static int header_step(struct parser *p, struct toml_value *t, const struct key *k, size_t i, size_t at,
                       struct toml_value **ret)
{
        struct toml_value *c = table_find(t, k->parts[i], k->lens[i]);
        if (!c) {
                *ret = new_table(p, t, k, i, at);
                return 0;
        }
        if (c->frozen)
                return fail(p, "table header reopens \"%s\", an inline table or array", k->parts[i]);
        if (c->type == TOML_ARRAY && c->aot)
                c = c->u.arr.items[c->u.arr.n - 1];
        if (c->type != TOML_TABLE)
                return fail(p, "table header goes through \"%s\", which is not a table", k->parts[i]);
        *ret = c;
        return 0;
}

/* [key] or [[key]]; p->pos is on the first '['. */
static int parse_header(struct parser *p, struct toml_value *root, struct toml_value **ret)
{
        size_t at = p->pos;
        bool aot = peek(p, 1) == '[';
        p->pos += aot ? 2 : 1;
        p->section++;
        skip_ws(p);
        struct key k = {0};
        int r = parse_key(p, &k);
        if (r < 0) {
                key_free(&k);
                return r;
        }
        if (!starts(p, aot ? "]]" : "]")) {
                key_free(&k);
                return fail(p, "expected '%s' to close a table header", aot ? "]]" : "]");
        }
        p->pos += aot ? 2 : 1;
        struct toml_value *t = root;
        for (size_t i = 0; i + 1 < k.n && r >= 0; i++)
                r = header_step(p, t, &k, i, at, &t);
        if (r < 0)
                goto out;
        const char *last = k.parts[k.n - 1];
        struct toml_value *c = table_find(t, last, k.lens[k.n - 1]);
        if (aot) {
                if (!c) {
                        c = value_new(p, TOML_ARRAY, at);
                        c->aot = c->explicit_ = 1;
                        table_add(t, dup_part(&k, k.n - 1), k.lens[k.n - 1], c);
                } else if (c->type != TOML_ARRAY || !c->aot) {
                        r = fail(p, "[[%s]] names something that is not an array of tables", last);
                        goto out;
                }
                struct toml_value *n = value_new(p, TOML_TABLE, at);
                n->explicit_ = 1;
                array_add(c, n);
                *ret = n;
        } else {
                if (!c) {
                        c = new_table(p, t, &k, k.n - 1, at);
                } else if (c->type != TOML_TABLE || c->frozen || is_explicit(p, c)) {
                        r = fail(p, "table [%s] defined twice (or not a table)", last);
                        goto out;
                }
                c->explicit_ = 1;
                c->line = line_at(p, at);
                *ret = c;
        }
out:
        key_free(&k);
        return r;
}

static int parse_document(struct parser *p, struct toml_value *root)
{
        struct toml_value *cur = root;
        for (;;) {
                skip_ws(p);
                int c = peek(p, 0);
                if (c < 0)
                        return 0;
                if (c == '\n') {
                        p->pos++;
                        continue;
                }
                if (is_bare(c) || c == '"' || c == '\'') {
                        struct key k = {0};
                        struct toml_value *v = NULL;
                        int r = parse_key(p, &k);
                        if (r >= 0 && peek(p, 0) != '=')
                                r = fail(p, "expected '=' after a key");
                        if (r >= 0) {
                                p->pos++;
                                skip_ws(p);
                                r = parse_value(p, &v);
                        }
                        if (r >= 0)
                                r = kv_into(p, cur, &k, v, false);
                        key_free(&k);
                        if (r < 0)
                                return r;
                        skip_ws(p);
                } else if (c == '[') {
                        if (parse_header(p, root, &cur) < 0)
                                return -EINVAL;
                        skip_ws(p);
                } else if (c != '#') {
                        return fail(p, "expected a key, a table header or a comment");
                }
                if (skip_comment(p) < 0)
                        return -EINVAL;
                if (peek(p, 0) < 0)
                        return 0;
                if (peek(p, 0) != '\n')
                        return fail(p, "expected the end of the line");
                p->pos++;
        }
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. Returns the
 * offset of the first bad byte, or @len. */
static size_t utf8_valid_prefix(const unsigned char *s, size_t len)
{
        size_t i = 0;
        while (i < len) {
                unsigned char c = s[i];
                size_t n;
                unsigned long cp, min;
                if (c < 0x80) {
                        i++;
                        continue;
                } else if ((c & 0xe0) == 0xc0) {
                        n = 1, cp = c & 0x1f, min = 0x80;
                } else if ((c & 0xf0) == 0xe0) {
                        n = 2, cp = c & 0x0f, min = 0x800;
                } else if ((c & 0xf8) == 0xf0) {
                        n = 3, cp = c & 0x07, min = 0x10000;
                } else {
                        return i;
                }
                if (len - i <= n)
                        return i;
                for (size_t j = 1; j <= n; j++) {
                        if ((s[i + j] & 0xc0) != 0x80)
                                return i;
                        cp = (cp << 6) | (s[i + j] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return i;
                i += n + 1;
        }
        return len;
}

int toml_parse(const char *buf, size_t len, const char *file, struct toml_doc **ret_doc, char **ret_err)
{
        if (len > ROOTFS_READ_CAP) {
                *ret_err = xasprintf("%s: larger than %u bytes", file, ROOTFS_READ_CAP);
                return -EFBIG;
        }
        size_t bad = utf8_valid_prefix((const unsigned char *)buf, len);
        if (bad < len) {
                unsigned line, col;
                text_position(buf, len, bad, &line, &col);
                *ret_err = xasprintf("%s line %u: invalid UTF-8", file, line);
                return -EINVAL;
        }
        if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) { /* a byte order mark */
                buf += 3;
                len -= 3;
        }
        /* CRLF is a newline; a lone CR is then rejected wherever it appears. */
        char *s = xmalloc(len + 1);
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
                if (!(buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n'))
                        s[n++] = buf[i];
        s[n] = '\0';
        struct toml_doc *d = xcalloc(1, sizeof(*d));
        d->file = xstrdup(file);
        struct parser p = {.s = s, .len = n, .file = d->file, .line = 1, .section = 1};
        d->root = value_new(&p, TOML_TABLE, 0);
        d->root->explicit_ = 1;
        int r = parse_document(&p, d->root);
        free(s);
        if (r < 0) {
                *ret_err = p.err ? p.err : xasprintf("%s: invalid TOML", file);
                toml_doc_free(d);
                return r;
        }
        *ret_doc = d;
        return 0;
}

void toml_doc_free(struct toml_doc *d)
{
        if (!d)
                return;
        value_free(d->root);
        free(d->file);
        free(d);
}

const struct toml_value *toml_get(const struct toml_value *t, const char *key)
{
        if (!t || t->type != TOML_TABLE || !key)
                return NULL;
        return table_find(t, key, strlen(key));
}

const struct toml_value *toml_get_path(const struct toml_value *t, const char *const *keys, size_t n)
{
        for (size_t i = 0; i < n && t; i++)
                t = toml_get(t, keys[i]);
        return t;
}

const char *toml_string(const struct toml_value *v)
{
        return v && v->type == TOML_STRING ? v->u.str.s : NULL;
}

const char *toml_type_name(enum toml_type t)
{
        static const char *const names[] = {
                [TOML_STRING] = "string",         [TOML_INTEGER] = "integer",
                [TOML_FLOAT] = "float",           [TOML_BOOL] = "bool",
                [TOML_DATETIME] = "datetime",     [TOML_DATETIME_LOCAL] = "datetime-local",
                [TOML_DATE_LOCAL] = "date-local", [TOML_TIME_LOCAL] = "time-local",
                [TOML_ARRAY] = "array",           [TOML_TABLE] = "table",
        };
        return (unsigned)t < ARRAY_SIZE(names) ? names[t] : "?";
}
