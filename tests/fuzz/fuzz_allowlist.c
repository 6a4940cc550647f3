/* fuzz_allowlist: the --allow-listeners-file text either gives valid PROC:PORT entries or one error naming its line. */
/* fuzz-max-len: 262144 (ALLOWLIST_FILE_CAP) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/allowlist.h"
#include "base/rootfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > ALLOWLIST_FILE_CAP)
                return 0;
        char *buf = malloc(size + 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        char **v = NULL, *err = NULL;
        size_t n = 0;
        int r = allowlist_parse(buf, "allow.txt", &v, &n, &err);
        /* An error says where; success leaves no message. */
        if ((r < 0) != (err != NULL) || (r < 0 && strncmp(err, "allow.txt line ", 15) != 0))
                abort();
        if (n > ALLOWLIST_MAX)
                abort();
        /* Every entry kept is one the option would take, trimmed, on one line. */
        for (size_t i = 0; i < n; i++)
                if (!allowlist_entry_valid(v[i]) || strpbrk(v[i], "\n#") || v[i][0] == ' ' || v[i][0] == '\t')
                        abort();
        strv_free(v, n);
        free(err);
        free(buf);
        return 0;
}
