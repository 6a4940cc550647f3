/* kubeapi: requests to the Kubernetes API server with the pod's in-cluster credentials. */
#define _GNU_SOURCE
#include "base/kubeapi.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "base/http.h"
#include "base/tls_io.h"
#include "base/util.h"

#define KUBEAPI_DEFAULT_TIMEOUT_MS 10000

int kubeapi_parse_url(const char *url, char **ret_host, unsigned *ret_port)
{
        if (!url || strncmp(url, "https://", 8) != 0)
                return -EINVAL;
        const char *h = url + 8, *end;
        char host[INET6_ADDRSTRLEN];
        size_t n;
        if (*h == '[') {
                end = strchr(h, ']');
                if (!end)
                        return -EINVAL;
                n = (size_t)(end - h - 1);
                if (n == 0 || n >= sizeof(host))
                        return -EINVAL;
                memcpy(host, h + 1, n);
                host[n] = '\0';
                struct in6_addr a6;
                if (inet_pton(AF_INET6, host, &a6) != 1)
                        return -EINVAL;
                end++;
        } else {
                end = h + strcspn(h, ":/");
                n = (size_t)(end - h);
                if (n == 0 || n >= sizeof(host))
                        return -EINVAL;
                memcpy(host, h, n);
                host[n] = '\0';
                struct in_addr a4;
                if (inet_pton(AF_INET, host, &a4) != 1)
                        return -EINVAL;
        }
        unsigned port = 443;
        if (*end == ':') {
                port = 0;
                const char *p = end + 1;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                for (; *p >= '0' && *p <= '9'; p++) {
                        port = port * 10 + (unsigned)(*p - '0');
                        if (port > 65535)
                                return -EINVAL;
                }
                if (port == 0)
                        return -EINVAL;
                end = p;
        }
        if (*end == '/')
                end++;
        if (*end)
                return -EINVAL; /* no path, query or user info: the API paths are ours */
        *ret_host = xstrdup(host);
        *ret_port = port;
        return 0;
}

int kubeapi_config_init(const char *url, const char *token_file, const char *ca_file, struct kubeapi_config *ret,
                        char **ret_err)
{
        memset(ret, 0, sizeof(*ret));
        _cleanup_free_ char *env_url = NULL;
        if (!url) {
                const char *h = getenv("KUBERNETES_SERVICE_HOST"), *p = getenv("KUBERNETES_SERVICE_PORT");
                if (!h || !*h) {
                        *ret_err = xstrdup("not in a cluster: KUBERNETES_SERVICE_HOST is not set "
                                           "(give --publish-api URL)");
                        return -EINVAL;
                }
                env_url = xasprintf(strchr(h, ':') ? "https://[%s]:%s" : "https://%s:%s", h, p && *p ? p : "443");
                url = env_url;
        }
        if (kubeapi_parse_url(url, &ret->host, &ret->port) < 0) {
                *ret_err = xasprintf("API server address \"%s\" is not https://IP[:PORT]", url);
                return -EINVAL;
        }
        bool v6 = strchr(ret->host, ':') != NULL;
        ret->host_header = xasprintf(v6 ? "[%s]:%u" : "%s:%u", ret->host, ret->port);
        if (v6) {
                struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ret->sa;
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons((uint16_t)ret->port);
                inet_pton(AF_INET6, ret->host, &s6->sin6_addr);
                ret->salen = sizeof(*s6);
        } else {
                struct sockaddr_in *s4 = (struct sockaddr_in *)&ret->sa;
                s4->sin_family = AF_INET;
                s4->sin_port = htons((uint16_t)ret->port);
                inet_pton(AF_INET, ret->host, &s4->sin_addr);
                ret->salen = sizeof(*s4);
        }
        ret->token_file = xstrdup(token_file ? token_file : KUBEAPI_SA_DIR "/token");
        ret->ca_file = xstrdup(ca_file ? ca_file : KUBEAPI_SA_DIR "/ca.crt");
        ret->timeout_ms = KUBEAPI_DEFAULT_TIMEOUT_MS;
        return 0;
}

void kubeapi_config_free(struct kubeapi_config *c)
{
        free(c->host);
        free(c->host_header);
        free(c->token_file);
        free(c->ca_file);
        memset(c, 0, sizeof(*c));
}

/* The pod's own credential files (not host files): a regular file, at most @cap bytes. */
static int read_capped(const char *path, size_t cap, char **ret, size_t *ret_len)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return -EINVAL;
        }
        char *buf = xmalloc(cap + 1);
        size_t len = 0;
        for (;;) {
                ssize_t n = read(fd, buf + len, cap + 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int e = -errno;
                        close(fd);
                        free(buf);
                        return e;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > cap) {
                        close(fd);
                        explicit_bzero(buf, len);
                        free(buf);
                        return -EFBIG;
                }
        }
        close(fd);
        buf[len] = '\0';
        *ret = buf;
        *ret_len = len;
        return 0;
}

