/* confdoc: JSON and YAML configuration documents as one tree (cJSON), with positioned errors. */
#define _GNU_SOURCE
#include "base/confdoc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/util.h"

/* Aliases can multiply a small file into a huge tree; nothing real comes near this. */
#define MAX_TREE_NODES 200000
#define MAX_TREE_DEPTH 64

struct keyed {
        cJSON *item;
        size_t pos;
};

static int cmp_keyed(const void *a, const void *b)
{
        const struct keyed *x = a, *y = b;
        int c = strcmp(x->item->string, y->item->string);
        if (c)
                return c;
        return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Keep the last of duplicate keys: sort by (key, position), drop all but the
 * highest position of each run. O(n log n), so a hostile file cannot make it slow. */
static void dedupe_object(cJSON *obj)
{
        size_t n = 0;
        for (cJSON *c = obj->child; c; c = c->next)
                n++;
        if (n < 2)
                return;
        struct keyed *v = xmalloc(n * sizeof(*v));
        size_t i = 0;
        for (cJSON *c = obj->child; c; c = c->next, i++)
                v[i] = (struct keyed){c, i};
        qsort(v, n, sizeof(*v), cmp_keyed);
        for (i = 0; i + 1 < n; i++)
                if (strcmp(v[i].item->string, v[i + 1].item->string) == 0)
                        cJSON_Delete(cJSON_DetachItemViaPointer(obj, v[i].item));
        free(v);
}

static void dedupe_tree(cJSON *node, int depth)
{
        if (depth > MAX_TREE_DEPTH)
                return;
        if (cJSON_IsObject(node))
                dedupe_object(node);
        for (cJSON *c = node->child; c; c = c->next)
                dedupe_tree(c, depth + 1);
}

static int tree_depth_ok(const cJSON *node, int depth)
{
        if (depth > MAX_TREE_DEPTH)
                return 0;
        for (const cJSON *c = node->child; c; c = c->next)
                if (!tree_depth_ok(c, depth + 1))
                        return 0;
        return 1;
}

static int parse_json(const char *buf, size_t len, cJSON **ret_doc, char **ret_err)
{
        const char *end = NULL;
        cJSON *doc = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
        if (doc) {
                /* Only white space may follow the document. */
                const char *p = end;
                while (p < buf + len && strchr(" \t\r\n", *p))
                        p++;
                if (p < buf + len) {
                        unsigned l, c;
                        text_position(buf, len, (size_t)(p - buf), &l, &c);
                        *ret_err = xasprintf("%u:%u: unexpected text after the JSON document", l, c);
                        cJSON_Delete(doc);
                        return -EINVAL;
                }
                if (!tree_depth_ok(doc, 0)) {
                        *ret_err = xstrdup("1:1: nesting deeper than 64 levels");
                        cJSON_Delete(doc);
                        return -EINVAL;
                }
                dedupe_tree(doc, 0);
                *ret_doc = doc;
                return 0;
        }
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= buf && at <= buf + len ? (size_t)(at - buf) : 0;
        unsigned l, c;
        text_position(buf, len, off, &l, &c);
        if (off >= len)
                *ret_err = xasprintf("%u:%u: unexpected end of JSON input", l, c);
        else {
                /* Quote a little of the offending text, printable and on one line. */
                char near[16];
                size_t n = 0;
                for (size_t i = off; i < len && n < 12 && buf[i] != '\n'; i++)
                        near[n++] = (buf[i] >= 0x20 && buf[i] < 0x7f) ? buf[i] : '?';
                near[n] = '\0';
                *ret_err = xasprintf("%u:%u: invalid JSON near '%s'", l, c, near);
        }
        return -EINVAL;
}

static bool in_list(const char *s, const char *const *list)
{
        for (; *list; list++)
                if (strcmp(s, *list) == 0)
                        return true;
        return false;
}

/* Resolve a plain YAML scalar as YAML 1.1 does (the kubelet's YAML decoder). */
static cJSON *yaml_plain_scalar(const char *s)
{
        static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
        static const char *const trues[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                            "True", "TRUE", "on",  "On",  "ON",  NULL};
        static const char *const falses[] = {"n",     "N",     "no",  "No",  "NO",  "false",
                                             "False", "FALSE", "off", "Off", "OFF", NULL};
        if (in_list(s, nulls))
                return cJSON_CreateNull();
        if (in_list(s, trues))
                return cJSON_CreateTrue();
        if (in_list(s, falses))
                return cJSON_CreateFalse();
        char num[64];
        size_t n = 0;
        for (const char *p = s; *p && n + 1 < sizeof(num); p++)
                if (*p != '_')
                        num[n++] = *p;
        num[n] = '\0';
        if (n == 0 || strlen(s) >= sizeof(num))
                return cJSON_CreateString(s);
        const char *d = num + (num[0] == '-' || num[0] == '+');
        char *end;
        errno = 0;
        if (d[0] == '0' && (d[1] == 'b' || d[1] == 'B')) {
                unsigned long long v = strtoull(d + 2, &end, 2);
                if (*end == '\0' && d[2] && errno == 0)
                        return cJSON_CreateNumber(num[0] == '-' ? -(double)v : (double)v);
                return cJSON_CreateString(s);
        }
        if ((d[0] >= '0' && d[0] <= '9')) {
                long long v = strtoll(num, &end, 0);
                if (*end == '\0' && errno == 0)
                        return cJSON_CreateNumber((double)v);
        }
        if (strcmp(d, ".inf") == 0 || strcmp(d, ".Inf") == 0 || strcmp(d, ".INF") == 0 || strcmp(d, ".nan") == 0 ||
            strcmp(d, ".NaN") == 0 || strcmp(d, ".NAN") == 0)
                return cJSON_CreateString(s); /* JSON cannot carry these; the kubelet rejects them */
        if ((d[0] >= '0' && d[0] <= '9') || (d[0] == '.' && d[1] >= '0' && d[1] <= '9')) {
                errno = 0;
                double v = strtod(num, &end);
                if (*end == '\0' && errno == 0 && isfinite(v))
                        return cJSON_CreateNumber(v);
        }
        return cJSON_CreateString(s);
}

struct yconv {
        yaml_document_t *doc;
        size_t nodes;
        char *err;
};

static cJSON *yaml_node_to_json(struct yconv *y, yaml_node_t *node, int depth)
{
        if (!node)
                return cJSON_CreateNull();
        if (++y->nodes > MAX_TREE_NODES || depth > MAX_TREE_DEPTH) {
                if (!y->err)
                        y->err = xasprintf("%lu:%lu: document too large or too deeply nested "
                                           "(alias expansion?)",
                                           (unsigned long)node->start_mark.line + 1,
                                           (unsigned long)node->start_mark.column + 1);
                return NULL;
        }
        switch (node->type) {
        case YAML_SCALAR_NODE: {
                const char *v = (const char *)node->data.scalar.value;
                if (memchr(v, '\0', node->data.scalar.length)) {
                        y->err = xasprintf("%lu:%lu: NUL byte in a scalar", (unsigned long)node->start_mark.line + 1,
                                           (unsigned long)node->start_mark.column + 1);
                        return NULL;
                }
                /* The loader tags every untagged scalar !!str, so the tag says nothing:
                 * quoting decides, as in the kubelet's decoder. */
                if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
                        return cJSON_CreateString(v);
                return yaml_plain_scalar(v);
        }
        case YAML_SEQUENCE_NODE: {
                cJSON *arr = cJSON_CreateArray();
                for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
                        cJSON *c = yaml_node_to_json(y, yaml_document_get_node(y->doc, *it), depth + 1);
                        if (!c) {
                                cJSON_Delete(arr);
                                return NULL;
                        }
                        cJSON_AddItemToArray(arr, c);
                }
                return arr;
        }
        case YAML_MAPPING_NODE: {
                cJSON *obj = cJSON_CreateObject();
                for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
                        yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
                        if (!k || k->type != YAML_SCALAR_NODE) {
                                y->err = xasprintf("%lu:%lu: mapping key is not a scalar",
                                                   (unsigned long)(k ? k->start_mark.line : 0) + 1,
                                                   (unsigned long)(k ? k->start_mark.column : 0) + 1);
                                cJSON_Delete(obj);
                                return NULL;
                        }
                        cJSON *c = yaml_node_to_json(y, yaml_document_get_node(y->doc, p->value), depth + 1);
                        if (!c) {
                                cJSON_Delete(obj);
                                return NULL;
                        }
                        cJSON_AddItemToObject(obj, (const char *)k->data.scalar.value, c);
                }
                return obj;
        }
        default: return cJSON_CreateNull();
        }
}

