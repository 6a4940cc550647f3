/* tls_io: OpenSSL reads and writes on a non-blocking socket, every wait bounded by one deadline. */
#include "base/tls_io.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>

#include <openssl/err.h>

#include "base/util.h"

void tls_io_reason(char *why, size_t why_size, const char *prefix)
{
        unsigned long e = ERR_peek_error();
        const char *r = e ? ERR_reason_error_string(e) : NULL;
        snprintf(why, why_size, "%s%s%s", prefix ? prefix : "", prefix ? ": " : "",
                 r ? r : "the peer closed the connection");
        ERR_clear_error();
}

int tls_io_wait(struct tls_io *t, int ret, char *why, size_t why_size)
{
        int e = SSL_get_error(t->ssl, ret);
        if (e == SSL_ERROR_WANT_READ)
                return fd_wait_cancel(t->fd, POLLIN, t->deadline, t->cancel);
        if (e == SSL_ERROR_WANT_WRITE)
                return fd_wait_cancel(t->fd, POLLOUT, t->deadline, t->cancel);
        if (e == SSL_ERROR_ZERO_RETURN)
                return 1;
        if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
                return errno ? -errno : 1;
        tls_io_reason(why, why_size, t->prefix);
        return -EPROTO;
}

int tls_io_write(struct tls_io *t, const char *buf, size_t len, char *why, size_t why_size)
{
        while (len) {
                int k = SSL_write(t->ssl, buf, len > 65536 ? 65536 : (int)len);
                if (k <= 0) {
                        int r = tls_io_wait(t, k, why, why_size);
                        if (r != 0)
                                return r == 1 ? -EPIPE : r;
                        continue;
                }
                buf += k;
                len -= (size_t)k;
        }
        return 0;
}

ssize_t tls_io_read(struct tls_io *t, char *buf, size_t size, char *why, size_t why_size)
{
        for (;;) {
                int k = SSL_read(t->ssl, buf, size > INT_MAX ? INT_MAX : (int)size);
                if (k > 0)
                        return k;
                int r = tls_io_wait(t, k, why, why_size);
                if (r != 0)
                        return r == 1 ? 0 : r;
        }
}
