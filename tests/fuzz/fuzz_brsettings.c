/* fuzz_brsettings: a Bottlerocket datastore value as the collector reads it: JSON, base64 user-data, admin user-data. */
/* fuzz-max-len: 65536 (BR_VALUE_CAP, one datastore value or user-data file) */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/node/bottlerocket.h"

static void user_data(const char *json, size_t len)
{
        struct br_ssh_access a = {0};
        if (br_parse_admin_user_data(json, len, &a) == 0 && !a.user)
                abort(); /* a parsed user-data always names its login */
        br_ssh_access_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > BR_VALUE_CAP)
                return 0;
        /* The collector hands parsers NUL-terminated buffers (rootfs_read_file). */
        char *buf = malloc(size + 1);
        memcpy(buf, data, size);
        buf[size] = '\0';
        bool b;
        (void)br_value_bool(buf, size, &b);
        char *s = NULL;
        if (br_value_string(buf, size, &s) == 0) {
                char *dec;
                size_t n;
                if (br_base64_decode(s, strlen(s), &dec, &n) == 0) {
                        if (dec[n] != '\0')
                                abort();
                        user_data(dec, n);
                        free(dec);
                }
                free(s);
        }
        user_data(buf, size);
        char *seg = br_encode_segment(buf);
        free(seg);
        free(buf);
        return 0;
}
