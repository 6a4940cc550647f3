/* test_services: /etc/services ports for sshd's Port/ListenAddress names are 1..65535, parsed strictly. */
#include "testutil.h"

#include "base/rootfs.h"
#include "collect/sshd/sshd_internal.h"

static int lookup(const char *text, const char *name)
{
        char *buf = strdup(text);
        int port = sshd_services_port(buf, name);
        free(buf);
        return port;
}

/* Format of services(5) as in netbase's /etc/services: name port/proto aliases # comment. */
static void test_name_and_alias_give_tcp_port(void **state)
{
        (void)state;
        const char *t = "# comment\nssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol\n"
                        "myssh 2222/udp\nmyssh 2022/tcp alt-ssh other # x\n";
        assert_int_equal(lookup(t, "ssh"), 22);
        assert_int_equal(lookup(t, "myssh"), 2022);
        assert_int_equal(lookup(t, "alt-ssh"), 2022);
        assert_int_equal(lookup(t, "other"), 2022);
        assert_int_equal(lookup(t, "x"), -1);
        assert_int_equal(lookup(t, "nope"), -1);
}

static void test_out_of_range_and_wrapping_ports_rejected(void **state)
{
        (void)state;
        /* atoi took 99999, and 4294967318 wrapped to 22. */
        assert_int_equal(lookup("big 99999/tcp\n", "big"), -1);
        assert_int_equal(lookup("wrap 4294967318/tcp\n", "wrap"), -1);
        assert_int_equal(lookup("zero 0/tcp\n", "zero"), -1);
        assert_int_equal(lookup("neg -22/tcp\n", "neg"), -1);
        assert_int_equal(lookup("plus +22/tcp\n", "plus"), -1);
        assert_int_equal(lookup("junk 22x/tcp\n", "junk"), -1);
        assert_int_equal(lookup("hex 0x16/tcp\n", "hex"), -1);
        assert_int_equal(lookup("empty /tcp\n", "empty"), -1);
        assert_int_equal(lookup("max 65535/tcp\n", "max"), 65535);
        assert_int_equal(lookup("over 65536/tcp\n", "over"), -1);
        assert_int_equal(lookup("zeros 00022/tcp\n", "zeros"), 22);
        assert_int_equal(lookup("manyzeros 00000000022/tcp\n", "manyzeros"), 22);
}

/* glibc's files backend skips a malformed line, so a later good one answers. */
static void test_malformed_line_skipped_for_later_entry(void **state)
{
        (void)state;
        assert_int_equal(lookup("dup 4294967318/tcp\ndup 2200/tcp\n", "dup"), 2200);
}

static void test_a2port_reads_services_under_root(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp();
        tu_write(dir, "etc/services", "ssh 22/tcp\nwrap 4294967318/tcp\nbig 99999/tcp\n");
        struct rootfs r;
        assert_int_equal(rootfs_open_root(dir, &r), 0);
        assert_int_equal(sshd_a2port(&r, "ssh"), 22);
        assert_int_equal(sshd_a2port(&r, "wrap"), -1);
        assert_int_equal(sshd_a2port(&r, "big"), -1);
        assert_int_equal(sshd_a2port(&r, "2222"), 2222);
        rootfs_close(&r);
        tu_rm_rf(dir);
        free(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_name_and_alias_give_tcp_port),
                cmocka_unit_test(test_out_of_range_and_wrapping_ports_rejected),
                cmocka_unit_test(test_malformed_line_skipped_for_later_entry),
                cmocka_unit_test(test_a2port_reads_services_under_root),
        };
        return cmocka_run_group_tests_name("services", tests, NULL, tu_group_teardown);
}
