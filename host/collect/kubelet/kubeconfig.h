/* kubeconfig: which credentials a kubeconfig's current context uses, never their contents. */
#pragma once

#include <stddef.h>

/* Cap on a kubeconfig read from the host: real ones are a few KiB, with inline
 * certificates a few tens. */
#define KUBECONFIG_READ_CAP (1024u * 1024u)

enum kc_auth {
        KC_AUTH_NONE,             /* the user has no credentials */
        KC_AUTH_CLIENT_CERT,      /* client-certificate: a file */
        KC_AUTH_CLIENT_CERT_DATA, /* client-certificate-data: inline */
        KC_AUTH_EXEC,             /* exec credential plugin */
        KC_AUTH_PROVIDER,         /* auth-provider plugin */
        KC_AUTH_TOKEN_FILE,       /* tokenFile */
        KC_AUTH_TOKEN,            /* token: inline */
        KC_AUTH_BASIC,            /* username/password */
};

struct kubeconfig_auth {
        char *context;     /* current-context */
        char *user;        /* that context's user */
        enum kc_auth kind; /* a client certificate first: it is what rotation renews */
        char *detail;      /* exec: the command; client-certificate, tokenFile: the path; else NULL */
};

/* Parse a kubeconfig (YAML or JSON) and find the credentials its current context
 * uses. Errors (-EINVAL) say why in *ret_err: "LINE:COL: reason" or a sentence.
 * Token values and certificate data are never copied out. */
int kubeconfig_parse(const char *buf, size_t len, struct kubeconfig_auth *ret, char **ret_err);
void kubeconfig_auth_free(struct kubeconfig_auth *a);

/* The API server URL of the current context's cluster, as client-go picks it:
 * current-context -> contexts[].context.cluster -> clusters[].cluster.server (the last
 * of duplicate names). -EINVAL when the document does not parse, -ENOENT when it names
 * no server; *ret_err says why. */
int kubeconfig_server(const char *buf, size_t len, char **ret_server, char **ret_err);

/* "exec credential plugin", "client certificate file", ... */
const char *kubeconfig_auth_name(enum kc_auth k);
