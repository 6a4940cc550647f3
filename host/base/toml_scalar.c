/* toml_scalar: the TOML reader's lexing of strings, numbers and dates, and its UTF-8 validation. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/toml_internal.h"

unsigned tp_line_at(struct parser *p, size_t pos)
{
        for (; p->line_pos < pos && p->line_pos < p->len; p->line_pos++)
                if (p->s[p->line_pos] == '\n')
                        p->line++;
        return p->line;
}

int tp_fail(struct parser *p, const char *fmt, ...)
{
        if (p->err)
                return -EINVAL;
        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                abort();
        va_end(ap);
        p->err = xasprintf("%s line %u: %s", p->file, tp_line_at(p, p->pos), msg);
        free(msg);
        return -EINVAL;
}

int tp_peek(const struct parser *p, size_t off)
{
        return p->pos + off < p->len ? (unsigned char)p->s[p->pos + off] : -1;
}

bool tp_starts(const struct parser *p, const char *lit)
{
        size_t n = strlen(lit);
        return p->len - p->pos >= n && memcmp(p->s + p->pos, lit, n) == 0;
}

void tp_skip_ws(struct parser *p)
{
        while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
                p->pos++;
}

/* Control characters other than tab are never allowed in comments or strings. */
bool tp_is_ctrl(int c)
{
        return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

struct toml_value *tp_value_new(struct parser *p, enum toml_type t, size_t at)
{
        struct toml_value *v = xcalloc(1, sizeof(*v));
        v->type = t;
        v->file = p->file;
        v->line = tp_line_at(p, at);
        return v;
}

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
        int c = tp_peek(p, 1);
        p->pos += 2;
        if (multiline && (c == ' ' || c == '\t' || c == '\n')) {
                /* A line-ending backslash: only whitespace may follow it on its line. */
                if (c != '\n') {
                        tp_skip_ws(p);
                        if (p->pos >= p->len)
                                return 0;
                        if (p->s[p->pos] != '\n')
                                return tp_fail(p, "a backslash that ends a line may be followed only by whitespace");
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
                return tp_fail(p, "unknown escape \\%c", c > 0x20 && c < 0x7f ? c : '?');
        size_t n = c == 'u' ? 4 : 8;
        unsigned long cp = 0;
        for (size_t i = 0; i < n; i++) {
                int h = tp_peek(p, i);
                int d = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                               : -1;
                if (d < 0)
                        return tp_fail(p, "\\%c needs %zu hex digits", c, n);
                cp = cp * 16 + (unsigned long)d;
        }
        p->pos += n;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return tp_fail(p, "\\%c escape U+%lX is not a Unicode scalar value", c, cp);
        put_utf8(sb, cp);
        return 0;
}

/* p->pos is past the opening quote(s). */
static int parse_basic(struct parser *p, bool multiline, struct strbuf *sb)
{
        size_t start = p->pos;
        for (;;) {
                if (p->pos >= p->len)
                        return tp_fail(p, "unterminated string");
                int c = (unsigned char)p->s[p->pos];
                if (c == '"') {
                        if (!multiline || tp_starts(p, "\"\"\"")) {
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
                if (tp_is_ctrl(c) && !(multiline && c == '\n'))
                        return tp_fail(p, "control character in a string");
                p->pos++;
        }
}

static int parse_literal(struct parser *p, bool multiline, struct strbuf *sb)
{
        const char *end = multiline ? "'''" : "'";
        size_t start = p->pos;
        while (!tp_starts(p, end)) {
                if (p->pos >= p->len)
                        return tp_fail(p, "unterminated string");
                int c = (unsigned char)p->s[p->pos];
                if (tp_is_ctrl(c) && !(multiline && c == '\n'))
                        return tp_fail(p, "control character in a string");
                p->pos++;
        }
        sb_putn(sb, p->s + start, p->pos - start);
        p->pos += strlen(end);
        return 0;
}

/* Any string form; p->pos is on the opening quote. */
int tp_parse_string(struct parser *p, struct strbuf *sb, bool allow_multiline)
{
        char q = p->s[p->pos];
        bool ml = allow_multiline && tp_starts(p, q == '"' ? "\"\"\"" : "'''");
        p->pos += ml ? 3 : 1;
        if (ml && tp_peek(p, 0) == '\n')
                p->pos++;
        int r = q == '"' ? parse_basic(p, ml, sb) : parse_literal(p, ml, sb);
        if (r < 0 || !ml)
                return r;
        /* Up to two quotes right before the closing three belong to the string. */
        for (int i = 0; i < 2 && tp_peek(p, 0) == q; i++) {
                sb_putc(sb, q);
                p->pos++;
        }
        return 0;
}

bool tp_is_digit(int c)
{
        return c >= '0' && c <= '9';
}

static bool isxdigit_c(int c)
{
        return tp_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static size_t digits_run(const struct parser *p, size_t at, int base)
{
        size_t i = at;
        int c = i < p->len ? (unsigned char)p->s[i] : -1;
#define DIGIT_OK(c)                                                                                                    \
        ((base == 16 && isxdigit_c(c)) || (base == 10 && tp_is_digit(c)) || (base == 8 && (c) >= '0' && (c) <= '7') || \
         (base == 2 && ((c) == '0' || (c) == '1')))
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
void tp_number_extent(const struct parser *p, size_t *ret_end, bool *ret_float, int *ret_base)
{
        size_t at = p->pos;
        *ret_end = 0, *ret_float = false, *ret_base = 10;
        if (tp_peek(p, 0) == '0' && (tp_peek(p, 1) == 'x' || tp_peek(p, 1) == 'o' || tp_peek(p, 1) == 'b')) {
                int base = tp_peek(p, 1) == 'x' ? 16 : tp_peek(p, 1) == 'o' ? 8 : 2;
                size_t n = digits_run(p, at + 2, base);
                if (n) {
                        *ret_end = at + 2 + n, *ret_base = base;
                        return;
                }
        }
        size_t i = at;
        if (tp_peek(p, 0) == '+' || tp_peek(p, 0) == '-')
                i++;
        if (i < p->len && p->s[i] == '0')
                i++;
        else if (i < p->len && p->s[i] >= '1' && p->s[i] <= '9')
                i += digits_run(p, i, 10);
        else
                return;
        if (i + 1 < p->len && p->s[i] == '.' && tp_is_digit((unsigned char)p->s[i + 1])) {
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

int tp_parse_number(struct parser *p, size_t end, bool is_float, int base, struct toml_value **ret)
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
        char *txt = sb_steal(&sb), *rest = NULL;
        double f = 0;
        long long i = 0;
        if (is_float) {
                f = strtod(txt, NULL); /* overflow gives ±inf, as the reference reader does */
        } else {
                errno = 0;
                i = strtoll(txt, &rest, base);
                if (errno == ERANGE || *rest) {
                        free(txt);
                        return tp_fail(p, "integer out of the 64-bit signed range");
                }
        }
        free(txt);
        struct toml_value *v = tp_value_new(p, is_float ? TOML_FLOAT : TOML_INTEGER, p->pos);
        if (is_float)
                v->u.f = f;
        else
                v->u.i = i;
        p->pos = end;
        *ret = v;
        return 0;
}

static bool digits_at(const struct parser *p, size_t at, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (at + i >= p->len || !tp_is_digit((unsigned char)p->s[at + i]))
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
        if (i + 1 < p->len && p->s[i] == '.' && tp_is_digit((unsigned char)p->s[i + 1]))
                for (i++; i < p->len && tp_is_digit((unsigned char)p->s[i]); i++)
                        ;
        return i - at;
}

static bool leap(int y)
{
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* A date, date-time or time at p->pos: 1 made, 0 none there, <0 invalid. */
int tp_parse_datetime(struct parser *p, struct toml_value **ret)
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
                        return tp_fail(p, "invalid date");
        } else if ((end = time_extent(p, at))) {
                end += at, t = TOML_TIME_LOCAL;
        } else {
                return 0;
        }
        struct toml_value *v = tp_value_new(p, t, at);
        v->u.str.s = xmalloc(end - at + 1);
        memcpy(v->u.str.s, p->s + at, end - at);
        v->u.str.s[end - at] = '\0';
        v->u.str.len = end - at;
        p->pos = end;
        *ret = v;
        return 1;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. Returns the
 * offset of the first bad byte, or @len. */
size_t tp_utf8_valid_prefix(const unsigned char *s, size_t len)
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
