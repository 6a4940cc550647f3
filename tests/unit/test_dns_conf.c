/* test_dns_conf: resolv.conf and /etc/hosts read as glibc reads them (resolv.conf(5), hosts(5); glibc resolv/res_init.c, nss/nss_files/files-hosts.c). */
#include "testutil.h"

#include <arpa/inet.h>

#include "base/dns.h"

static const char *server_text(const struct dns_conf *c, size_t i)
{
        static char t[INET6_ADDRSTRLEN];
        assert_non_null(inet_ntop(c->servers[i].family, c->servers[i].addr, t, sizeof(t)));
        return t;
}

static void test_defaults_without_a_nameserver_are_glibcs(void **state)
{
        (void)state;
        struct dns_conf c;
        dns_conf_parse("# nothing here\n", &c);
        assert_true(c.defaulted_server);
        assert_int_equal(c.n_servers, 1);
        assert_string_equal(server_text(&c, 0), "127.0.0.1");
        assert_int_equal(c.ndots, 1);
        assert_int_equal(c.timeout_s, 5);
        assert_int_equal(c.attempts, 2);
        assert_int_equal(c.n_search, 0);
        assert_false(c.rotate);
}

static void test_only_the_first_three_nameservers_count(void **state)
{
        (void)state;
        struct dns_conf c;
        dns_conf_parse("nameserver 10.0.0.2\nnameserver fd00:ec2::253\nnameserver 169.254.169.253\n"
                       "nameserver 8.8.8.8\n",
                       &c);
        assert_false(c.defaulted_server);
        assert_int_equal(c.n_servers, 3);
        assert_string_equal(server_text(&c, 0), "10.0.0.2");
        assert_int_equal(c.servers[1].family, AF_INET6);
        assert_string_equal(server_text(&c, 1), "fd00:ec2::253");
        assert_string_equal(server_text(&c, 2), "169.254.169.253");
}

static void test_comments_indent_and_unusable_servers_are_ignored(void **state)
{
        (void)state;
        struct dns_conf c;
        /* Keywords must start the line; a scoped link-local server cannot be given to c-ares. */
        dns_conf_parse("; nameserver 10.9.9.9\n# nameserver 10.9.9.8\n  nameserver 10.9.9.7\n"
                       "nameserver fe80::1%eth0\nnameserver not-an-address\nnameserver\n"
                       "nameserver\t10.0.0.2\r\n",
                       &c);
        assert_int_equal(c.n_servers, 1);
        assert_string_equal(server_text(&c, 0), "10.0.0.2");
}

static void test_last_search_or_domain_line_wins(void **state)
{
        (void)state;
        struct dns_conf c;
        dns_conf_parse("search a.example b.example\ndomain only.example other.example\n", &c);
        assert_int_equal(c.n_search, 1);
        assert_string_equal(c.search[0], "only.example");
        dns_conf_parse("domain d.example\nsearch ec2.internal us-west-2.compute.internal . x1 x2 x3 x4 x5 x6\n", &c);
        assert_int_equal(c.n_search, DNS_MAX_SEARCH);
        assert_string_equal(c.search[0], "ec2.internal");
        assert_string_equal(c.search[1], "us-west-2.compute.internal");
        assert_string_equal(c.search[2], "x1"); /* "." is the root: no search */
}

static void test_options_are_clamped_to_glibcs_maxima_and_one_try(void **state)
{
        (void)state;
        struct dns_conf c;
        dns_conf_parse("options ndots:5 timeout:2 attempts:3 rotate\nnameserver 10.0.0.2\n", &c);
        assert_int_equal(c.ndots, 5);
        assert_int_equal(c.timeout_s, 2);
        assert_int_equal(c.attempts, 3);
        assert_true(c.rotate);
        dns_conf_parse("options ndots:99 timeout:600 attempts:40 edns0 trust-ad\n", &c);
        assert_int_equal(c.ndots, 15);
        assert_int_equal(c.timeout_s, 30);
        assert_int_equal(c.attempts, 5);
        dns_conf_parse("options ndots:-3 timeout:0 attempts:x\n", &c);
        assert_int_equal(c.ndots, 0);
        assert_int_equal(c.timeout_s, 1);
        assert_int_equal(c.attempts, 1);
}

