/* install-plugin: copy the nodeward binary out of its image into a volume that another container (node-problem-detector) runs it from.
 * The image is FROM scratch: no shell and no cp, so the NPD DaemonSet's init container runs this instead.
 * Usage: install-plugin SRC DST   (DST appears whole, mode 0755, or not at all) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The binary is a few MiB; anything past this is not it. */
#define MAX_SIZE (256L << 20)

static int copy_fd(int in, int out)
{
        char buf[65536];
        long total = 0;
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : 0;
                if ((total += n) > MAX_SIZE)
                        return -EFBIG;
                for (ssize_t off = 0; off < n;) {
                        ssize_t w = write(out, buf + off, (size_t)(n - off));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return -errno;
                        off += w;
                }
        }
}

int main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr, "usage: install-plugin SRC DST\n");
                return 2;
        }
        char tmp[4096];
        if (snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]) >= (int)sizeof(tmp)) {
                fprintf(stderr, "install-plugin: %s: name too long\n", argv[2]);
                return 2;
        }
        int in = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (in < 0) {
                fprintf(stderr, "install-plugin: %s: %s\n", argv[1], strerror(errno));
                return 1;
        }
        unlink(tmp);
        int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0755);
        int r = out < 0 ? -errno : copy_fd(in, out);
        if (r == 0 && (fchmod(out, 0755) < 0 || fsync(out) < 0))
                r = -errno;
        if (out >= 0 && close(out) < 0 && r == 0)
                r = -errno;
        close(in);
        /* Renamed into place only when complete: NPD never runs half a binary. */
        if (r == 0 && rename(tmp, argv[2]) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                fprintf(stderr, "install-plugin: %s -> %s: %s\n", argv[1], argv[2], strerror(-r));
                return 1;
        }
        return 0;
}
