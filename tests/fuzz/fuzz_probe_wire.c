/* fuzz_probe_wire: a prober's message, whatever its bytes, decodes to valid answers or to -EBADMSG. */
/* fuzz-max-len: 262145 (PROBE_WIRE_MAX + 1: one byte past what the prober may send) */
/*
 * The prober is a process of the same binary, but it parses network answers from inside
 * a pod's namespace, so the watch that reads its messages trusts none of their bytes.
 * Two modes, chosen by the first byte:
 *   even: the rest is a message as it arrives on the socket; it must decode to answers
 *         whose bools are 0 or 1 and whose fixed strings end inside their arrays, or be
 *         refused with nothing left allocated; decoded answers encode and decode again to
 *         the same answers;
 *   odd:  the rest fills the answers' structs and strings (stray bools, unterminated
 *         strings and all), as a compromised prober would; they must encode and decode.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/probes/probe_wire.h"

static void must_be_bool(const bool *b)
{
        unsigned char c;
        memcpy(&c, b, 1);
        if (c > 1)
                abort();
}

#define MUST_END(a)                                \
        do {                                       \
                if (!memchr((a), '\0', sizeof(a))) \
                        abort();                   \
        } while (0)

static void http_probe_valid(const struct http_probe *p)
{
        must_be_bool(&p->tried);
        must_be_bool(&p->connected);
}

static void session_valid(const struct imds_session *s)
{
        const struct http_probe *ps[] = {&s->v1_get,      &s->token_put,   &s->token_get,
                                         &s->instance_id, &s->public_ipv4, &s->identity};
        for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
                http_probe_valid(ps[i]);
        must_be_bool(&s->got_token);
        MUST_END(s->instance_id_value);
        MUST_END(s->identity_value.account);
        MUST_END(s->identity_value.region);
        MUST_END(s->identity_value.instance);
}

static void http_valid(const struct klive_http *h)
{
        must_be_bool(&h->tried);
        must_be_bool(&h->connected);
        MUST_END(h->target);
        MUST_END(h->tls_error);
}

static void handshake_valid(const struct klive_handshake *h)
{
        must_be_bool(&h->tried);
        must_be_bool(&h->connected);
        MUST_END(h->version);
        MUST_END(h->cipher);
}

/* Every bool and fixed string a renderer may read, and every string's own length. */
static void answers_valid(const struct probe_answers *a)
{
        const struct imds_facts *m = &a->imds;
        must_be_bool(&m->reachable);
        must_be_bool(&m->node_has_ipv6);
        must_be_bool(&m->have_pod);
        must_be_bool(&m->ssh_probed);
        session_valid(&m->v4);
        session_valid(&m->v6);
        session_valid(&m->pod);
        http_probe_valid(&m->hop);
        if (m->n_ssh && !m->ssh)
                abort();
        for (size_t i = 0; i < m->n_ssh; i++)
                MUST_END(m->ssh[i].addr);
        const struct klive_facts *k = &a->klive;
        must_be_bool(&k->have_pod);
        http_valid(&k->node_ro);
        http_valid(&k->node_api);
        http_valid(&k->pod_ro);
        http_valid(&k->pod_api);
        MUST_END(k->tls.target);
        handshake_valid(&k->tls.modern);
        handshake_valid(&k->tls.old);
        handshake_valid(&k->tls.weak);
        must_be_bool(&k->tls.cert.have);
        must_be_bool(&k->tls.cert.self_signed);
        must_be_bool(&k->tls.cert.not_yet_valid);
        MUST_END(k->tls.cert.subject);
        MUST_END(k->tls.cert.issuer);
        MUST_END(k->tls.cert.ca_error);
        const char *strs[] = {m->not_ec2, m->host_ns,    m->host_error, m->pod_ns,       m->pod_absent, m->pod_error,
                              k->address, k->node_addr,  k->pod_addr,   k->pod_addr_why, k->ca_path,    k->ca_error,
                              k->host_ns, k->host_error, k->pod_ns,     k->pod_absent,   k->pod_error,  a->probes_off};
        size_t total = 0;
        for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
                total += strs[i] ? strlen(strs[i]) : 0;
        if (total > PROBE_WIRE_MAX)
                abort();
}

