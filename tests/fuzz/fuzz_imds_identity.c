/* fuzz_imds_identity: the instance identity document the metadata service answers with. */
/* fuzz-max-len: 73728 (HTTP_MAX_HEADER + HTTP_MAX_BODY: what a probe reads; the parser takes IMDS_IDENTITY_MAX of it) */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "collect/probes/imds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct imds_identity id;
        memset(&id, 0x5a, sizeof(id));
        if (imds_identity_parse((const char *)data, size, &id) < 0)
                return 0;
        /* What comes out is bounded, terminated and of the expected characters. */
        assert(strlen(id.account) == 12 && strspn(id.account, "0123456789") == 12);
        assert(strlen(id.region) < sizeof(id.region));
        assert(strlen(id.instance) < sizeof(id.instance));
        assert(strspn(id.region, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(id.region));
        return 0;
}
