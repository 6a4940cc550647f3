/* kubelet_server: a test stand-in for the kubelet's two HTTP ports: the authenticated HTTPS API and the read-only HTTP port. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

/* How the HTTPS port negotiates: modelled on what a kubelet can be configured to
 * accept (tlsMinVersion, tlsCipherSuites; Go's defaults include CBC suites). */
enum tls_mode {
        TLS_STRONG,
        TLS_CBC,
        TLS_WEAK
};

static bool anonymous; /* anonymous auth on + AlwaysAllow: /pods answers 200 */
static int n_pods = 3;
static enum tls_mode mode = TLS_STRONG;
static FILE *logf_;

/* A v1 PodList as the kubelet's /pods serves it, with @n made-up pods. */
static void send_pods(int (*out)(void *, const char *, size_t), void *ctx)
{
        char buf[1024];
        out(ctx, "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":[", 0);
        for (int i = 0; i < n_pods; i++) {
                snprintf(buf, sizeof(buf),
                         "%s{\"metadata\":{\"name\":\"web-%d\",\"namespace\":\"default\",\"uid\":\"0000-%04d\","
                         "\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\","
                         "\"env\":[{\"name\":\"A\",\"value\":\"[{\\\"x\\\":\\\"]}\\\"}]\"}]}]},"
                         "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.1.0.%d\"}}",
                         i ? "," : "", i, i, i % 250 + 1);
                out(ctx, buf, 0);
        }
        out(ctx, "]}\n", 0);
}

struct io {
        int fd;
        SSL *ssl;
};

static int io_write(struct io *c, const char *s, size_t n)
{
        if (c->ssl)
                return SSL_write(c->ssl, s, (int)n) > 0 ? 0 : -1;
        return write(c->fd, s, n) == (ssize_t)n ? 0 : -1;
}

/* One chunk of a chunked body (the kubelet's Go server chunks bodies it did not size). */
static int chunk_out(void *ctx, const char *s, size_t n)
{
        char head[32];
        if (!n)
                n = strlen(s);
        snprintf(head, sizeof(head), "%zx\r\n", n);
        return io_write(ctx, head, strlen(head)) || io_write(ctx, s, n) || io_write(ctx, "\r\n", 2);
}

static void reply(struct io *c, bool authenticated_port, const char *req)
{
        bool pods = strncmp(req, "GET /pods ", 10) == 0 || strncmp(req, "GET /pods/ ", 11) == 0;
        /* Never expected: nodeward sends no credentials. */
        bool creds = strcasestr(req, "\r\nAuthorization:") != NULL;
        if (logf_) {
                fprintf(logf_, "%s %.*s creds=%s\n", authenticated_port ? "https" : "http", (int)strcspn(req, "\r"),
                        req, creds ? "yes" : "no");
                fflush(logf_);
        }
        if (authenticated_port && !anonymous) {
                const char *m = "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                "Content-Length: 12\r\nConnection: close\r\n\r\nUnauthorized";
                io_write(c, m, strlen(m));
                return;
        }
        if (!pods) {
                const char *m = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                io_write(c, m, strlen(m));
                return;
        }
        const char *h = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                        "Connection: close\r\n\r\n";
        io_write(c, h, strlen(h));
        send_pods(chunk_out, c);
        io_write(c, "0\r\n\r\n", 5);
}

static void serve(int fd, SSL_CTX *ctx)
{
        struct timeval tv = {5, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        struct io c = {fd, NULL};
        if (ctx) {
                c.ssl = SSL_new(ctx);
                SSL_set_fd(c.ssl, fd);
                if (SSL_accept(c.ssl) != 1)
                        _exit(0); /* a refused offer: the probe's point */
        }
        char req[8192];
        size_t len = 0;
        while (len < sizeof(req) - 1) {
                ssize_t n = c.ssl ? SSL_read(c.ssl, req + len, (int)(sizeof(req) - 1 - len))
                                  : read(fd, req + len, sizeof(req) - 1 - len);
                if (n <= 0)
                        _exit(0);
                len += (size_t)n;
                req[len] = '\0';
                if (strstr(req, "\r\n\r\n"))
                        break;
        }
        reply(&c, ctx != NULL, req);
        if (c.ssl)
                SSL_shutdown(c.ssl);
        _exit(0);
}

static SSL_CTX *server_ctx(const char *cert, const char *key)
{
        SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
        if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
                ERR_print_errors_fp(stderr);
                exit(2);
        }
        int ok = 1;
        if (mode == TLS_WEAK)
                ok = SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) &&
                     SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
        else if (mode == TLS_CBC)
                ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) &&
                     SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE-RSA-AES128-SHA");
        else
                ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) &&
                     SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20");
        if (!ok) {
                ERR_print_errors_fp(stderr);
                exit(2);
        }
        return ctx;
}

static int listen_on(const char *addr, int port)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        inet_pton(AF_INET, addr, &sa.sin_addr);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
                perror("kubelet_server: listen");
                exit(2);
        }
        return fd;
}

int main(int argc, char **argv)
{
        const char *addr = "0.0.0.0", *cert = NULL, *key = NULL, *logp = NULL;
        int port = 10250, ro_port = 0;
        static const struct option opts[] = {
                {"addr", required_argument, NULL, 'a'},    {"port", required_argument, NULL, 'p'},
                {"ro-port", required_argument, NULL, 'r'}, {"cert", required_argument, NULL, 'c'},
                {"key", required_argument, NULL, 'k'},     {"anonymous", no_argument, NULL, 'A'},
                {"pods", required_argument, NULL, 'n'},    {"tls", required_argument, NULL, 't'},
                {"log", required_argument, NULL, 'l'},     {0}};
        int c;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                switch (c) {
                case 'a': addr = optarg; break;
                case 'p': port = atoi(optarg); break;
                case 'r': ro_port = atoi(optarg); break;
                case 'c': cert = optarg; break;
                case 'k': key = optarg; break;
                case 'A': anonymous = true; break;
                case 'n': n_pods = atoi(optarg); break;
                case 't':
                        mode = strcmp(optarg, "weak") == 0  ? TLS_WEAK
                               : strcmp(optarg, "cbc") == 0 ? TLS_CBC
                                                            : TLS_STRONG;
                        break;
                case 'l': logp = optarg; break;
                default: return 2;
                }
        }
        if (!cert || !key) {
                fprintf(stderr, "usage: kubelet_server --cert F --key F [--port N] [--ro-port N] [--anonymous] "
                                "[--pods N] [--tls strong|cbc|weak] [--addr A] [--log F]\n");
                return 2;
        }
        if (logp)
                logf_ = fopen(logp, "a");
        signal(SIGCHLD, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);
        SSL_CTX *ctx = server_ctx(cert, key);
        struct pollfd pf[2] = {{listen_on(addr, port), POLLIN, 0},
                               {ro_port ? listen_on(addr, ro_port) : -1, POLLIN, 0}};
        printf("ready\n");
        fflush(stdout);
        for (;;) {
                if (poll(pf, 2, -1) < 0 && errno != EINTR)
                        return 1;
                for (int i = 0; i < 2; i++) {
                        if (pf[i].fd < 0 || !(pf[i].revents & POLLIN))
                                continue;
                        int fd = accept4(pf[i].fd, NULL, NULL, SOCK_CLOEXEC);
                        if (fd < 0)
                                continue;
                        if (fork() == 0)
                                serve(fd, i == 0 ? ctx : NULL);
                        close(fd);
                }
        }
}