/* Decode, check, and encode and decode again to the same bytes. */
static void decode_and_check(const char *buf, size_t len, int must_decode)
{
        struct probe_answers a;
        int r = probe_wire_decode(buf, len, &a);
        if (r == -EBADMSG && !must_decode)
                return;
        if (r != 0)
                abort();
        answers_valid(&a);
        char *again = NULL;
        size_t again_len = 0;
        if (probe_wire_encode(&a, &again, &again_len) != 0)
                abort();
        struct probe_answers b;
        if (probe_wire_decode(again, again_len, &b) != 0)
                abort();
        char *third = NULL;
        size_t third_len = 0;
        if (probe_wire_encode(&b, &third, &third_len) != 0 || third_len != again_len ||
            memcmp(third, again, again_len) != 0)
                abort();
        free(third);
        free(again);
        probe_answers_free(&b);
        probe_answers_free(&a);
}

/* Take the next n bytes of the input, zero-padded past its end. */
static void take(const uint8_t **p, size_t *left, void *out, size_t n)
{
        size_t k = n < *left ? n : *left;
        memset(out, 0, n);
        memcpy(out, *p, k);
        *p += k;
        *left -= k;
}

/* A string of the input: a length byte (0xff: none), then that many bytes. */
static char *take_str(const uint8_t **p, size_t *left)
{
        uint8_t n = 0xff;
        take(p, left, &n, 1);
        if (n == 0xff)
                return NULL;
        char *s = calloc(1, (size_t)n + 1);
        if (s)
                take(p, left, s, n);
        return s;
}

static void structured(const uint8_t *p, size_t left)
{
        struct probe_answers a;
        take(&p, &left, &a.imds, sizeof(a.imds));
        take(&p, &left, &a.klive, sizeof(a.klive));
        char **ims[] = {&a.imds.not_ec2, &a.imds.host_ns,    &a.imds.host_error,
                        &a.imds.pod_ns,  &a.imds.pod_absent, &a.imds.pod_error};
        char **kls[] = {&a.klive.address, &a.klive.node_addr,  &a.klive.pod_addr, &a.klive.pod_addr_why,
                        &a.klive.ca_path, &a.klive.ca_error,   &a.klive.host_ns,  &a.klive.host_error,
                        &a.klive.pod_ns,  &a.klive.pod_absent, &a.klive.pod_error};
        for (size_t i = 0; i < sizeof(ims) / sizeof(ims[0]); i++)
                *ims[i] = take_str(&p, &left);
        for (size_t i = 0; i < sizeof(kls) / sizeof(kls[0]); i++)
                *kls[i] = take_str(&p, &left);
        a.probes_off = take_str(&p, &left);
        uint8_t n_ssh = 0;
        take(&p, &left, &n_ssh, 1);
        a.imds.n_ssh = n_ssh % 9;
        a.imds.ssh = a.imds.n_ssh ? calloc(a.imds.n_ssh, sizeof(*a.imds.ssh)) : NULL;
        if (!a.imds.ssh)
                a.imds.n_ssh = 0;
        for (size_t i = 0; i < a.imds.n_ssh; i++)
                take(&p, &left, &a.imds.ssh[i], sizeof(a.imds.ssh[i]));
        char *buf = NULL;
        size_t len = 0;
        int r = probe_wire_encode(&a, &buf, &len);
        probe_answers_free(&a);
        if (r == -EMSGSIZE)
                return;
        if (r != 0)
                abort();
        decode_and_check(buf, len, 1);
        free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size == 0)
                return 0;
        if (data[0] & 1)
                structured(data + 1, size - 1);
        else
                decode_and_check((const char *)data + 1, size - 1, 0);
        return 0;
}
