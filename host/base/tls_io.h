/* tls_io: OpenSSL reads and writes on a non-blocking socket, every wait bounded by one deadline. */
#pragma once

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include <openssl/ssl.h>

struct tls_io {
        int fd;
        SSL *ssl;
        long long deadline;                  /* mono_ms() */
        const volatile sig_atomic_t *cancel; /* optional: a signal handler sets it; a wait then ends */
        const char *prefix;                  /* optional: put before OpenSSL's reason in errors */
};

/* OpenSSL's reason for its last error ("the peer closed the connection" when it gives
 * none), after "@prefix: " when @prefix is set; the error queue is cleared. */
void tls_io_reason(char *why, size_t why_size, const char *prefix);

/* After an SSL call returned @ret: wait for what OpenSSL asked for. 0 to call again;
 * 1 at the end of the stream (a clean close or the peer going away); -ETIMEDOUT at the
 * deadline; -ECANCELED when *cancel was set; -errno; -EPROTO on a TLS error, with
 * OpenSSL's reason (after t->prefix) in @why. */
int tls_io_wait(struct tls_io *t, int ret, char *why, size_t why_size);

/* Write all of buf[0..len): 0, -EPIPE when the stream ended first, or as tls_io_wait. */
int tls_io_write(struct tls_io *t, const char *buf, size_t len, char *why, size_t why_size);

/* Some bytes, 0 at the end of the stream, or as tls_io_wait. */
ssize_t tls_io_read(struct tls_io *t, char *buf, size_t size, char *why, size_t why_size);