static void test_hosts_match_names_and_aliases_case_insensitively(void **state)
{
        (void)state;
        char a[DNS_MAX_ADDRS][INET6_ADDRSTRLEN];
        const char *hosts = "127.0.0.1 localhost\n"
                            "# 10.9.9.9 api.example.com\n"
                            "10.0.1.5\tapi.Example.com  api # the API server\n"
                            "fd00:0:0::5 api.example.com\n"
                            "10.0.1.5 api.example.com\n" /* the same address again */
                            "10.0.1.6 other api.example.com\n"
                            "bogus api.example.com\n";
        size_t n = dns_hosts_lookup(hosts, "API.example.COM", a, DNS_MAX_ADDRS);
        assert_int_equal(n, 3);
        assert_string_equal(a[0], "10.0.1.5");
        assert_string_equal(a[1], "fd00::5");
        assert_string_equal(a[2], "10.0.1.6");
        assert_int_equal(dns_hosts_lookup(hosts, "api", a, DNS_MAX_ADDRS), 1);
        assert_int_equal(dns_hosts_lookup(hosts, "the", a, DNS_MAX_ADDRS), 0);
        assert_int_equal(dns_hosts_lookup(hosts, "api.example.com", a, 2), 2);
        assert_int_equal(dns_hosts_lookup("", "localhost", a, DNS_MAX_ADDRS), 0);
}

/* A root without a network: literals and hosts entries never reach DNS. */
static void test_literals_and_hosts_answer_without_dns(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp();
        tu_write(dir, "etc/hosts", "10.0.1.5 api.example.com\n");
        tu_write(dir, "etc/resolv.conf", "nameserver 192.0.2.1\n");
        struct rootfs root;
        assert_int_equal(rootfs_open_root(dir, &root), 0);
        struct dns_answer ans;
        assert_int_equal(dns_resolve(&root, "fd00:10::0:1", 0, &ans), 0);
        assert_int_equal(ans.n, 1);
        assert_string_equal(ans.addrs[0], "fd00:10::1");
        assert_int_equal(dns_resolve(&root, "api.example.com.", 0, &ans), 0);
        assert_string_equal(ans.addrs[0], "10.0.1.5");
        assert_string_equal(ans.via, "/etc/hosts");
        /* Not in hosts, and no time left: DNS is not even asked, but the via says whom it would ask. */
        assert_int_equal(dns_resolve(&root, "other.example.com", 0, &ans), -ETIMEDOUT);
        assert_string_equal(ans.via, "DNS 192.0.2.1 (/etc/resolv.conf)");
        assert_int_equal(dns_resolve(&root, "", 100, &ans), -EINVAL);
        rootfs_close(&root);
        free(dir);
}

/* systemd-resolved's stub answers only in the node's own namespace: its upstreams are asked. */
static void test_resolved_stub_gives_way_to_its_upstream_list(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp();
        tu_write(dir, "run/systemd/resolve/stub-resolv.conf", "nameserver 127.0.0.53\noptions edns0 trust-ad\n");
        tu_write(dir, "run/systemd/resolve/resolv.conf", "nameserver 10.0.0.2\nsearch ec2.internal\n");
        tu_symlink(dir, "etc/resolv.conf", "../run/systemd/resolve/stub-resolv.conf");
        struct rootfs root;
        assert_int_equal(rootfs_open_root(dir, &root), 0);
        struct dns_answer ans;
        assert_int_equal(dns_resolve(&root, "api.example.com", 0, &ans), -ETIMEDOUT);
        assert_string_equal(ans.via, "DNS 10.0.0.2 (/run/systemd/resolve/resolv.conf)");
        rootfs_close(&root);
        free(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults_without_a_nameserver_are_glibcs),
                cmocka_unit_test(test_only_the_first_three_nameservers_count),
                cmocka_unit_test(test_comments_indent_and_unusable_servers_are_ignored),
                cmocka_unit_test(test_last_search_or_domain_line_wins),
                cmocka_unit_test(test_options_are_clamped_to_glibcs_maxima_and_one_try),
                cmocka_unit_test(test_hosts_match_names_and_aliases_case_insensitively),
                cmocka_unit_test(test_literals_and_hosts_answer_without_dns),
                cmocka_unit_test(test_resolved_stub_gives_way_to_its_upstream_list),
        };
        return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
