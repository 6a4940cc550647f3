/* test_sockets_parse: netlink replies, well-formed or not, and owners read from a fixture /proc. */
#include "testutil.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include "collect/net/sockets.h"

#define SEQ 77

/* Netlink buffers are read in place by the parser: keep them aligned. */
static uint32_t bufw[4096];
static uint8_t *const buf = (uint8_t *)bufw;

static size_t put_diag(size_t off, uint8_t family, const char *addr, uint16_t port, uint32_t ino, int v6only)
{
        struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
        struct inet_diag_msg *m = (struct inet_diag_msg *)(h + 1);
        memset(h, 0, NLMSG_SPACE(sizeof(*m)) + 8);
        h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
        h->nlmsg_seq = SEQ;
        h->nlmsg_flags = NLM_F_MULTI;
        m->idiag_family = family;
        m->idiag_state = 10;
        m->id.idiag_sport = htons(port);
        inet_pton(family, addr, m->id.idiag_src);
        m->idiag_inode = ino;
        size_t len = NLMSG_LENGTH(sizeof(*m));
        if (v6only >= 0) {
                struct nlattr *a = (struct nlattr *)(buf + off + NLMSG_ALIGN(len));
                a->nla_type = INET_DIAG_SKV6ONLY;
                a->nla_len = NLA_HDRLEN + 1;
                *((uint8_t *)a + NLA_HDRLEN) = (uint8_t)v6only;
                len = NLMSG_ALIGN(len) + NLA_ALIGN(a->nla_len);
        }
        h->nlmsg_len = (uint32_t)len;
        return off + NLMSG_ALIGN(len);
}

static size_t put_done(size_t off, int err)
{
        struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
        h->nlmsg_len = NLMSG_LENGTH(sizeof(int));
        h->nlmsg_type = NLMSG_DONE;
        h->nlmsg_flags = NLM_F_MULTI;
        h->nlmsg_seq = SEQ;
        memcpy(h + 1, &err, sizeof(err));
        return off + NLMSG_ALIGN(h->nlmsg_len);
}

static int parse(size_t len, struct sockets *s)
{
        return sockets_parse_diag(buf, len, SEQ, IPPROTO_TCP, s);
}

static void test_well_formed_dump_is_read_and_done_ends_it(void **state)
{
        (void)state;
        size_t off = put_diag(0, AF_INET, "127.0.0.1", 22, 1001, -1);
        off = put_diag(off, AF_INET6, "::", 10250, 1002, 1);
        off = put_done(off, 0);
        struct sockets s = {0};
        assert_int_equal(parse(off, &s), 1);
        assert_int_equal(s.n, 2);
        assert_int_equal(s.v[0].port, 22);
        assert_int_equal(s.v[0].inode, 1001);
        assert_true(listener_is_loopback(&s.v[0]));
        assert_false(listener_is_wildcard(&s.v[0]));
        assert_int_equal(s.v[1].family, AF_INET6);
        assert_true(s.v[1].v6only);
        assert_true(listener_is_wildcard(&s.v[1]));
        char a[64];
        listener_addr_str(&s.v[1], a, sizeof(a));
        assert_string_equal(a, "[::]");
        s.v[1].v6only = false;
        listener_addr_str(&s.v[1], a, sizeof(a));
        assert_string_equal(a, "*");
        sockets_free(&s);
}

static void test_every_truncation_is_an_error_or_a_whole_message(void **state)
{
        (void)state;
        size_t m1 = put_diag(0, AF_INET, "10.0.0.1", 80, 1, -1);
        size_t m2 = put_diag(m1, AF_INET6, "fe80::1", 443, 2, 0);
        size_t end = put_done(m2, 0);
        uint8_t whole[sizeof(bufw)];
        memcpy(whole, buf, end);
        for (size_t len = 0; len < end; len++) {
                memcpy(buf, whole, end);
                struct sockets s = {0};
                int r = parse(len, &s);
                if (len == m1 || len == m2)
                        assert_int_equal(r, 0); /* cut between messages: more to come */
                else if (r >= 0)
                        fail_msg("a reply cut at %zu of %zu bytes was accepted", len, end);
                sockets_free(&s);
        }
}