/* The token, its trailing newline dropped; one line of visible ASCII or it is refused
 * (it goes into a header). */
static int read_token(const char *path, char **ret, char *why, size_t why_size)
{
        char *t;
        size_t len;
        int r = read_capped(path, KUBEAPI_MAX_TOKEN, &t, &len);
        if (r < 0) {
                snprintf(why, why_size, "token file %s: %s", path, strerror(-r));
                return r;
        }
        while (len && (t[len - 1] == '\n' || t[len - 1] == '\r'))
                t[--len] = '\0';
        bool ok = len > 0;
        for (size_t i = 0; i < len && ok; i++)
                ok = t[i] > 0x20 && t[i] < 0x7f;
        if (!ok) {
                explicit_bzero(t, len);
                free(t);
                snprintf(why, why_size, "token file %s: empty or not one line of visible ASCII", path);
                return -EINVAL;
        }
        *ret = t;
        return 0;
}

struct tconn {
        struct tls_io io;
        SSL_CTX *ctx;
};

static void tconn_close(struct tconn *c)
{
        SSL_free(c->io.ssl);
        SSL_CTX_free(c->ctx);
        if (c->io.fd >= 0)
                close(c->io.fd);
        c->io.ssl = NULL;
        c->ctx = NULL;
        c->io.fd = -1;
}

/* A context that trusts only the PEM bundle at @ca_file and checks the server's
 * certificate names the address connected to. No fallback without verification. */
static SSL_CTX *verifying_ctx(const struct kubeapi_config *cfg, char *why, size_t why_size)
{
        char *pem;
        size_t pem_len;
        int r = read_capped(cfg->ca_file, KUBEAPI_MAX_CA, &pem, &pem_len);
        if (r < 0) {
                snprintf(why, why_size, "CA file %s: %s", cfg->ca_file, strerror(-r));
                return NULL;
        }
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        X509_STORE *st = ctx ? SSL_CTX_get_cert_store(ctx) : NULL;
        BIO *b = BIO_new_mem_buf(pem, (int)pem_len);
        size_t n = 0;
        X509 *x;
        while (st && b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
                n += X509_STORE_add_cert(st, x) == 1;
                X509_free(x);
        }
        ERR_clear_error();
        BIO_free(b);
        free(pem);
        if (!ctx || n == 0) {
                snprintf(why, why_size, "CA file %s: no certificate in it", cfg->ca_file);
                SSL_CTX_free(ctx);
                return NULL;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
        if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
            !X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(ctx), cfg->host)) {
                tls_io_reason(why, why_size, "TLS setup");
                SSL_CTX_free(ctx);
                return NULL;
        }
        return ctx;
}

static int tconn_open(struct tconn *c, const struct kubeapi_config *cfg, char *why, size_t why_size)
{
        c->io = (struct tls_io){
                .fd = -1, .deadline = mono_ms() + cfg->timeout_ms, .cancel = cfg->cancel, .prefix = "TLS"};
        c->ctx = verifying_ctx(cfg, why, why_size);
        if (!c->ctx)
                return -EINVAL;
        int r = tcp_connect_timeout((const struct sockaddr *)&cfg->sa, cfg->salen, 0, cfg->timeout_ms, &c->io.fd);
        if (r < 0) {
                snprintf(why, why_size, "connect to %s: %s", cfg->host_header, strerror(-r));
                return r;
        }
        c->io.ssl = SSL_new(c->ctx);
        if (!c->io.ssl || !SSL_set_fd(c->io.ssl, c->io.fd)) {
                tls_io_reason(why, why_size, "TLS setup");
                return -ENOMEM;
        }
        for (;;) {
                int k = SSL_connect(c->io.ssl);
                if (k == 1)
                        break;
                long v = SSL_get_verify_result(c->io.ssl);
                r = tls_io_wait(&c->io, k, why, why_size);
                if (r == 1)
                        r = -EPROTO;
                if (r < 0) {
                        if (v != X509_V_OK)
                                snprintf(why, why_size, "TLS: the API server's certificate is not trusted: %s",
                                         X509_verify_cert_error_string(v));
                        else if (r != -EPROTO)
                                snprintf(why, why_size, "TLS handshake with %s: %s", cfg->host_header, strerror(-r));
                        return r;
                }
        }
        /* SSL_VERIFY_PEER already failed the handshake otherwise; asked again all the same. */
        if (SSL_get_verify_result(c->io.ssl) != X509_V_OK) {
                snprintf(why, why_size, "TLS: the API server's certificate is not trusted");
                return -EPROTO;
        }
        return 0;
}