/* Block nesting ("- - - x", "? ? ? x", deeper indentation) is out of
 * flow_depth_ok()'s reach, and libyaml's loader builds the whole tree before the
 * converter counts it: 4 MiB of "? " cost seconds and a GiB. So a first pass over
 * the parser's events, in constant memory, refuses the first document at its first
 * node deeper than the converter allows or past MAX_TREE_NODES nodes (keys counted
 * too, aliases as one node: the converter still bounds their expansion). Syntax
 * errors are left to the loader, which reports them with their position. */
static int yaml_shape_ok(const char *buf, size_t len, char **ret_err)
{
        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
        int depth = 0, r = 0;
        size_t nodes = 0;
        for (bool done = false; !done && r == 0;) {
                yaml_event_t ev;
                if (!yaml_parser_parse(&parser, &ev))
                        break;
                unsigned long l = (unsigned long)ev.start_mark.line + 1, c = (unsigned long)ev.start_mark.column + 1;
                switch (ev.type) {
                case YAML_SEQUENCE_START_EVENT:
                case YAML_MAPPING_START_EVENT:
                case YAML_SCALAR_EVENT:
                case YAML_ALIAS_EVENT:
                        if (depth > MAX_TREE_DEPTH) {
                                *ret_err = xasprintf("%lu:%lu: nesting deeper than %d levels", l, c, MAX_TREE_DEPTH);
                                r = -EINVAL;
                        } else if (++nodes > MAX_TREE_NODES) {
                                *ret_err = xasprintf("%lu:%lu: document larger than %d nodes", l, c, MAX_TREE_NODES);
                                r = -EINVAL;
                        }
                        depth += ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT;
                        break;
                case YAML_SEQUENCE_END_EVENT:
                case YAML_MAPPING_END_EVENT: depth--; break;
                case YAML_DOCUMENT_END_EVENT:
                case YAML_STREAM_END_EVENT: done = true; break;
                default: break;
                }
                yaml_event_delete(&ev);
        }
        yaml_parser_delete(&parser);
        return r;
}

