/* fuzz_sshd_config: libFuzzer harness for the sshd_config parser, with includes from a scratch tree.
 *
 * The input is split at "\n--\n" into the main file and up to 7 drop-ins
 * (etc/ssh/sshd_config.d/N.conf) and an extra etc/ssh/inc/N.conf tree, written
 * into one scratch root per process; then the whole load -> defaults -> dump
 * path runs. Build: clang -g -fsanitize=fuzzer,address,undefined -Ihost
 * tests/fuzz/fuzz_sshd_config.c host/collect/sshd/sshd_*.c host/base/rootfs.c host/base/proc.c host/base/util.c */
/* fuzz-max-len: 1048576 (SSHD_FILE_CAP) */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/sshd/sshd_config.h"

static char fuzz_root[64];

static void fuzz_write(const char *rel, const char *data, size_t len)
{
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", fuzz_root, rel);
        FILE *f = fopen(path, "w");
        if (!f)
                return;
        fwrite(data, 1, len, f);
        fclose(f);
}

static int fuzz_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        return flag == FTW_DP ? rmdir(p) : unlink(p);
}

/* The scratch root goes away with the process. */
static void fuzz_cleanup(void)
{
        if (fuzz_root[0])
                nftw(fuzz_root, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fuzz_prepare(void)
{
        if (fuzz_root[0])
                return;
        atexit(fuzz_cleanup);
        snprintf(fuzz_root, sizeof(fuzz_root), "/tmp/nw-sshd-fuzz.XXXXXX");
        if (!mkdtemp(fuzz_root))
                abort();
        char p[128];
        static const char *const dirs[] = {"etc", "etc/ssh", "etc/ssh/sshd_config.d", "etc/ssh/inc"};
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                snprintf(p, sizeof(p), "%s/%s", fuzz_root, dirs[i]);
                mkdir(p, 0755);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_prepare();
        const char *d = (const char *)data, *end = d + size;
        for (int part = 0; part < 8; part++) {
                const char *sep = memmem(d, (size_t)(end - d), "\n--\n", 4);
                size_t len = sep ? (size_t)(sep - d) : (size_t)(end - d);
                char rel[64];
                if (part == 0)
                        snprintf(rel, sizeof(rel), "etc/ssh/sshd_config");
                else
                        snprintf(rel, sizeof(rel), part % 2 ? "etc/ssh/sshd_config.d/%d.conf" : "etc/ssh/inc/%d.conf",
                                 part);
                fuzz_write(rel, d, len);
                d = sep ? sep + 4 : end;
        }
        struct rootfs r;
        if (rootfs_open_root(fuzz_root, &r) < 0)
                return 0;
        struct sshd_config c;
        sshd_config_load(&c, &r, NULL);
        if (c.found && !c.error) {
                FILE *devnull = fopen("/dev/null", "w");
                if (devnull) {
                        sshd_config_dump(&c, devnull);
                        fclose(devnull);
                }
        }
        sshd_config_free(&c);
        rootfs_close(&r);
        return 0;
}