static void test_lengths_that_lie_are_errors(void **state)
{
        (void)state;
        struct sockets s = {0};
        size_t end = put_diag(0, AF_INET, "0.0.0.0", 80, 1, -1);
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        h->nlmsg_len = 8; /* shorter than its own header */
        assert_true(parse(end, &s) < 0);
        h->nlmsg_len = 1u << 30; /* longer than the datagram */
        assert_true(parse(end, &s) < 0);
        h->nlmsg_len = 0xfffff621u; /* negative as an int: libmnl's own check lets it through */
        assert_true(parse(end, &s) < 0);
        h->nlmsg_len = NLMSG_LENGTH(10); /* a header, but no room for inet_diag_msg */
        assert_int_equal(parse(NLMSG_ALIGN(h->nlmsg_len), &s), -EBADMSG);
        end = put_diag(0, AF_INET6, "::", 80, 1, 1);
        struct nlattr *a = (struct nlattr *)(buf + NLMSG_SPACE(sizeof(struct inet_diag_msg)));
        a->nla_len = 200; /* an attribute that runs past its message */
        assert_int_equal(parse(end, &s), -EBADMSG);
        a->nla_len = NLA_HDRLEN; /* SKV6ONLY without its byte */
        ((struct nlmsghdr *)buf)->nlmsg_len = NLMSG_SPACE(sizeof(struct inet_diag_msg)) + NLA_HDRLEN;
        assert_int_equal(parse(((struct nlmsghdr *)buf)->nlmsg_len, &s), -EBADMSG);
        assert_int_equal(s.n, 0);
        sockets_free(&s);
}

static void test_foreign_or_failed_replies_are_errors(void **state)
{
        (void)state;
        struct sockets s = {0};
        size_t end = put_diag(0, AF_INET, "0.0.0.0", 80, 1, -1);
        assert_int_equal(sockets_parse_diag(buf, end, SEQ + 1, IPPROTO_TCP, &s), -EPROTO);
        ((struct inet_diag_msg *)(buf + NLMSG_HDRLEN))->idiag_family = AF_UNIX;
        assert_int_equal(parse(end, &s), -EBADMSG);
        put_diag(0, AF_INET, "0.0.0.0", 80, 1, -1);
        ((struct nlmsghdr *)buf)->nlmsg_type = RTM_NEWLINK;
        assert_int_equal(parse(end, &s), -EPROTO);
        ((struct nlmsghdr *)buf)->nlmsg_type = SOCK_DIAG_BY_FAMILY;
        ((struct nlmsghdr *)buf)->nlmsg_flags |= NLM_F_DUMP_INTR;
        assert_int_equal(parse(end, &s), -EINTR);
        /* NLMSG_ERROR: the kernel's error is the result; a short one is malformed. */
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        memset(buf, 0, 64);
        h->nlmsg_type = NLMSG_ERROR;
        h->nlmsg_seq = SEQ;
        h->nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr));
        ((struct nlmsgerr *)NLMSG_DATA(h))->error = -EPERM;
        assert_int_equal(parse(h->nlmsg_len, &s), -EPERM);
        h->nlmsg_len = NLMSG_LENGTH(2);
        assert_int_equal(parse(NLMSG_ALIGN(h->nlmsg_len), &s), -EBADMSG);
        assert_int_equal(parse(put_done(0, -ENOBUFS), &s), -ENOBUFS);
        assert_true(parse(0, &s) < 0);
        assert_int_equal(s.n, 0);
        sockets_free(&s);
}

static void test_random_bytes_never_crash(void **state)
{
        (void)state;
        srand(12345);
        for (int i = 0; i < 20000; i++) {
                size_t len = (size_t)(rand() % 512);
                for (size_t k = 0; k < len; k++)
                        buf[k] = (uint8_t)rand();
                /* Often a plausible header, so the walk gets past the first check. */
                if (len >= 16 && (i & 1)) {
                        struct nlmsghdr *h = (struct nlmsghdr *)buf;
                        h->nlmsg_len = (uint32_t)(rand() % (int)(len + 8));
                        h->nlmsg_seq = SEQ;
                        h->nlmsg_type = (i & 2) ? SOCK_DIAG_BY_FAMILY : RTM_NEWADDR;
                        h->nlmsg_flags = 0;
                }
                struct sockets s = {0};
                (void)sockets_parse_diag(buf + (i % 3 == 0), len ? len - (i % 3 == 0) : 0, SEQ, IPPROTO_UDP, &s);
                (void)sockets_parse_addrs(buf, len, SEQ, &s);
                sockets_free(&s);
        }
}