static int parse_yaml(const char *buf, size_t len, cJSON **ret_doc, char **ret_err)
{
        yaml_parser_t parser;
        yaml_document_t doc;
        int r = yaml_shape_ok(buf, len, ret_err);
        if (r < 0)
                return r;
        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
        if (!yaml_parser_load(&parser, &doc)) {
                const char *ctx = parser.context ? parser.context : "";
                *ret_err = xasprintf("%lu:%lu: %s%s%s", (unsigned long)parser.problem_mark.line + 1,
                                     (unsigned long)parser.problem_mark.column + 1,
                                     parser.problem ? parser.problem : "invalid YAML", *ctx ? " " : "", ctx);
                yaml_parser_delete(&parser);
                return -EINVAL;
        }
        struct yconv y = {.doc = &doc};
        yaml_node_t *rootn = yaml_document_get_root_node(&doc);
        cJSON *out = rootn ? yaml_node_to_json(&y, rootn, 0) : cJSON_CreateObject();
        yaml_document_delete(&doc);
        yaml_parser_delete(&parser);
        if (!out) {
                *ret_err = y.err ? y.err : xstrdup("1:1: invalid YAML");
                return -EINVAL;
        }
        free(y.err);
        dedupe_tree(out, 0);
        *ret_doc = out;
        return 0;
}

