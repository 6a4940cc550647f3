/* test_http: the response parser is strict and bounded; the client keeps its deadlines. */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "base/http.h"

static int parse(const char *s, bool eof, struct http_response *r)
{
        return http_parse_response(s, strlen(s), eof, NULL, r);
}

static void test_content_length_body(void **state)
{
        (void)state;
        struct http_response r;
        assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  b \r\n\r\nhello", false, &r), 0);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.body_len, 5);
        assert_string_equal(r.body, "hello");
        http_response_free(&r);
        assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", false, &r), -EAGAIN);
        assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", true, &r), -EBADMSG);
        assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhello", true, &r), -EBADMSG);
}

static void test_chunked_body_with_trailer(void **state)
{
        (void)state;
        struct http_response r;
        const char *s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "4;ext=1\r\nabcd\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n";
        assert_int_equal(parse(s, false, &r), 0);
        assert_string_equal(r.body, "abcd0123456789");
        http_response_free(&r);
        assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n", false, &r),
                         -EAGAIN);
        assert_int_equal(
                parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcdX\r\n0\r\n\r\n", true, &r),
                -EBADMSG);
        assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", true, &r), -EBADMSG);
        assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "11111111111111111\r\n",
                               true, &r),
                         -EBADMSG);
        assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFF\r\n", false, &r), -EFBIG);
        assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "0\r\nContent-Length: 3\r\n\r\n",
                               true, &r),
                         -EBADMSG);
}

static void test_body_until_close(void **state)
{
        (void)state;
        struct http_response r;
        assert_int_equal(parse("HTTP/1.0 200 OK\r\n\r\nabc", false, &r), -EAGAIN);
        assert_int_equal(parse("HTTP/1.0 200 OK\r\n\r\nabc", true, &r), 0);
        assert_string_equal(r.body, "abc");
        http_response_free(&r);
        assert_int_equal(parse("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", false, &r), 0);
        assert_int_equal(r.status, 401);
        assert_int_equal(r.body_len, 0);
        http_response_free(&r);
        assert_int_equal(parse("HTTP/1.1 204\r\n\r\n", false, &r), 0);
        http_response_free(&r);
}

static void test_malformed_responses_rejected(void **state)
{
        (void)state;
        static const char *const bad[] = {
                "HTTP/2 200 OK\r\n\r\n",
                "HTTP/1.1 20 OK\r\n\r\n",
                "HTTP/1.1 2000 OK\r\n\r\n",
                "HTTP/1.1 099 Low\r\n\r\n",
                "HTTP/1.1 100 Continue\r\n\r\n",
                "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
                "HTTP/1.1 200 OK\r\nBad Header: 1\r\n\r\n",
                "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
                "HTTP/1.1 200 OK\r\n: empty\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX: 1\r\n folded\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX: a\x01\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc",
                "",
                "garbage",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct http_response r;
                int e = parse(bad[i], true, &r);
                if (e != -EBADMSG)
                        fail_msg("case %zu accepted or misjudged (%d): %s", i, e, bad[i]);
        }
}

static void test_huge_responses_are_too_big(void **state)
{
        (void)state;
        struct http_limits lim = {256, 1024};
        struct http_response r;
        char big[4096];
        memset(big, 'a', sizeof(big));
        memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
        assert_int_equal(http_parse_response(big, sizeof(big), false, &lim, &r), -EFBIG);
        const char *cl = "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n";
        assert_int_equal(http_parse_response(cl, strlen(cl), false, &lim, &r), -EFBIG);
        char body[2048];
        int n = snprintf(body, sizeof(body), "HTTP/1.0 200 OK\r\n\r\n");
        memset(body + n, 'b', sizeof(body) - (size_t)n);
        assert_int_equal(http_parse_response(body, sizeof(body), false, &lim, &r), -EFBIG);
}

/* A poor man's fuzzer in the unit suite: every prefix and many mutations of valid
 * responses must end in a decision, never a crash or a read past the buffer (ASan). */
