/* kubeapi: requests to the Kubernetes API server with the pod's in-cluster credentials,
 * over OpenSSL with the peer verified against the service-account CA. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define KUBEAPI_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"
#define KUBEAPI_MAX_TOKEN (16u * 1024u)
#define KUBEAPI_MAX_CA (1024u * 1024u)
#define KUBEAPI_MAX_HEADER (16u * 1024u)
#define KUBEAPI_MAX_BODY (1024u * 1024u)

struct kubeapi_config {
        char *host; /* the server's address, an IP literal (no brackets) */
        unsigned port;
        char *host_header; /* "HOST:PORT", IPv6 in brackets */
        struct sockaddr_storage sa;
        socklen_t salen;
        char *token_file;                    /* re-read for every request: bound tokens rotate */
        char *ca_file;                       /* re-read for every request as well */
        int timeout_ms;                      /* one request, connect to last byte */
        const volatile sig_atomic_t *cancel; /* nonzero (SIGTERM): a wait in TLS or for the
                                              * answer ends at once with -ECANCELED */
};

/* Split "https://HOST[:PORT][/]" into an IP literal and a port (443 when absent). Only
 * https, only IP literals (IPv6 in brackets): the in-cluster address is the
 * kubernetes Service's IP, and nodeward resolves no names for the API server.
 * Returns 0 or -EINVAL. */
int kubeapi_parse_url(const char *url, char **ret_host, unsigned *ret_port);

/* In-cluster configuration: @url (NULL: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT),
 * @token_file and @ca_file (NULL: the service account's token and ca.crt). The files are
 * read at each request, not here. Returns 0, or -EINVAL with *ret_err saying why. */
int kubeapi_config_init(const char *url, const char *token_file, const char *ca_file, struct kubeapi_config *ret,
                        char **ret_err);
void kubeapi_config_free(struct kubeapi_config *c);

struct kubeapi_response {
        int err; /* 0: status and body are the server's answer; else -errno */
        int status;
        char *body; /* malloc'ed, NUL-terminated; NULL when err */
        size_t body_len;
        char why[160]; /* when err: what failed (TLS verification, the token file...) */
        bool local;    /* err came before any connection: the token or CA file */
};

/* One request on a fresh TLS connection. @content_type and @body may be NULL. The
 * token is sent as a bearer token and never printed. Always fills *ret. */
void kubeapi_request(const struct kubeapi_config *c, const char *method, const char *path, const char *content_type,
                     const char *body, struct kubeapi_response *ret);
void kubeapi_response_free(struct kubeapi_response *r);

/* metadata.uid of a Node object (the body of GET /api/v1/nodes/NAME) when its
 * metadata.name is @name; malloc'ed, or NULL. */
char *kubeapi_node_uid(const char *body, size_t len, const char *name);
/* The message of a metav1.Status body, sanitised to printable ASCII and at most 200
 * characters; malloc'ed, or NULL when the body is not a Status. */
char *kubeapi_status_message(const char *body, size_t len);
