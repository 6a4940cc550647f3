/* fuzz_passwd: /etc/passwd text read for sshd's authorized_keys: accounts with absolute homes, and their key paths. */
/* fuzz-max-len: 4194304 (SSHD_PASSWD_CAP) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/sshd/sshd_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > SSHD_PASSWD_CAP)
                return 0;
        char *buf = malloc(size + 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        size_t lines = 1;
        for (size_t i = 0; i < size; i++)
                lines += data[i] == '\n';
        static const char *const patterns[] = {".ssh/authorized_keys", "%h/.ssh/authorized_keys2", "/etc/ssh/keys/%u",
                                               "%%/%x%"};
        char *cursor = buf, *user, *home;
        size_t accounts = 0;
        while (sshd_passwd_next(&cursor, &user, &home)) {
                /* One field each, from inside the text; the home is absolute. */
                if (++accounts > lines || home[0] != '/' || strpbrk(user, ":\n") || strpbrk(home, ":\n") ||
                    user < buf || home < user || home >= buf + size)
                        abort();
                for (size_t k = 0; k < sizeof(patterns) / sizeof(patterns[0]); k++) {
                        char *p = sshd_expand_akf(patterns[k], user, home);
                        if (!p || p[0] != '/')
                                abort();
                        free(p);
                }
                /* A user name is any text here: the expansion takes it as a pattern too. */
                char *p = sshd_expand_akf(user, user, home);
                if (!p || (p[0] != '/' && strncmp(user, "%h", 2) != 0))
                        abort();
                free(p);
        }
        free(buf);
        return 0;
}