static void test_mutated_responses_never_crash(void **state)
{
        (void)state;
        static const char *const seeds[] = {
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                "HTTP/1.0 404 Not Found\r\nServer: x\r\n\r\nnope",
        };
        struct http_limits lim = {128, 256};
        unsigned seed = 12345;
        for (size_t s = 0; s < 3; s++) {
                size_t n = strlen(seeds[s]);
                for (int it = 0; it < 20000; it++) {
                        char *b = malloc(n);
                        memcpy(b, seeds[s], n);
                        size_t len = it < (int)n ? (size_t)it : n;
                        for (int k = 0; it >= (int)n && k < 3; k++)
                                b[rand_r(&seed) % n] = (char)(rand_r(&seed) & 0xff);
                        for (int eof = 0; eof < 2; eof++) {
                                struct http_response r;
                                int e = http_parse_response(b, len, eof, &lim, &r);
                                assert_true(e == 0 || e == -EBADMSG || e == -EFBIG || (e == -EAGAIN && !eof));
                                if (e == 0)
                                        http_response_free(&r);
                        }
                        free(b);
                }
        }
}

/* A local server in a child: @mode 0 answers properly, 1 accepts and says nothing,
 * 2 sends endless header bytes. */
static pid_t serve(int mode, struct sockaddr_in *ret_sa)
{
        int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
        socklen_t l = sizeof(sa);
        getsockname(ls, (struct sockaddr *)&sa, &l);
        assert_int_equal(listen(ls, 4), 0);
        pid_t pid = fork();
        if (pid == 0) {
                int c = accept(ls, NULL, NULL);
                char buf[4096];
                ssize_t rn = read(c, buf, sizeof(buf));
                (void)rn;
                if (mode == 0) {
                        const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                        ssize_t w = write(c, resp, strlen(resp));
                        (void)w;
                } else if (mode == 1) {
                        sleep(5);
                } else {
                        ssize_t w = write(c, "HTTP/1.1 200 OK\r\n", 17);
                        memset(buf, 'x', sizeof(buf));
                        for (int i = 0; i < 100000 && w > 0; i++)
                                w = write(c, buf, sizeof(buf));
                }
                _exit(0);
        }
        close(ls);
        *ret_sa = sa;
        return pid;
}

static void exchange(int mode, struct http_outcome *out, long long *ret_ms)
{
        struct sockaddr_in sa;
        pid_t pid = serve(mode, &sa);
        struct http_request req = {"GET", "127.0.0.1", "/", NULL};
        struct http_opts o = {.connect_ms = 500, .total_ms = 700};
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        http_exchange((struct sockaddr *)&sa, sizeof(sa), &req, &o, out);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        *ret_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

static void test_exchange_answers_silence_and_endless(void **state)
{
        (void)state;
        struct http_outcome out;
        long long ms;
        exchange(0, &out, &ms);
        assert_int_equal(out.err, 0);
        assert_true(out.connected);
        assert_int_equal(out.resp.status, 200);
        assert_string_equal(out.resp.body, "ok");
        http_response_free(&out.resp);
        exchange(1, &out, &ms);
        assert_int_equal(out.err, -ETIMEDOUT);
        assert_true(out.connected);
        assert_true(ms >= 600 && ms < 1500);
        exchange(2, &out, &ms);
        assert_int_equal(out.err, -EFBIG);
        assert_true(ms < 1500);
}

static void test_connect_refused_is_not_connected(void **state)
{
        (void)state;
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        bind(s, (struct sockaddr *)&sa, sizeof(sa));
        socklen_t l = sizeof(sa);
        getsockname(s, (struct sockaddr *)&sa, &l);
        close(s); /* a port nobody listens on */
        struct http_request req = {"PUT", "x", "/latest/api/token", NULL};
        struct http_opts o = {.connect_ms = 300, .total_ms = 300, .min_ttl = 2};
        struct http_outcome out;
        http_exchange((struct sockaddr *)&sa, sizeof(sa), &req, &o, &out);
        assert_int_equal(out.err, -ECONNREFUSED);
        assert_false(out.connected);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_content_length_body),
                cmocka_unit_test(test_chunked_body_with_trailer),
                cmocka_unit_test(test_body_until_close),
                cmocka_unit_test(test_malformed_responses_rejected),
                cmocka_unit_test(test_huge_responses_are_too_big),
                cmocka_unit_test(test_mutated_responses_never_crash),
                cmocka_unit_test(test_exchange_answers_silence_and_endless),
                cmocka_unit_test(test_connect_refused_is_not_connected),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