/* Flow nesting ([ and {) deeper than any config needs is refused before a parser
 * sees it: libyaml's scanner walks its stack of possible simple keys, one per flow
 * level, on every token, so 4 MiB of "[" would cost it hours. Brackets inside
 * quoted scalars and comments do not count. Linear in @len, no allocation. */
static int flow_depth_ok(const char *buf, size_t len, char **ret_err)
{
        int depth = 0;
        char quote = 0;
        for (size_t i = 0; i < len; i++) {
                char ch = buf[i], prev = i ? buf[i - 1] : '\n';
                if (quote == '"') {
                        if (ch == '\\')
                                i++; /* an escaped character, a quote included */
                        else if (ch == '"')
                                quote = 0;
                } else if (quote == '\'') {
                        if (ch == '\'' && i + 1 < len && buf[i + 1] == '\'')
                                i++; /* '' is a quote inside the scalar */
                        else if (ch == '\'')
                                quote = 0;
                } else if (ch == '"' || (ch == '\'' && strchr(" \t\r\n[{,:", prev))) {
                        quote = ch;
                } else if (ch == '#' && strchr(" \t\r\n", prev)) {
                        while (i + 1 < len && buf[i + 1] != '\n')
                                i++;
                } else if (ch == '[' || ch == '{') {
                        if (++depth > MAX_TREE_DEPTH) {
                                unsigned l, c;
                                text_position(buf, len, i, &l, &c);
                                *ret_err = xasprintf("%u:%u: nesting deeper than %d levels", l, c, MAX_TREE_DEPTH);
                                return -EINVAL;
                        }
                } else if ((ch == ']' || ch == '}') && depth > 0) {
                        depth--;
                }
        }
        return 0;
}

int confdoc_parse(const char *buf, size_t len, cJSON **ret_doc, char **ret_err)
{
        int dr = flow_depth_ok(buf, len, ret_err);
        if (dr < 0)
                return dr;
        size_t i = 0;
        if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
                i = 3;
        while (i < len && strchr(" \t\r\n", buf[i]))
                i++;
        cJSON *doc = NULL;
        int r = (i < len && buf[i] == '{') ? parse_json(buf, len, &doc, ret_err) : parse_yaml(buf, len, &doc, ret_err);
        if (r < 0)
                return r;
        if (cJSON_IsNull(doc)) { /* an empty file */
                cJSON_Delete(doc);
                doc = cJSON_CreateObject();
        }
        if (!cJSON_IsObject(doc)) {
                cJSON_Delete(doc);
                *ret_err = xstrdup("1:1: top level is not a mapping");
                return -EINVAL;
        }
        *ret_doc = doc;
        return 0;
}

void confdoc_merge(cJSON *dst, const cJSON *src)
{
        for (const cJSON *s = src->child; s; s = s->next) {
                cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, s->string);
                if (d && cJSON_IsObject(d) && cJSON_IsObject(s)) {
                        confdoc_merge(d, s);
                        continue;
                }
                cJSON *copy = cJSON_Duplicate(s, 1);
                if (d)
                        cJSON_ReplaceItemInObjectCaseSensitive(dst, s->string, copy);
                else
                        cJSON_AddItemToObject(dst, s->string, copy);
        }
}

const cJSON *confdoc_get(const cJSON *doc, const char *path)
{
        char key[256];
        const cJSON *cur = doc;
        while (cur && *path) {
                const char *dot = strchrnul(path, '.');
                size_t n = (size_t)(dot - path);
                if (n >= sizeof(key) || !cJSON_IsObject(cur))
                        return NULL;
                memcpy(key, path, n);
                key[n] = '\0';
                cur = cJSON_GetObjectItemCaseSensitive(cur, key);
                path = *dot ? dot + 1 : dot;
        }
        return cur;
}