static void read_response(struct tconn *c, struct kubeapi_response *ret)
{
        static const struct http_limits lim = {KUBEAPI_MAX_HEADER, KUBEAPI_MAX_BODY};
        size_t cap = KUBEAPI_MAX_HEADER + KUBEAPI_MAX_BODY + 64 * 1024, len = 0, next_parse = 4096;
        _cleanup_free_ char *buf = xmalloc(cap);
        struct http_response resp = {0};
        int r = -EAGAIN;
        for (;;) {
                ssize_t n = tls_io_read(&c->io, buf + len, cap - len, ret->why, sizeof(ret->why));
                bool end = n <= 0;
                if (n > 0)
                        len += (size_t)n;
                if (end || len >= next_parse || len == cap) {
                        r = http_parse_response(buf, len, end, &lim, &resp);
                        next_parse = len * 2;
                }
                if (end && n < 0 && r != 0)
                        r = (int)n;
                if (r != -EAGAIN || end)
                        break;
                if (len == cap) {
                        r = -EFBIG;
                        break;
                }
        }
        ret->err = r;
        if (r == 0) {
                ret->status = resp.status;
                ret->body = resp.body;
                ret->body_len = resp.body_len;
                resp.body = NULL;
        } else if (!ret->why[0]) {
                snprintf(ret->why, sizeof(ret->why), "reading the response: %s",
                         r == -EBADMSG ? "not a well-formed HTTP/1.1 response" : strerror(-r));
        }
        http_response_free(&resp);
}

void kubeapi_request(const struct kubeapi_config *cfg, const char *method, const char *path, const char *content_type,
                     const char *body, struct kubeapi_response *ret)
{
        memset(ret, 0, sizeof(*ret));
        char *token = NULL;
        ret->err = read_token(cfg->token_file, &token, ret->why, sizeof(ret->why));
        if (ret->err < 0) {
                ret->local = true;
                return;
        }
        struct tconn c = {.io.fd = -1};
        ret->err = tconn_open(&c, cfg, ret->why, sizeof(ret->why));
        ret->local = ret->err < 0 && !c.ctx;
        if (ret->err == 0) {
                size_t blen = body ? strlen(body) : 0;
                struct strbuf sb = {0};
                sb_printf(&sb, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: nodeward/%s\r\nAccept: application/json\r\n",
                          method, path, cfg->host_header, NODEWARD_VERSION);
                sb_printf(&sb, "Authorization: Bearer %s\r\n", token);
                if (content_type)
                        sb_printf(&sb, "Content-Type: %s\r\n", content_type);
                if (body || strcmp(method, "GET") != 0)
                        sb_printf(&sb, "Content-Length: %zu\r\n", blen);
                sb_puts(&sb, "Connection: close\r\n\r\n");
                size_t hlen = sb.len;
                char *req = sb_steal(&sb);
                ret->err = tls_io_write(&c.io, req, hlen, ret->why, sizeof(ret->why));
                explicit_bzero(req, hlen);
                free(req);
                if (ret->err == 0 && blen)
                        ret->err = tls_io_write(&c.io, body, blen, ret->why, sizeof(ret->why));
                if (ret->err == 0)
                        read_response(&c, ret);
                else if (!ret->why[0])
                        snprintf(ret->why, sizeof(ret->why), "sending the request: %s", strerror(-ret->err));
        }
        tconn_close(&c);
        explicit_bzero(token, strlen(token));
        free(token);
}

void kubeapi_response_free(struct kubeapi_response *r)
{
        free(r->body);
        r->body = NULL;
}

char *kubeapi_node_uid(const char *body, size_t len, const char *name)
{
        cJSON *j = cJSON_ParseWithLength(body, len);
        cJSON *md = cJSON_GetObjectItemCaseSensitive(j, "metadata");
        const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "kind"));
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "name"));
        const char *uid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "uid"));
        char *out = NULL;
        /* A UID is a UUID in practice; anything else printable and short is kept as given. */
        if (kind && strcmp(kind, "Node") == 0 && n && strcmp(n, name) == 0 && uid && *uid && strlen(uid) <= 128) {
                bool ok = true;
                for (const char *p = uid; *p && ok; p++)
                        ok = *p > 0x20 && *p < 0x7f && *p != '"' && *p != '\\';
                if (ok)
                        out = xstrdup(uid);
        }
        cJSON_Delete(j);
        return out;
}

char *kubeapi_status_message(const char *body, size_t len)
{
        cJSON *j = cJSON_ParseWithLength(body, len);
        const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "kind"));
        const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message"));
        char *out = NULL;
        if (kind && strcmp(kind, "Status") == 0 && msg) {
                size_t n = strnlen(msg, 200);
                out = xmalloc(n + 1);
                for (size_t i = 0; i < n; i++)
                        out[i] = (unsigned char)msg[i] >= 0x20 && (unsigned char)msg[i] < 0x7f ? msg[i] : '?';
                out[n] = '\0';
        }
        cJSON_Delete(j);
        return out;
}
