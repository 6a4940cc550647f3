/* toml: a strict TOML 1.0 reader (tables, arrays of tables, dotted keys, inline tables, all
 * string, number and date forms), rejecting what the specification rejects, in linear time. */
#define _GNU_SOURCE
#include "base/toml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rootfs.h"
#include "base/toml_internal.h"
#include "base/util.h"

/* The rules for redefinition follow the specification's text and agree with Python's tomllib
 * (the reference the differential test compares with): a table opened by a header or by dotted
 * keys of an earlier section cannot be opened again; inline tables and static arrays are closed. */

static int skip_comment(struct parser *p)
{
        if (tp_peek(p, 0) != '#')
                return 0;
        while (p->pos < p->len && p->s[p->pos] != '\n') {
                if (tp_is_ctrl((unsigned char)p->s[p->pos]))
                        return tp_fail(p, "control character in a comment");
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
                if (tp_peek(p, 0) != '#')
                        return 0;
                if (skip_comment(p) < 0)
                        return -EINVAL;
        }
}

/* ---- values and tables ---- */

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
        case TOML_BOOL: break;
        default: free(v->u.str.s);
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
                int c = tp_peek(p, 0);
                if (is_bare(c)) {
                        size_t start = p->pos;
                        while (is_bare(tp_peek(p, 0)))
                                p->pos++;
                        sb_putn(&sb, p->s + start, p->pos - start);
                } else if (c == '"' || c == '\'') {
                        if (tp_parse_string(p, &sb, false) < 0) {
                                sb_free(&sb);
                                return -EINVAL;
                        }
                } else {
                        return tp_fail(p, "expected a key");
                }
                if (k->n >= TOML_MAX_DEPTH) {
                        sb_free(&sb);
                        return tp_fail(p, "key has more than %d parts", TOML_MAX_DEPTH);
                }
                k->parts = xrealloc(k->parts, (k->n + 1) * sizeof(*k->parts));
                k->lens = xrealloc(k->lens, (k->n + 1) * sizeof(*k->lens));
                k->lens[k->n] = sb.len;
                k->parts[k->n++] = sb_steal(&sb);
                tp_skip_ws(p);
                if (tp_peek(p, 0) != '.')
                        return 0;
                p->pos++;
                tp_skip_ws(p);
        }
}

/* ---- numbers and dates ---- */

/* ---- values ---- */

static int parse_value(struct parser *p, struct toml_value **ret);
static int kv_into(struct parser *p, struct toml_value *base, const struct key *k, struct toml_value *v,
                   bool inline_table);

