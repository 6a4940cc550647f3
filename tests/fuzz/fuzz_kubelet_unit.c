/* fuzz_kubelet_unit: the kubelet.service loader with drop-ins from several directories and EnvironmentFile=s.
 *
 * The input is split at "\n--\n" into the unit, three drop-ins, a drop-in that the
 * same-named one in /etc hides, and two environment files, written into one scratch
 * root per process (every part every time, empty when the input has fewer); then
 * sdunit_load() runs as the kubelet collector calls it. */
/* fuzz-max-len: 4194304 (ROOTFS_READ_CAP, a unit, drop-in or EnvironmentFile) */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/rootfs.h"
#include "base/sdunit.h"

static char fuzz_root[64];

static const char *const parts[] = {
        "usr/lib/systemd/system/kubelet.service",
        "etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
        "run/systemd/system/kubelet.service.d/20-extra.conf",
        "lib/systemd/system/kubelet.service.d/05-first.conf",
        "usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", /* hidden by /etc's */
        "etc/sysconfig/kubelet",
        "var/lib/kubelet/kubeadm-flags.env",
};

/* The drop-ins applied, in file-name order whatever their directory. */
static const char *const applied[] = {
        "/lib/systemd/system/kubelet.service.d/05-first.conf",
        "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
        "/run/systemd/system/kubelet.service.d/20-extra.conf",
};

static void fuzz_write(const char *rel, const char *data, size_t len)
{
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", fuzz_root, rel);
        FILE *f = fopen(path, "w");
        if (!f)
                abort();
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

static void fuzz_mkdirs(const char *rel)
{
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", fuzz_root, rel);
        for (char *s = p + strlen(fuzz_root) + 1; (s = strchr(s, '/')); s++) {
                *s = '\0';
                mkdir(p, 0755);
                *s = '/';
        }
}

static void fuzz_prepare(void)
{
        if (fuzz_root[0])
                return;
        atexit(fuzz_cleanup);
        snprintf(fuzz_root, sizeof(fuzz_root), "/tmp/nw-unit-fuzz.XXXXXX");
        if (!mkdtemp(fuzz_root))
                abort();
        for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
                fuzz_mkdirs(parts[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_prepare();
        const char *d = (const char *)data, *end = d + size;
        for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
                const char *sep = memmem(d, (size_t)(end - d), "\n--\n", 4);
                size_t len = sep ? (size_t)(sep - d) : (size_t)(end - d);
                fuzz_write(parts[i], d, len);
                d = sep ? sep + 4 : end;
        }
        struct rootfs r;
        if (rootfs_open_root(fuzz_root, &r) < 0)
                abort();
        struct sdunit u;
        char *err = NULL;
        int rc = sdunit_load(&r, "kubelet.service", &u, &err);
        /* The unit exists: -ENOENT would tell the collectors there is none. Every
         * other failure says why. */
        if (rc == -ENOENT || (rc < 0 && !err))
                abort();
        if (rc == 0) {
                if (err || strcmp(u.path, "/usr/lib/systemd/system/kubelet.service") != 0 || !u.argv ||
                    u.n_dropins != 3)
                        abort();
                for (size_t i = 0; i < 3; i++)
                        if (strcmp(u.dropins[i], applied[i]) != 0)
                                abort();
                for (size_t i = 0; i < u.argc; i++)
                        if (!u.argv[i])
                                abort();
                sdunit_free(&u);
        }
        free(err);
        rootfs_close(&r);
        return 0;
}
