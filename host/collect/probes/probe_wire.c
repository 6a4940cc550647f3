/* probe_wire: the network probes' answers as one byte string, so the prober process can hand them to a watch.
 *
 * Both ends are the same binary, so the flat parts (the probe outcome structs) go as
 * their bytes; every pointer is cleared before the copy and sent after it as a
 * length-prefixed string, in the order listed below. The writer is the prober, a
 * process of this binary that holds more than the reader, so the message is trusted
 * for its content; its lengths are checked all the same, so a torn message is an
 * error and never a read past the buffer. */
#include "collect/probes/probe_wire.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define WIRE_MAGIC 0x6e777031u /* "nwp1" */
#define WIRE_NULL UINT32_MAX

/* Every string of the answers, in wire order. */
#define IMDS_STRINGS(f) &(f)->not_ec2, &(f)->host_ns, &(f)->host_error, &(f)->pod_ns, &(f)->pod_absent, &(f)->pod_error
#define KLIVE_STRINGS(f)                                                                                   \
        &(f)->address, &(f)->node_addr, &(f)->pod_addr, &(f)->pod_addr_why, &(f)->ca_path, &(f)->ca_error, \
                &(f)->host_ns, &(f)->host_error, &(f)->pod_ns, &(f)->pod_absent, &(f)->pod_error

struct wbuf {
        struct strbuf sb;
        bool over;
};

static void put(struct wbuf *w, const void *p, size_t n)
{
        if (w->over || w->sb.len + n > PROBE_WIRE_MAX) {
                w->over = true;
                return;
        }
        if (n)
                sb_putn(&w->sb, p, n);
}

static void put_u32(struct wbuf *w, uint32_t v)
{
        put(w, &v, sizeof(v));
}

static void put_str(struct wbuf *w, const char *s)
{
        if (!s) {
                put_u32(w, WIRE_NULL);
                return;
        }
        size_t n = strlen(s);
        put_u32(w, n > PROBE_WIRE_MAX ? PROBE_WIRE_MAX : (uint32_t)n);
        put(w, s, n);
}

int probe_wire_encode(const struct probe_answers *a, char **ret_buf, size_t *ret_len)
{
        struct wbuf w = {0};
        put_u32(&w, WIRE_MAGIC);
        /* The structs' bytes with their pointers cleared: no address leaves the process. */
        struct imds_facts im = a->imds;
        char **ims[] = {IMDS_STRINGS(&im)};
        for (size_t i = 0; i < ARRAY_SIZE(ims); i++)
                *ims[i] = NULL;
        im.ssh = NULL;
        put(&w, &im, sizeof(im));
        char *const *ims_src[] = {IMDS_STRINGS(&a->imds)};
        for (size_t i = 0; i < ARRAY_SIZE(ims_src); i++)
                put_str(&w, *ims_src[i]);
        put(&w, a->imds.ssh, a->imds.n_ssh * sizeof(*a->imds.ssh));
        struct klive_facts kl = a->klive;
        char **kls[] = {KLIVE_STRINGS(&kl)};
        for (size_t i = 0; i < ARRAY_SIZE(kls); i++)
                *kls[i] = NULL;
        put(&w, &kl, sizeof(kl));
        char *const *kls_src[] = {KLIVE_STRINGS(&a->klive)};
        for (size_t i = 0; i < ARRAY_SIZE(kls_src); i++)
                put_str(&w, *kls_src[i]);
        put_str(&w, a->probes_off);
        if (w.over) {
                free(w.sb.buf);
                return -EMSGSIZE;
        }
        *ret_len = w.sb.len;
        *ret_buf = sb_steal(&w.sb);
        return 0;
}

struct rbuf {
        const char *p;
        size_t left;
        bool bad;
};

static void take(struct rbuf *r, void *out, size_t n)
{
        if (n == 0)
                return;
        if (r->bad || n > r->left) {
                r->bad = true;
                memset(out, 0, n);
                return;
        }
        memcpy(out, r->p, n);
        r->p += n;
        r->left -= n;
}

static char *take_str(struct rbuf *r)
{
        uint32_t n;
        take(r, &n, sizeof(n));
        if (r->bad || n == WIRE_NULL)
                return NULL;
        if (n > r->left) {
                r->bad = true;
                return NULL;
        }
        char *s = xmalloc((size_t)n + 1);
        memcpy(s, r->p, n);
        s[n] = '\0';
        r->p += n;
        r->left -= n;
        return s;
}

int probe_wire_decode(const char *buf, size_t len, struct probe_answers *ret)
{
        struct rbuf r = {.p = buf, .left = len};
        struct probe_answers a;
        memset(&a, 0, sizeof(a));
        uint32_t magic;
        take(&r, &magic, sizeof(magic));
        if (r.bad || magic != WIRE_MAGIC)
                return -EBADMSG;
        take(&r, &a.imds, sizeof(a.imds));
        /* Whatever pointers the bytes held, none is ours until set below. */
        char **ims[] = {IMDS_STRINGS(&a.imds)};
        for (size_t i = 0; i < ARRAY_SIZE(ims); i++)
                *ims[i] = NULL;
        a.imds.ssh = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(ims); i++)
                *ims[i] = take_str(&r);
        if (!r.bad && a.imds.n_ssh > 0) {
                if (a.imds.n_ssh > r.left / sizeof(*a.imds.ssh)) {
                        r.bad = true;
                } else {
                        a.imds.ssh = xcalloc(a.imds.n_ssh, sizeof(*a.imds.ssh));
                        take(&r, a.imds.ssh, a.imds.n_ssh * sizeof(*a.imds.ssh));
                }
        }
        if (r.bad)
                a.imds.n_ssh = 0;
        take(&r, &a.klive, sizeof(a.klive));
        char **kls[] = {KLIVE_STRINGS(&a.klive)};
        for (size_t i = 0; i < ARRAY_SIZE(kls); i++)
                *kls[i] = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(kls); i++)
                *kls[i] = take_str(&r);
        a.probes_off = take_str(&r);
        if (r.bad || r.left != 0) {
                probe_answers_free(&a);
                return -EBADMSG;
        }
        /* The structs' bytes came from another process: no bool or string is trusted. */
        imds_facts_sanitize(&a.imds);
        klive_facts_sanitize(&a.klive);
        *ret = a;
        return 0;
}

void probe_answers_free(struct probe_answers *a)
{
        if (!a)
                return;
        imds_facts_free(&a->imds);
        klive_facts_free(&a->klive);
        free(a->probes_off);
        a->probes_off = NULL;
}
