/* test_static_nss: the static binary's stand-ins for glibc's NSS-backed calls answer numerically, as getaddrinfo(3)/getnameinfo(3) do for addresses, and refuse names. */
#include "testutil.h"

#include <arpa/inet.h>
#include <netdb.h>

int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res);
void __wrap_freeaddrinfo(struct addrinfo *ai);
int __wrap_getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen, char *serv,
                       socklen_t servlen, int flags);
struct hostent *__wrap_gethostbyname(const char *name);
struct servent *__wrap_getservbyname(const char *name, const char *proto);

static char *first_text(const struct addrinfo *ai, uint16_t *ret_port)
{
        static char t[INET6_ADDRSTRLEN];
        const void *a = ai->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                                                 : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
        *ret_port = ntohs(ai->ai_family == AF_INET ? ((struct sockaddr_in *)ai->ai_addr)->sin_port
                                                   : ((struct sockaddr_in6 *)ai->ai_addr)->sin6_port);
        assert_non_null(inet_ntop(ai->ai_family, a, t, sizeof(t)));
        return t;
}

static size_t count(const struct addrinfo *ai)
{
        size_t n = 0;
        for (; ai; ai = ai->ai_next)
                n++;
        return n;
}

static void test_addresses_and_port_numbers_resolve_as_themselves(void **state)
{
        (void)state;
        struct addrinfo *ai, h = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
        uint16_t port;
        assert_int_equal(__wrap_getaddrinfo("10.0.0.2", "10250", &h, &ai), 0);
        assert_int_equal(count(ai), 1);
        assert_int_equal(ai->ai_protocol, IPPROTO_TCP);
        assert_string_equal(first_text(ai, &port), "10.0.0.2");
        assert_int_equal(port, 10250);
        __wrap_freeaddrinfo(ai);
        assert_int_equal(__wrap_getaddrinfo("fd00:ec2::254", NULL, NULL, &ai), 0);
        assert_int_equal(count(ai), 2); /* stream and datagram, as glibc lists them */
        assert_string_equal(first_text(ai, &port), "fd00:ec2::254");
        __wrap_freeaddrinfo(ai);
        h.ai_flags = AI_CANONNAME;
        assert_int_equal(__wrap_getaddrinfo("127.0.0.1", "0", &h, &ai), 0);
        assert_string_equal(ai->ai_canonname, "127.0.0.1");
        __wrap_freeaddrinfo(ai);
}

static void test_localhost_and_no_node_are_loopback_or_any(void **state)
{
        (void)state;
        struct addrinfo *ai, h = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
        uint16_t port;
        assert_int_equal(__wrap_getaddrinfo("localhost", "443", &h, &ai), 0);
        assert_string_equal(first_text(ai, &port), "127.0.0.1");
        __wrap_freeaddrinfo(ai);
        h.ai_family = AF_INET6;
        assert_int_equal(__wrap_getaddrinfo(NULL, "80", &h, &ai), 0);
        assert_string_equal(first_text(ai, &port), "::1");
        __wrap_freeaddrinfo(ai);
        h.ai_flags = AI_PASSIVE;
        assert_int_equal(__wrap_getaddrinfo(NULL, "80", &h, &ai), 0);
        assert_string_equal(first_text(ai, &port), "::");
        __wrap_freeaddrinfo(ai);
}

static void test_names_and_service_names_are_refused(void **state)
{
        (void)state;
        struct addrinfo *ai = NULL, h = {.ai_family = AF_INET};
        assert_int_equal(__wrap_getaddrinfo("api.example.com", "443", NULL, &ai), EAI_NONAME);
        assert_int_equal(__wrap_getaddrinfo("10.0.0.2", "https", NULL, &ai), EAI_SERVICE);
        assert_int_equal(__wrap_getaddrinfo("10.0.0.2", "70000", NULL, &ai), EAI_SERVICE);
        assert_int_equal(__wrap_getaddrinfo(NULL, NULL, NULL, &ai), EAI_NONAME);
        assert_int_equal(__wrap_getaddrinfo("fd00::1", "1", &h, &ai), EAI_ADDRFAMILY);
        h.ai_family = AF_UNIX;
        assert_int_equal(__wrap_getaddrinfo("10.0.0.2", "1", &h, &ai), EAI_FAMILY);
        assert_null(ai);
        assert_null(__wrap_gethostbyname("localhost"));
        assert_int_equal(h_errno, HOST_NOT_FOUND);
        assert_null(__wrap_getservbyname("ssh", "tcp"));
}

static void test_getnameinfo_is_numeric_only(void **state)
{
        (void)state;
        struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(22)};
        inet_pton(AF_INET6, "fd00::5", &s6.sin6_addr);
        char host[64], serv[8];
        assert_int_equal(
                __wrap_getnameinfo((struct sockaddr *)&s6, sizeof(s6), host, sizeof(host), serv, sizeof(serv), 0), 0);
        assert_string_equal(host, "fd00::5");
        assert_string_equal(serv, "22");
        assert_int_equal(
                __wrap_getnameinfo((struct sockaddr *)&s6, sizeof(s6), host, sizeof(host), NULL, 0, NI_NAMEREQD),
                EAI_NONAME);
        assert_int_equal(__wrap_getnameinfo((struct sockaddr *)&s6, sizeof(s6), host, 4, NULL, 0, 0), EAI_OVERFLOW);
        assert_int_equal(__wrap_getnameinfo((struct sockaddr *)&s6, 8, host, sizeof(host), NULL, 0, 0), EAI_FAMILY);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_addresses_and_port_numbers_resolve_as_themselves),
                cmocka_unit_test(test_localhost_and_no_node_are_loopback_or_any),
                cmocka_unit_test(test_names_and_service_names_are_refused),
                cmocka_unit_test(test_getnameinfo_is_numeric_only),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