static int parse_array(struct parser *p, struct toml_value **ret)
{
        struct toml_value *a = tp_value_new(p, TOML_ARRAY, p->pos);
        a->frozen = 1;
        p->pos++;
        if (skip_array_ws(p) < 0)
                goto err;
        while (tp_peek(p, 0) != ']') {
                struct toml_value *v;
                if (parse_value(p, &v) < 0)
                        goto err;
                array_add(a, v);
                if (skip_array_ws(p) < 0)
                        goto err;
                if (tp_peek(p, 0) == ']')
                        break;
                if (tp_peek(p, 0) != ',') {
                        tp_fail(p, "expected ',' or ']' in an array");
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
        struct toml_value *t = tp_value_new(p, TOML_TABLE, p->pos);
        t->frozen = 1;
        p->pos++;
        tp_skip_ws(p);
        if (tp_peek(p, 0) == '}') {
                p->pos++;
                *ret = t;
                return 0;
        }
        for (;;) {
                struct key k = {0};
                struct toml_value *v = NULL;
                if (parse_key(p, &k) < 0)
                        goto err_key;
                if (tp_peek(p, 0) != '=') {
                        tp_fail(p, "expected '=' after a key");
                        goto err_key;
                }
                p->pos++;
                tp_skip_ws(p);
                if (parse_value(p, &v) < 0)
                        goto err_key;
                if (kv_into(p, t, &k, v, true) < 0)
                        goto err_key;
                key_free(&k);
                tp_skip_ws(p);
                int c = tp_peek(p, 0);
                p->pos++;
                if (c == '}')
                        break;
                if (c != ',') {
                        p->pos--;
                        tp_fail(p, "expected ',' or '}' in an inline table");
                        goto err;
                }
                tp_skip_ws(p);
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
        int c = tp_peek(p, 0);
        if (c == '"' || c == '\'') {
                struct strbuf sb = {0};
                size_t at = p->pos;
                if (tp_parse_string(p, &sb, true) < 0) {
                        sb_free(&sb);
                        return -EINVAL;
                }
                struct toml_value *v = tp_value_new(p, TOML_STRING, at);
                v->u.str.len = sb.len;
                v->u.str.s = sb_steal(&sb);
                *ret = v;
                return 0;
        }
        if (tp_starts(p, "true") || tp_starts(p, "false")) {
                struct toml_value *v = tp_value_new(p, TOML_BOOL, p->pos);
                v->u.b = c == 't';
                p->pos += v->u.b ? 4 : 5;
                *ret = v;
                return 0;
        }
        if (c == '[' || c == '{') {
                if (p->depth >= TOML_MAX_DEPTH)
                        return tp_fail(p, "nested deeper than %d", TOML_MAX_DEPTH);
                p->depth++;
                int r = c == '[' ? parse_array(p, ret) : parse_inline_table(p, ret);
                p->depth--;
                return r;
        }
        int r = tp_parse_datetime(p, ret);
        if (r != 0)
                return r < 0 ? r : 0;
        size_t end;
        bool is_float;
        int base;
        tp_number_extent(p, &end, &is_float, &base);
        if (end)
                return tp_parse_number(p, end, is_float, base, ret);
        static const char *const special[] = {"inf", "nan", "+inf", "+nan", "-inf", "-nan"};
        for (size_t i = 0; i < ARRAY_SIZE(special); i++)
                if (tp_starts(p, special[i])) {
                        struct toml_value *v = tp_value_new(p, TOML_FLOAT, p->pos);
                        v->u.f = strchr(special[i], 'i') ? (special[i][0] == '-' ? -INFINITY : INFINITY) : NAN;
                        p->pos += strlen(special[i]);
                        *ret = v;
                        return 0;
                }
        return tp_fail(p, "expected a value");
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
        struct toml_value *t = tp_value_new(p, TOML_TABLE, at);
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
                        return tp_fail(p, "dotted key goes through \"%s\", which is not a table", k->parts[i]);
                } else if (c->frozen || is_explicit(p, c)) {
                        value_free(v);
                        return tp_fail(p, "dotted key reopens table \"%s\" defined elsewhere", k->parts[i]);
                }
                if (!inline_table)
                        c->dotted_section = p->section;
                t = c;
        }
        if (t->u.tab.n > 0 && table_find(t, k->parts[k->n - 1], k->lens[k->n - 1])) {
                value_free(v);
                return tp_fail(p, "duplicate key \"%s\"", k->parts[k->n - 1]);
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
                return tp_fail(p, "table header reopens \"%s\", an inline table or array", k->parts[i]);
        if (c->type == TOML_ARRAY && c->aot)
                c = c->u.arr.items[c->u.arr.n - 1];
        if (c->type != TOML_TABLE)
                return tp_fail(p, "table header goes through \"%s\", which is not a table", k->parts[i]);
        *ret = c;
        return 0;
}

/* [key] or [[key]]; p->pos is on the first '['. */
static int parse_header(struct parser *p, struct toml_value *root, struct toml_value **ret)
{
        size_t at = p->pos;
        bool aot = tp_peek(p, 1) == '[';
        p->pos += aot ? 2 : 1;
        p->section++;
        tp_skip_ws(p);
        struct key k = {0};
        int r = parse_key(p, &k);
        if (r < 0) {
                key_free(&k);
                return r;
        }
        if (!tp_starts(p, aot ? "]]" : "]")) {
                key_free(&k);
                return tp_fail(p, "expected '%s' to close a table header", aot ? "]]" : "]");
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
                        c = tp_value_new(p, TOML_ARRAY, at);
                        c->aot = c->explicit_ = 1;
                        table_add(t, dup_part(&k, k.n - 1), k.lens[k.n - 1], c);
                } else if (c->type != TOML_ARRAY || !c->aot) {
                        r = tp_fail(p, "[[%s]] names something that is not an array of tables", last);
                        goto out;
                }
                struct toml_value *n = tp_value_new(p, TOML_TABLE, at);
                n->explicit_ = 1;
                array_add(c, n);
                *ret = n;
        } else {
                if (!c) {
                        c = new_table(p, t, &k, k.n - 1, at);
                } else if (c->type != TOML_TABLE || c->frozen || is_explicit(p, c)) {
                        r = tp_fail(p, "table [%s] defined twice (or not a table)", last);
                        goto out;
                }
                c->explicit_ = 1;
                c->line = tp_line_at(p, at);
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
                tp_skip_ws(p);
                int c = tp_peek(p, 0);
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
                        if (r >= 0 && tp_peek(p, 0) != '=')
                                r = tp_fail(p, "expected '=' after a key");
                        if (r >= 0) {
                                p->pos++;
                                tp_skip_ws(p);
                                r = parse_value(p, &v);
                        }
                        if (r >= 0)
                                r = kv_into(p, cur, &k, v, false);
                        key_free(&k);
                        if (r < 0)
                                return r;
                        tp_skip_ws(p);
                } else if (c == '[') {
                        if (parse_header(p, root, &cur) < 0)
                                return -EINVAL;
                        tp_skip_ws(p);
                } else if (c != '#') {
                        return tp_fail(p, "expected a key, a table header or a comment");
                }
                if (skip_comment(p) < 0)
                        return -EINVAL;
                if (tp_peek(p, 0) < 0)
                        return 0;
                if (tp_peek(p, 0) != '\n')
                        return tp_fail(p, "expected the end of the line");
                p->pos++;
        }
}

int toml_parse(const char *buf, size_t len, const char *file, struct toml_doc **ret_doc, char **ret_err)
{
        if (len > ROOTFS_READ_CAP) {
                *ret_err = xasprintf("%s: larger than %u bytes", file, ROOTFS_READ_CAP);
                return -EFBIG;
        }
        size_t bad = tp_utf8_valid_prefix((const unsigned char *)buf, len);
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
        d->root = tp_value_new(&p, TOML_TABLE, 0);
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
