/* toml: a strict TOML 1.0 reader with a walkable value tree; every value knows its file and line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nesting of tables, arrays and inline tables deeper than this is rejected (no
 * recursion is unbounded); documents larger than ROOTFS_READ_CAP are rejected too. */
#define TOML_MAX_DEPTH 64

enum toml_type {
        TOML_STRING,
        TOML_INTEGER,
        TOML_FLOAT,
        TOML_BOOL,
        TOML_DATETIME,       /* offset date-time; the text is kept as written */
        TOML_DATETIME_LOCAL, /* local date-time */
        TOML_DATE_LOCAL,
        TOML_TIME_LOCAL,
        TOML_ARRAY,
        TOML_TABLE,
};

struct toml_value;

struct toml_kv {
        char *key;
        size_t key_len; /* a quoted key may hold NUL */
        struct toml_value *value;
};

struct toml_value {
        enum toml_type type;
        unsigned line;    /* 1-based line the value (or table header) starts on */
        const char *file; /* the document's file name; lives as long as the document */
        union {
                struct {
                        char *s; /* NUL-terminated; may also hold NUL (see len) */
                        size_t len;
                } str; /* TOML_STRING and the date/time types */
                int64_t i;
                double f;
                bool b;
                struct {
                        struct toml_value **items;
                        size_t n, cap;
                } arr;
                struct {
                        struct toml_kv *kv; /* in document order */
                        size_t n, cap;
                        size_t *index; /* open-addressing hash of kv positions + 1 (0: empty) */
                        size_t index_cap;
                } tab;
        } u;
        /* Parser state: how the table or array came to be (see toml.c). */
        unsigned char explicit_; /* opened by [header] or [[header]] */
        unsigned char frozen;    /* an inline table or a static array, or inside one */
        unsigned char aot;       /* an array of tables made by [[header]] */
        unsigned dotted_section; /* section number in which dotted keys opened it (0: never) */
};

struct toml_doc {
        char *file;
        struct toml_value *root; /* TOML_TABLE */
};

/* Parse @len bytes of @buf (UTF-8, NUL bytes rejected). On error, *ret_err is
 * "FILE line N: reason" (malloc'ed) and nothing is returned. */
int toml_parse(const char *buf, size_t len, const char *file, struct toml_doc **ret_doc, char **ret_err);
void toml_doc_free(struct toml_doc *d);

/* Lookups return NULL when @t is NULL or not a table, or the key is absent. */
const struct toml_value *toml_get(const struct toml_value *t, const char *key);
/* A dotted path of bare keys ("plugins.x.registry" is three keys; use toml_get for quoted ones). */
const struct toml_value *toml_get_path(const struct toml_value *t, const char *const *keys, size_t n);
/* The string of @v, or NULL when @v is not a TOML_STRING. */
const char *toml_string(const struct toml_value *v);
const char *toml_type_name(enum toml_type t);
