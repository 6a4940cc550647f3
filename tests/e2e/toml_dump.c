/* toml_dump: read TOML files with nodeward's reader and print each as toml-test's tagged JSON
 * ({"type":"integer","value":"1"}), or "error: ..." when the reader rejects it. With several
 * files, one line per file; the differential test compares these lines with Python's tomllib. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rootfs.h"
#include "base/toml.h"
#include "base/util.h"

static void put_json_string(struct strbuf *sb, const char *s, size_t n)
{
        sb_putc(sb, '"');
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c == '"' || c == '\\')
                        sb_printf(sb, "\\%c", c);
                else if (c < 0x20 || c == 0x7f)
                        sb_printf(sb, "\\u%04x", c);
                else
                        sb_putc(sb, (char)c);
        }
        sb_putc(sb, '"');
}

static void dump(struct strbuf *sb, const struct toml_value *v)
{
        switch (v->type) {
        case TOML_TABLE:
                sb_putc(sb, '{');
                for (size_t i = 0; i < v->u.tab.n; i++) {
                        if (i)
                                sb_putc(sb, ',');
                        put_json_string(sb, v->u.tab.kv[i].key, v->u.tab.kv[i].key_len);
                        sb_putc(sb, ':');
                        dump(sb, v->u.tab.kv[i].value);
                }
                sb_putc(sb, '}');
                return;
        case TOML_ARRAY:
                sb_putc(sb, '[');
                for (size_t i = 0; i < v->u.arr.n; i++) {
                        if (i)
                                sb_putc(sb, ',');
                        dump(sb, v->u.arr.items[i]);
                }
                sb_putc(sb, ']');
                return;
        default: break;
        }
        sb_printf(sb, "{\"type\":\"%s\",\"value\":", toml_type_name(v->type));
        char num[64];
        switch (v->type) {
        case TOML_INTEGER:
                snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
                put_json_string(sb, num, strlen(num));
                break;
        case TOML_FLOAT:
                if (isnan(v->u.f))
                        snprintf(num, sizeof(num), "nan");
                else if (isinf(v->u.f))
                        snprintf(num, sizeof(num), "%sinf", v->u.f < 0 ? "-" : "+");
                else
                        snprintf(num, sizeof(num), "%.17g", v->u.f);
                put_json_string(sb, num, strlen(num));
                break;
        case TOML_BOOL: sb_puts(sb, v->u.b ? "\"true\"" : "\"false\""); break;
        default: put_json_string(sb, v->u.str.s, v->u.str.len);
        }
        sb_putc(sb, '}');
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: toml_dump FILE...\n");
                return 2;
        }
        for (int i = 1; i < argc; i++) {
                FILE *f = fopen(argv[i], "rb");
                if (!f) {
                        perror(argv[i]);
                        return 2;
                }
                struct strbuf in = {0};
                char chunk[65536];
                size_t k;
                while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
                        sb_putn(&in, chunk, k);
                fclose(f);
                struct toml_doc *d = NULL;
                char *err = NULL;
                if (toml_parse(in.buf ? in.buf : "", in.len, argv[i], &d, &err) < 0) {
                        for (char *c = err; *c; c++)
                                if (*c == '\n')
                                        *c = ' ';
                        printf("error: %s\n", err);
                        free(err);
                } else {
                        struct strbuf out = {0};
                        dump(&out, d->root);
                        printf("%s\n", out.buf);
                        sb_free(&out);
                        toml_doc_free(d);
                }
                sb_free(&in);
        }
        return 0;
}