static void test_addresses_take_ifa_local_and_reject_short_ones(void **state)
{
        (void)state;
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        memset(buf, 0, 256);
        h->nlmsg_type = RTM_NEWADDR;
        h->nlmsg_seq = SEQ;
        struct ifaddrmsg *ifa = NLMSG_DATA(h);
        ifa->ifa_family = AF_INET;
        ifa->ifa_prefixlen = 24;
        ifa->ifa_index = 2;
        struct nlattr *a = (struct nlattr *)((uint8_t *)h + NLMSG_SPACE(sizeof(*ifa)));
        a->nla_type = IFA_ADDRESS;
        a->nla_len = NLA_HDRLEN + 4;
        inet_pton(AF_INET, "10.0.0.9", (uint8_t *)a + NLA_HDRLEN);
        struct nlattr *b = (struct nlattr *)((uint8_t *)a + NLA_ALIGN(a->nla_len));
        b->nla_type = IFA_LOCAL;
        b->nla_len = NLA_HDRLEN + 4;
        inet_pton(AF_INET, "10.0.0.5", (uint8_t *)b + NLA_HDRLEN);
        h->nlmsg_len = NLMSG_SPACE(sizeof(*ifa)) + 2 * NLA_ALIGN(NLA_HDRLEN + 4);
        struct sockets s = {0};
        assert_int_equal(sockets_parse_addrs(buf, h->nlmsg_len, SEQ, &s), 0);
        assert_int_equal(s.n_addrs, 1);
        uint8_t want[4];
        inet_pton(AF_INET, "10.0.0.5", want);
        assert_memory_equal(s.addrs[0].addr, want, 4);
        assert_int_equal(s.addrs[0].prefixlen, 24);
        b->nla_len = NLA_HDRLEN + 2;
        assert_int_equal(sockets_parse_addrs(buf, h->nlmsg_len, SEQ, &s), -EBADMSG);
        h->nlmsg_len = NLMSG_SPACE(sizeof(*ifa)); /* no address at all */
        assert_int_equal(sockets_parse_addrs(buf, h->nlmsg_len, SEQ, &s), -EBADMSG);
        assert_int_equal(s.n_addrs, 1);
        sockets_free(&s);
}

/* PROC/<pid>/fd links name socket inodes; the first-owner mode may stop early. */
static void test_owners_from_fixture_proc(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        const char *argv_a[] = {"/usr/sbin/sshd", NULL};
        const char *argv_b[] = {"worker", NULL};
        tu_write_proc(root, 100, "sshd", argv_a);
        tu_write_proc(root, 200, "worker", argv_b);
        tu_symlink(root, "proc/100/fd/0", "/dev/null");
        tu_symlink(root, "proc/100/fd/3", "socket:[5001]");
        tu_symlink(root, "proc/100/fd/4", "socket:[9999]");
        tu_symlink(root, "proc/100/fd/5", "socket:[5002");
        tu_symlink(root, "proc/200/fd/7", "socket:[5001]");
        tu_symlink(root, "proc/200/fd/8", "socket:[5002]");
        char proc_path[4096];
        snprintf(proc_path, sizeof(proc_path), "%s/proc", root);
        struct rootfs proc;
        assert_int_equal(rootfs_open_root(proc_path, &proc), 0);
        for (int all = 0; all < 2; all++) {
                struct sockets s = {0};
                size_t off = put_diag(0, AF_INET, "0.0.0.0", 22, 5001, -1);
                off = put_diag(off, AF_INET, "0.0.0.0", 8080, 5002, -1);
                assert_int_equal(parse(off, &s), 0);
                char *err = NULL;
                assert_int_equal(sockets_find_owners(&proc, all, &s, &err), 0);
                assert_int_equal(s.v[0].n_owners, all ? 2 : 1);
                assert_int_equal(s.v[1].n_owners, 1);
                assert_int_equal(s.owners[s.v[1].owner0].pid, 200);
                char o[256];
                listener_owners_str(&s, &s.v[0], o, sizeof(o));
                if (all) {
                        assert_string_equal(o, "pid 100 sshd, pid 200 worker");
                        assert_string_equal(s.owners[s.v[0].owner0].comm, "sshd");
                        assert_int_equal(s.owners[s.v[0].owner0].fd, 3);
                        assert_true(listener_owned_by(&s, &s.v[0], "sshd"));
                        assert_true(listener_owned_by(&s, &s.v[0], "worker"));
                } else {
                        assert_string_equal(o, "pid 100 sshd"); /* the lowest pid, whatever the directory order */
                }
                sockets_free(&s);
        }
        rootfs_close(&proc);
        tu_rm_rf(root);
        free(root);
}

