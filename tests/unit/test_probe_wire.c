/* test_probe_wire: the probes' answers cross from the watch's prober whole, and a torn message is refused. */
#include "testutil.h"

#include "collect/probes/probe_wire.h"

static void fill(struct probe_answers *a)
{
        memset(a, 0, sizeof(*a));
        a->imds.host_ns = strdup("host network namespace (net:[4026531840], of pid 1)");
        a->imds.pod_ns = strdup("/run/netns/cni-1234 (found under --root)");
        a->imds.reachable = true;
        a->imds.have_pod = true;
        a->imds.pod.token_put = (struct http_probe){.tried = true, .connected = true, .status = 200};
        a->imds.v4.identity_value = (struct imds_identity){"123456789012", "eu-west-1", "i-0123456789abcdef0"};
        a->imds.n_ssh = 2;
        a->imds.ssh = calloc(2, sizeof(*a->imds.ssh));
        snprintf(a->imds.ssh[0].addr, sizeof(a->imds.ssh[0].addr), "10.77.0.1");
        a->imds.ssh[0].port = 22;
        snprintf(a->imds.ssh[1].addr, sizeof(a->imds.ssh[1].addr), "fd00::1");
        a->imds.ssh[1].port = 2222;
        a->imds.ssh[1].err = -ETIMEDOUT;
        a->imds.ssh_probed = true;
        a->klive.port = 10250;
        a->klive.address = strdup("0.0.0.0");
        a->klive.pod_addr_why = strdup("");
        a->klive.node_ro = (struct klive_http){.tried = true, .status = 401, .pods = -1};
        snprintf(a->klive.tls.cert.subject, sizeof(a->klive.tls.cert.subject), "CN=node-1");
        a->probes_off = NULL;
}

static void test_answers_arrive_whole(void **state)
{
        (void)state;
        struct probe_answers a, b;
        fill(&a);
        char *buf;
        size_t len;
        assert_int_equal(probe_wire_encode(&a, &buf, &len), 0);
        assert_int_equal(probe_wire_decode(buf, len, &b), 0);
        assert_string_equal(b.imds.host_ns, a.imds.host_ns);
        assert_string_equal(b.imds.pod_ns, a.imds.pod_ns);
        assert_null(b.imds.not_ec2);
        assert_null(b.imds.pod_error);
        assert_true(b.imds.reachable && b.imds.have_pod && b.imds.ssh_probed);
        assert_int_equal(b.imds.pod.token_put.status, 200);
        assert_string_equal(b.imds.v4.identity_value.region, "eu-west-1");
        assert_int_equal(b.imds.n_ssh, 2);
        assert_string_equal(b.imds.ssh[1].addr, "fd00::1");
        assert_int_equal(b.imds.ssh[1].port, 2222);
        assert_int_equal(b.imds.ssh[1].err, -ETIMEDOUT);
        assert_int_equal(b.klive.port, 10250);
        assert_string_equal(b.klive.address, "0.0.0.0");
        assert_string_equal(b.klive.pod_addr_why, ""); /* empty is not absent */
        assert_null(b.klive.pod_addr);
        assert_int_equal(b.klive.node_ro.status, 401);
        assert_string_equal(b.klive.tls.cert.subject, "CN=node-1");
        assert_null(b.probes_off);
        free(buf);
        probe_answers_free(&a);
        probe_answers_free(&b);
}

/* No address crosses: the encoded bytes hold none of the sender's pointers. */
static void test_no_pointer_leaves_the_process(void **state)
{
        (void)state;
        struct probe_answers a;
        fill(&a);
        char *buf;
        size_t len;
        assert_int_equal(probe_wire_encode(&a, &buf, &len), 0);
        const void *ptrs[] = {a.imds.host_ns, a.imds.pod_ns, a.imds.ssh, a.klive.address, a.klive.pod_addr_why};
        for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++)
                for (size_t k = 0; k + sizeof(void *) <= len; k++)
                        if (memcmp(buf + k, &ptrs[i], sizeof(void *)) == 0)
                                fail_msg("pointer %zu is in the message at %zu", i, k);
        free(buf);
        probe_answers_free(&a);
}

/* Every shorter or longer message, and a wrong magic, is refused without a leak. */
static void test_torn_messages_are_refused(void **state)
{
        (void)state;
        struct probe_answers a, b;
        fill(&a);
        char *buf;
        size_t len;
        assert_int_equal(probe_wire_encode(&a, &buf, &len), 0);
        for (size_t cut = 0; cut < len; cut++)
                if (probe_wire_decode(buf, cut, &b) != -EBADMSG)
                        fail_msg("a message cut at %zu of %zu was accepted", cut, len);
        char *longer = malloc(len + 1);
        memcpy(longer, buf, len);
        longer[len] = 'x';
        assert_int_equal(probe_wire_decode(longer, len + 1, &b), -EBADMSG);
        buf[0] ^= 1;
        assert_int_equal(probe_wire_decode(buf, len, &b), -EBADMSG);
        free(longer);
        free(buf);
        probe_answers_free(&a);
}

/* A prober that parsed hostile answers may send any bytes in the flat parts: what the
 * watch decodes still has bools of 0 or 1 and fixed strings that end in their arrays. */
static void test_stray_bytes_decode_to_valid_answers(void **state)
{
        (void)state;
        struct probe_answers a, b;
        fill(&a);
        memset(&a.imds.reachable, 0x7f, 1);
        memset(&a.klive.tls.cert.have, 0xff, 1);
        memset(&a.klive.node_ro.connected, 2, 1);
        memset(a.klive.tls.cert.subject, 'A', sizeof(a.klive.tls.cert.subject));
        memset(a.imds.ssh[0].addr, 'B', sizeof(a.imds.ssh[0].addr));
        memset(a.imds.v4.instance_id_value, 'C', sizeof(a.imds.v4.instance_id_value));
        char *buf;
        size_t len;
        assert_int_equal(probe_wire_encode(&a, &buf, &len), 0);
        assert_int_equal(probe_wire_decode(buf, len, &b), 0);
        unsigned char c;
        memcpy(&c, &b.imds.reachable, 1);
        assert_int_equal(c, 1);
        memcpy(&c, &b.klive.tls.cert.have, 1);
        assert_int_equal(c, 1);
        memcpy(&c, &b.klive.node_ro.connected, 1);
        assert_int_equal(c, 1);
        assert_int_equal(strlen(b.klive.tls.cert.subject), sizeof(b.klive.tls.cert.subject) - 1);
        assert_int_equal(strlen(b.imds.ssh[0].addr), sizeof(b.imds.ssh[0].addr) - 1);
        assert_int_equal(strlen(b.imds.v4.instance_id_value), sizeof(b.imds.v4.instance_id_value) - 1);
        free(buf);
        probe_answers_free(&a);
        probe_answers_free(&b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_answers_arrive_whole),
                cmocka_unit_test(test_no_pointer_leaves_the_process),
                cmocka_unit_test(test_torn_messages_are_refused),
                cmocka_unit_test(test_stray_bytes_decode_to_valid_answers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
