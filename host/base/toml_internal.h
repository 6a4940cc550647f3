/* toml_internal: the reader's state and the scalar lexers toml.c and toml_scalar.c share. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base/toml.h"
#include "base/util.h"

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

unsigned tp_line_at(struct parser *p, size_t pos);
/* Record "FILE line N: reason" (the first error wins); returns -EINVAL. */
int tp_fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tp_peek(const struct parser *p, size_t off);
bool tp_starts(const struct parser *p, const char *lit);
void tp_skip_ws(struct parser *p);
bool tp_is_ctrl(int c);
bool tp_is_digit(int c);
struct toml_value *tp_value_new(struct parser *p, enum toml_type t, size_t at);
/* Any string form at p->pos (on the opening quote); multi-line forms only if @allow_multiline. */
int tp_parse_string(struct parser *p, struct strbuf *sb, bool allow_multiline);
/* A date, date-time or time at p->pos: 1 made, 0 none there, <0 invalid. */
int tp_parse_datetime(struct parser *p, struct toml_value **ret);
void tp_number_extent(const struct parser *p, size_t *ret_end, bool *ret_float, int *ret_base);
int tp_parse_number(struct parser *p, size_t end, bool is_float, int base, struct toml_value **ret);
size_t tp_utf8_valid_prefix(const unsigned char *s, size_t len);