/* A socket inherited across fork, held by a low and a high pid among hundreds of
 * processes: the workers share the walk, and whichever finds it first, the
 * first-owner mode reports the lowest pid on every run. */
static void test_first_owner_is_the_lowest_pid_whatever_the_timing(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        const char *argv[] = {"idle", NULL};
        for (int pid = 1000; pid < 1400; pid++) {
                char comm[16];
                snprintf(comm, sizeof(comm), "p%d", pid);
                tu_write_proc(root, pid, comm, argv);
        }
        tu_symlink(root, "proc/1007/fd/3", "socket:[7021]");
        tu_symlink(root, "proc/1398/fd/3", "socket:[7021]");
        tu_symlink(root, "proc/1399/fd/4", "socket:[7022]");
        char proc_path[4096];
        snprintf(proc_path, sizeof(proc_path), "%s/proc", root);
        struct rootfs proc;
        assert_int_equal(rootfs_open_root(proc_path, &proc), 0);
        for (int run = 0; run < 20; run++) {
                struct sockets s = {0};
                size_t off = put_diag(0, AF_INET, "0.0.0.0", 7021, 7021, -1);
                off = put_diag(off, AF_INET, "0.0.0.0", 7022, 7022, -1);
                assert_int_equal(parse(off, &s), 0);
                char *err = NULL;
                assert_int_equal(sockets_find_owners(&proc, false, &s, &err), 0);
                assert_int_equal(s.v[0].n_owners, 1);
                assert_int_equal(s.owners[s.v[0].owner0].pid, 1007);
                assert_string_equal(s.owners[s.v[0].owner0].comm, "p1007");
                assert_int_equal(s.owners[s.v[1].owner0].pid, 1399);
                sockets_free(&s);
        }
        rootfs_close(&proc);
        tu_rm_rf(root);
        free(root);
}

/* fd names that are not an fd number (too big, a leading zero) are not owners. */
static void test_fd_names_that_are_no_fd_are_skipped(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        const char *argv[] = {"holder", NULL};
        tu_write_proc(root, 100, "holder", argv);
        tu_symlink(root, "proc/100/fd/99999999999", "socket:[5001]");
        tu_symlink(root, "proc/100/fd/4294967299", "socket:[5001]");
        tu_symlink(root, "proc/100/fd/007", "socket:[5001]");
        tu_symlink(root, "proc/100/fd/3", "socket:[5001]");
        char proc_path[4096];
        snprintf(proc_path, sizeof(proc_path), "%s/proc", root);
        struct rootfs proc;
        assert_int_equal(rootfs_open_root(proc_path, &proc), 0);
        struct sockets s = {0};
        size_t off = put_diag(0, AF_INET, "0.0.0.0", 22, 5001, -1);
        assert_int_equal(parse(off, &s), 0);
        char *err = NULL;
        assert_int_equal(sockets_find_owners(&proc, true, &s, &err), 0);
        assert_int_equal(s.v[0].n_owners, 1);
        assert_int_equal(s.owners[s.v[0].owner0].fd, 3);
        sockets_free(&s);
        rootfs_close(&proc);
        tu_rm_rf(root);
        free(root);
}

