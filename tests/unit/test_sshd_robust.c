/* test_sshd_robust: the fuzz harness's path over generated hostile inputs never crashes or leaks. */
#include "testutil.h"

#include "../fuzz/fuzz_sshd_config.c"

static const char *const pieces[] = {
        "Include ",
        "sshd_config.d/*.conf",
        "inc/*",
        "/etc/ssh/sshd_config",
        "Match ",
        "all",
        "User",
        " x",
        "Port ",
        "65535",
        "ListenAddress ",
        "[::1]:",
        "1.2.3.4",
        "\"",
        "'",
        "=",
        "#",
        "\\",
        "\r",
        "\n",
        "\t",
        " ",
        "PermitRootLogin ",
        "yes",
        "AllowUsers ",
        "a@10.0.0.0/8",
        "LoginGraceTime ",
        "1h30s",
        "99999999999w",
        "AuthorizedKeysCommand ",
        "/x %u",
        "MaxAuthTries ",
        "-1",
        "\n--\n",
        "Match Address ",
        "10.0.0.1/33",
        "LogLevel ",
        "DEBUG3",
        "*",
        "?",
        "[",
        "]",
        "inc/../inc/*",
};

static void test_generated_inputs_do_not_crash(void **state)
{
        (void)state;
        unsigned seed = 4;
        char buf[2048];
        for (int iter = 0; iter < 1000; iter++) {
                size_t len = 0;
                int n = (int)(rand_r(&seed) % 60);
                for (int k = 0; k < n; k++) {
                        const char *p = pieces[rand_r(&seed) % (sizeof(pieces) / sizeof(pieces[0]))];
                        size_t pl = strlen(p);
                        if (len + pl + 1 >= sizeof(buf))
                                break;
                        memcpy(buf + len, p, pl);
                        len += pl;
                        if (rand_r(&seed) % 13 == 0 && len)
                                buf[len - 1] = (char)(rand_r(&seed) & 0xff);
                }
                LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
        }
        tu_rm_rf(fuzz_root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_generated_inputs_do_not_crash),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
