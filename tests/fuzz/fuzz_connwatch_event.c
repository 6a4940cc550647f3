/* fuzz_connwatch_event: any ring-buffer record is refused or becomes an attempt with a well-formed address. */
/* fuzz-max-len: 262144 (the sightings ring buffer's size in bpf/connwatch.bpf.c: no record is longer) */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "connwatch.h"
#include "collect/observe/observe.h"

static const uint8_t md_v4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 169, 254, 169, 254};
static const uint8_t md_v6[16] = {0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct connwatch_event e;
        int r = connwatch_event_decode(data, size, &e);
        if (r != 0 && r != -EBADMSG)
                abort();
        if ((r == 0) != (size >= sizeof(e)))
                abort();
        if (r < 0)
                return 0;
        /* What observe.c does with a sighting before it looks up the cgroup. */
        static const uint16_t kubelet_ports[] = {10250, 10255};
        struct observed_attempt a = {0};
        observe_describe_key(&e.key, 4026531840u, kubelet_ports, 2, &a);
        memcpy(a.comm, e.comm, CONNWATCH_COMM_LEN);
        a.pid = e.pid;
        /* The address is text inet_pton() reads back to the same bytes. */
        unsigned char bin[16];
        int v4 = memcmp(e.key.daddr, md_v4, 12) == 0;
        if (!memchr(a.daddr, '\0', sizeof(a.daddr)) || inet_pton(v4 ? AF_INET : AF_INET6, a.daddr, bin) != 1 ||
            memcmp(bin, v4 ? e.key.daddr + 12 : e.key.daddr, v4 ? 4 : 16) != 0)
                abort();
        if (a.dport != e.key.dport || strnlen(a.comm, sizeof(a.comm)) > CONNWATCH_COMM_LEN)
                abort();
        /* Metadata is exactly the two service addresses, and never also a kubelet port. */
        if (a.metadata != (memcmp(e.key.daddr, md_v4, 16) == 0 || memcmp(e.key.daddr, md_v6, 16) == 0) ||
            (a.metadata && a.kubelet) || (a.kubelet && a.dport != 10250 && a.dport != 10255))
                abort();
        if (a.host_network != (e.key.netns == 4026531840u))
                abort();
        return 0;
}