/* A query names the listeners it needs: the processes asked for first are read in
 * full, the rest only for a wanted listener, and a comm is cut to the kernel's 15. */
static void test_owner_query_reads_only_what_is_wanted(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        const char *argv_a[] = {"/usr/sbin/sshd", NULL};
        const char *argv_b[] = {"worker", NULL};
        const char *argv_c[] = {"agent", NULL};
        tu_write_proc(root, 100, "sshd", argv_a);
        tu_write_proc(root, 200, "worker", argv_b);
        tu_write_proc(root, 300, "a-very-long-agent-name", argv_c);
        tu_symlink(root, "proc/100/fd/3", "socket:[5001]");
        tu_symlink(root, "proc/100/fd/4", "socket:[5003]");
        tu_symlink(root, "proc/200/fd/7", "socket:[5001]");
        tu_symlink(root, "proc/200/fd/8", "socket:[5002]");
        tu_symlink(root, "proc/300/fd/9", "socket:[5003]");
        tu_symlink(root, "proc/300/fd/10", "socket:[5004]");
        char proc_path[4096];
        snprintf(proc_path, sizeof(proc_path), "%s/proc", root);
        struct rootfs proc;
        assert_int_equal(rootfs_open_root(proc_path, &proc), 0);
        for (int all = 0; all < 2; all++) {
                struct sockets s = {0};
                size_t off = put_diag(0, AF_INET, "0.0.0.0", 2222, 5001, -1);
                off = put_diag(off, AF_INET, "0.0.0.0", 8080, 5002, -1);
                off = put_diag(off, AF_INET, "127.0.0.1", 9000, 5003, -1);
                off = put_diag(off, AF_INET, "0.0.0.0", 9100, 5004, -1);
                assert_int_equal(parse(off, &s), 0);
                bool want[4] = {false, false, false, true};
                pid_t first[] = {100};
                struct owner_query q = {.all = all, .want = want, .first = first, .n_first = 1};
                char *err = NULL;
                assert_int_equal(sockets_find_owners_query(&proc, &q, &s, &err), 0);
                /* sshd's own sockets, whoever else holds them, and nothing of 200's. */
                assert_int_equal(s.v[0].n_owners, 1);
                assert_int_equal(s.owners[s.v[0].owner0].pid, 100);
                assert_int_equal(s.v[1].n_owners, 0);
                assert_int_equal(s.v[2].n_owners, 1);
                assert_int_equal(s.owners[s.v[2].owner0].pid, 100);
                assert_int_equal(s.v[3].n_owners, 1);
                assert_string_equal(s.owners[s.v[3].owner0].comm, "a-very-long-age");
                char o[256];
                listener_owners_str(&s, &s.v[1], o, sizeof(o));
                assert_string_equal(o, "owner unknown");
                sockets_free(&s);

                /* Nothing wanted and nobody first: no process is read at all. */
                off = put_diag(0, AF_INET, "0.0.0.0", 8080, 5002, -1);
                assert_int_equal(parse(off, &s), 0);
                bool none[1] = {false};
                struct owner_query q0 = {.all = all, .want = none};
                assert_int_equal(sockets_find_owners_query(&proc, &q0, &s, &err), 0);
                assert_int_equal(s.n_owners, 0);
                sockets_free(&s);
        }
        rootfs_close(&proc);
        tu_rm_rf(root);
        free(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_well_formed_dump_is_read_and_done_ends_it),
                cmocka_unit_test(test_every_truncation_is_an_error_or_a_whole_message),
                cmocka_unit_test(test_lengths_that_lie_are_errors),
                cmocka_unit_test(test_foreign_or_failed_replies_are_errors),
                cmocka_unit_test(test_random_bytes_never_crash),
                cmocka_unit_test(test_addresses_take_ifa_local_and_reject_short_ones),
                cmocka_unit_test(test_owners_from_fixture_proc),
                cmocka_unit_test(test_first_owner_is_the_lowest_pid_whatever_the_timing),
                cmocka_unit_test(test_owner_query_reads_only_what_is_wanted),
                cmocka_unit_test(test_fd_names_that_are_no_fd_are_skipped),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