void confdoc_set(cJSON *doc, const char *path, cJSON *val)
{
        char key[256];
        cJSON *cur = doc;
        for (;;) {
                const char *dot = strchrnul(path, '.');
                size_t n = (size_t)(dot - path);
                if (n >= sizeof(key))
                        n = sizeof(key) - 1;
                memcpy(key, path, n);
                key[n] = '\0';
                cJSON *next = cJSON_GetObjectItemCaseSensitive(cur, key);
                if (!*dot) {
                        if (next)
                                cJSON_ReplaceItemInObjectCaseSensitive(cur, key, val);
                        else
                                cJSON_AddItemToObject(cur, key, val);
                        return;
                }
                if (!next || !cJSON_IsObject(next)) {
                        cJSON *obj = cJSON_CreateObject();
                        if (next)
                                cJSON_ReplaceItemInObjectCaseSensitive(cur, key, obj);
                        else
                                cJSON_AddItemToObject(cur, key, obj);
                        next = obj;
                }
                cur = next;
                path = dot + 1;
        }
}

char *confdoc_value_str(const cJSON *v)
{
        if (!v)
                return xstrdup("(unset)");
        if (cJSON_IsString(v))
                return xstrdup(v->valuestring);
        char *s = cJSON_PrintUnformatted(v);
        return s ? s : xstrdup("?");
}

/* A patch value as it lands where the target has no object to merge into: a copy,
 * with an object's nulls dropped (RFC 7386: MergePatch({}, value)). */
static cJSON *patched_copy(const cJSON *p)
{
        if (!cJSON_IsObject(p))
                return cJSON_Duplicate(p, 1);
        cJSON *o = cJSON_CreateObject();
        confdoc_merge_patch(o, p);
        return o;
}

void confdoc_merge_patch(cJSON *target, const cJSON *patch)
{
        for (const cJSON *p = patch->child; p; p = p->next) {
                cJSON *cur = cJSON_GetObjectItemCaseSensitive(target, p->string);
                if (cJSON_IsNull(p)) {
                        if (cur)
                                cJSON_Delete(cJSON_DetachItemViaPointer(target, cur));
                        continue;
                }
                if (cJSON_IsObject(cur) && cJSON_IsObject(p)) {
                        confdoc_merge_patch(cur, p);
                        continue;
                }
                cJSON *nv = patched_copy(p);
                if (cur)
                        cJSON_ReplaceItemInObjectCaseSensitive(target, p->string, nv);
                else
                        cJSON_AddItemToObject(target, p->string, nv);
        }
}

enum confdoc_found confdoc_lookup(const cJSON *doc, const char *path, const cJSON **ret_v)
{
        char key[256];
        const cJSON *cur = doc;
        for (;;) {
                const char *dot = strchrnul(path, '.');
                size_t n = (size_t)(dot - path);
                if (n >= sizeof(key))
                        return CONFDOC_ABSENT;
                memcpy(key, path, n);
                key[n] = '\0';
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(cur, key);
                if (!v)
                        return CONFDOC_ABSENT;
                if (cJSON_IsNull(v))
                        return CONFDOC_NULL;
                if (!*dot) {
                        *ret_v = v;
                        return CONFDOC_VALUE;
                }
                if (!cJSON_IsObject(v)) {
                        *ret_v = v;
                        return CONFDOC_BLOCKED;
                }
                cur = v;
                path = dot + 1;
        }
}

void confdoc_strip_nulls(cJSON *doc)
{
        cJSON *c = doc->child;
        while (c) {
                cJSON *next = c->next;
                if (cJSON_IsNull(c) && cJSON_IsObject(doc))
                        cJSON_Delete(cJSON_DetachItemViaPointer(doc, c));
                else if (cJSON_IsObject(c))
                        confdoc_strip_nulls(c);
                c = next;
        }
}
