/* go_buildinfo: the Go version and module information the Go linker writes into an ELF
 * binary's .go.buildinfo section, found through the section headers with capped reads (as
 * debug/buildinfo reads it, for Go 1.18 and later's inline strings). */
#define _GNU_SOURCE
#include "collect/node/go_buildinfo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const char MAGIC[] = "\xff Go buildinf:";
#define MAGIC_LEN 14
#define HEADER_LEN 32
#define FLAG_INLINE 0x2 /* strings follow the header (Go 1.18+), not pointers to them */

static uint64_t le(const uint8_t *p, size_t n)
{
        uint64_t v = 0;
        for (size_t i = n; i-- > 0;)
                v = v << 8 | p[i];
        return v;
}

/* @off + @n inside a file of @size, without overflow. */
static bool within(uint64_t off, uint64_t n, uint64_t size)
{
        return off <= size && n <= size - off;
}

/* A uvarint-prefixed string at *pos, NUL-terminated (it may hold NULs: *ret_n); advances *pos. */
static int read_string(const uint8_t *buf, size_t len, size_t *pos, char **ret, size_t *ret_n)
{
        uint64_t n = 0;
        size_t p = *pos;
        for (int shift = 0;; shift += 7) {
                if (p >= len || shift > 63)
                        return -EBADMSG;
                uint8_t b = buf[p++];
                n |= (uint64_t)(b & 0x7f) << shift;
                if (!(b & 0x80))
                        break;
        }
        if (n > len - p)
                return -EBADMSG;
        *ret = xmalloc((size_t)n + 1);
        memcpy(*ret, buf + p, (size_t)n);
        (*ret)[n] = '\0';
        *ret_n = (size_t)n;
        *pos = p + (size_t)n;
        return 0;
}

int go_buildinfo_parse(const uint8_t *buf, size_t len, char **ret_goversion, char **ret_modinfo)
{
        if (len < HEADER_LEN || memcmp(buf, MAGIC, MAGIC_LEN) != 0)
                return -EBADMSG;
        if (!(buf[15] & FLAG_INLINE))
                return -ENOTSUP;
        size_t pos = HEADER_LEN;
        char *ver = NULL, *mod = NULL;
        size_t vn, n;
        int r = read_string(buf, len, &pos, &ver, &vn);
        if (r == 0)
                r = read_string(buf, len, &pos, &mod, &n);
        if (r < 0) {
                free(ver);
                return r;
        }
        /* cmd/go wraps the module text in 16-byte sentinels (the second holds a NUL);
         * debug/buildinfo drops them so. Any other NUL ends the text. */
        if (n >= 33 && mod[n - 17] == '\n') {
                memmove(mod, mod + 16, n - 32);
                mod[n - 32] = '\0';
        }
        *ret_goversion = ver;
        *ret_modinfo = mod;
        return 0;
}

/* The .go.buildinfo section's offset and size from the section headers. */
static int find_section(const struct go_reader *r, uint64_t *ret_off, uint64_t *ret_size)
{
        uint8_t eh[64];
        if (r->size < sizeof(eh))
                return -ENOEXEC;
        int e = r->pread(r->ctx, eh, sizeof(eh), 0);
        if (e < 0)
                return e;
        if (memcmp(eh, "\177ELF", 4) != 0 || eh[4] != 2 /* 64-bit */ || eh[5] != 1 /* little endian */)
                return -ENOEXEC;
        uint64_t shoff = le(eh + 0x28, 8);
        uint64_t shentsize = le(eh + 0x3a, 2), shnum = le(eh + 0x3c, 2), shstrndx = le(eh + 0x3e, 2);
        if (shentsize != 64 || shnum == 0 || shnum > GO_BUILDINFO_MAX_SECTIONS || shstrndx >= shnum ||
            !within(shoff, shnum * 64, r->size))
                return -EBADMSG;
        _cleanup_free_ uint8_t *sh = xmalloc(shnum * 64);
        if ((e = r->pread(r->ctx, sh, shnum * 64, shoff)) < 0)
                return e;
        const uint8_t *st = sh + shstrndx * 64;
        uint64_t stoff = le(st + 0x18, 8), stlen = le(st + 0x20, 8);
        if (stlen > GO_BUILDINFO_MAX_STRTAB)
                stlen = GO_BUILDINFO_MAX_STRTAB;
        if (!within(stoff, stlen, r->size))
                return -EBADMSG;
        _cleanup_free_ char *names = xmalloc(stlen + 1);
        if (stlen && (e = r->pread(r->ctx, names, stlen, stoff)) < 0)
                return e;
        names[stlen] = '\0';
        for (uint64_t i = 0; i < shnum; i++) {
                const uint8_t *s = sh + i * 64;
                uint64_t name = le(s, 4);
                if (name >= stlen || strcmp(names + name, ".go.buildinfo") != 0)
                        continue;
                *ret_off = le(s + 0x18, 8);
                *ret_size = le(s + 0x20, 8);
                return within(*ret_off, *ret_size, r->size) ? 0 : -EBADMSG;
        }
        return -ENOENT;
}

int go_buildinfo_read(const struct go_reader *r, char **ret_goversion, char **ret_modinfo)
{
        uint64_t off, size;
        int e = find_section(r, &off, &size);
        if (e < 0)
                return e;
        if (size > GO_BUILDINFO_MAX)
                size = GO_BUILDINFO_MAX;
        if (size < HEADER_LEN)
                return -EBADMSG;
        _cleanup_free_ uint8_t *buf = xmalloc(size);
        if ((e = r->pread(r->ctx, buf, size, off)) < 0)
                return e;
        return go_buildinfo_parse(buf, size, ret_goversion, ret_modinfo);
}

/* The line of @modinfo that starts with @prefix, as a pointer to what follows it and its length. */
static const char *line_after(const char *modinfo, const char *prefix, size_t *ret_len)
{
        size_t k = strlen(prefix);
        for (const char *l = modinfo; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                if (strncmp(l, prefix, k) == 0) {
                        *ret_len = strcspn(l + k, "\n");
                        return l + k;
                }
        }
        return NULL;
}

char *go_buildinfo_ldflag_x(const char *modinfo, const char *name)
{
        size_t n;
        const char *flags = line_after(modinfo, "build\t-ldflags=", &n);
        if (!flags)
                return NULL;
        _cleanup_free_ char *line = strndup(flags, n);
        if (!line)
                return NULL;
        /* "-X \"NAME=VALUE\"", "-X NAME=VALUE" or "-X=NAME=VALUE": NAME must follow one of them. */
        size_t k = strlen(name);
        for (char *p = line; (p = strstr(p, name)); p += k) {
                const char *b = p;
                while (b > line && (b[-1] == '"' || b[-1] == '\\'))
                        b--;
                bool after_x = (b - line >= 3 && strncmp(b - 3, "-X ", 3) == 0) ||
                               (b - line >= 3 && strncmp(b - 3, "-X=", 3) == 0);
                if (!after_x || p[k] != '=')
                        continue;
                const char *v = p + k + 1;
                size_t vl = strcspn(v, " \t\"\\'");
                return vl ? strndup(v, vl) : NULL;
        }
        return NULL;
}

char *go_buildinfo_main_version(const char *modinfo, const char *path)
{
        _cleanup_free_ char *prefix = xasprintf("mod\t%s\t", path);
        size_t n;
        const char *v = line_after(modinfo, prefix, &n);
        if (!v)
                return NULL;
        size_t vl = strcspn(v, "\t\n");
        if (vl == 0 || (vl == 7 && strncmp(v, "(devel)", 7) == 0))
                return NULL;
        return strndup(v, vl);
}
