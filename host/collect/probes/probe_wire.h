/* probe_wire: the network probes' answers as one byte string, so the prober process can hand them to a watch. */
#pragma once

#include <stddef.h>

#include "collect/probes/imds.h"
#include "collect/probes/kubelet_live.h"

/* A message is at most this long: the answers are a few KiB of flat structs and short strings. */
#define PROBE_WIRE_MAX (256u * 1024u)

/* What one run of the probes answered. */
struct probe_answers {
        struct imds_facts imds;
        struct klive_facts klive;
        char *probes_off; /* why the probes did not run, or NULL */
};

/* Encode @a into a new buffer. Returns 0 or -EMSGSIZE (over PROBE_WIRE_MAX). */
int probe_wire_encode(const struct probe_answers *a, char **ret_buf, size_t *ret_len);

/* Decode what probe_wire_encode() wrote, by the same binary. Every length is checked
 * against the buffer: 0, or -EBADMSG for a short, long or malformed message (nothing
 * is left allocated then). */
int probe_wire_decode(const char *buf, size_t len, struct probe_answers *ret);

void probe_answers_free(struct probe_answers *a);
