/* go_buildinfo: the Go version and module information the Go linker writes into an ELF binary's .go.buildinfo section. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define GO_BUILDINFO_MAX_SECTIONS 4096 /* section headers read: 256 KiB */
#define GO_BUILDINFO_MAX_STRTAB 65536  /* section names read */
#define GO_BUILDINFO_MAX 65536         /* .go.buildinfo read: header, Go version and module info */

/* Reads exactly @n bytes at @off into @buf: 0, or a negative errno (-EIO when short). */
struct go_reader {
        int (*pread)(void *ctx, void *buf, size_t n, uint64_t off);
        void *ctx;
        uint64_t size; /* the file's size: no read goes past it */
};

/* Find .go.buildinfo through the section headers of a 64-bit little-endian ELF file (x86_64,
 * arm64) and parse it; at most the capped sizes above are read. *ret_modinfo is the module
 * text ("path\t...", "mod\t...", "build\t..." lines), both NUL-terminated. -ENOEXEC: not such an
 * ELF file; -ENOENT: no .go.buildinfo; -ENOTSUP: the pre-Go 1.18 format (pointers, not strings);
 * -EBADMSG: malformed. */
int go_buildinfo_read(const struct go_reader *r, char **ret_goversion, char **ret_modinfo);

/* The content of a .go.buildinfo section (its first @len bytes). Pure: for tests and fuzzing. */
int go_buildinfo_parse(const uint8_t *buf, size_t len, char **ret_goversion, char **ret_modinfo);

/* VALUE of "-X NAME=VALUE" in the "build\t-ldflags=..." line of @modinfo (quotes and the
 * backslashes escaping them dropped), or NULL. */
char *go_buildinfo_ldflag_x(const char *modinfo, const char *name);

/* VERSION of the main module "mod\t@path\tVERSION", or NULL (also for "(devel)"). */
char *go_buildinfo_main_version(const char *modinfo, const char *path);
