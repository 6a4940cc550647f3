/* test_net_checks: the socket checks and the read-only port's reality check, as pure functions of facts. */
#include "testutil.h"
#include "collect/facts.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "policy/allowlist.h"
#include "policy/policy.h"
#include "check.h"

static struct facts *node(void)
{
        struct facts *f = calloc(1, sizeof(*f));
        f->collected = FACT_SOCKETS | FACT_PROCS;
        return f;
}

/* One listener with one owner (comm NULL: owner unknown). */
static void listen_on(struct facts *f, int proto, const char *addr, unsigned port, const char *comm, int pid)
{
        struct sockets *s = &f->sockets;
        s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
        struct listener *l = &s->v[s->n];
        memset(l, 0, sizeof(*l));
        l->proto = (uint8_t)proto;
        l->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
        l->v6only = l->family == AF_INET6 && strcmp(addr, "::") == 0;
        inet_pton(l->family, addr, l->addr);
        l->port = (uint16_t)port;
        l->inode = (uint32_t)(1000 + s->n);
        if (comm) {
                s->owners = realloc(s->owners, (s->n_owners + 1) * sizeof(*s->owners));
                s->owners[s->n_owners] = (struct sock_owner){(uint32_t)s->n, pid, 3, ""};
                snprintf(s->owners[s->n_owners].comm, SOCK_COMM_LEN, "%s", comm);
                l->owner0 = s->n_owners++;
                l->n_owners = 1;
        }
        s->n++;
}

static void add_addr(struct facts *f, const char *addr, unsigned prefix, unsigned ifindex, const char *ifname)
{
        struct sockets *s = &f->sockets;
        s->addrs = realloc(s->addrs, (s->n_addrs + 1) * sizeof(*s->addrs));
        struct node_addr *a = &s->addrs[s->n_addrs++];
        memset(a, 0, sizeof(*a));
        a->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
        inet_pton(a->family, addr, a->addr);
        a->prefixlen = (uint8_t)prefix;
        a->ifindex = ifindex;
        s->ifidx = realloc(s->ifidx, (s->n_ifnames + 1) * sizeof(*s->ifidx));
        s->ifnames = realloc(s->ifnames, (s->n_ifnames + 1) * sizeof(*s->ifnames));
        s->ifidx[s->n_ifnames] = ifindex;
        snprintf(s->ifnames[s->n_ifnames++], IF_NAMESIZE, "%s", ifname);
}

static void drop(struct facts *f)
{
        facts_free(f);
        free(f);
}

static void expect_fn(const char *name, check_fn fn, const struct facts *f, enum status want, const char *needle)
{
        struct result r = {0};
        fn(f, &r);
        if (r.status != want || (needle && !strstr(r.evidence, needle)))
                fail_msg("%s: status %s, want %s; evidence: %s", name, status_name(r.status), status_name(want),
                         r.evidence);
        free(r.evidence);
}
#define expect(fn, f, want, needle) expect_fn(#fn, fn, f, want, needle)

/* What the operator approves, for the check that judges by it. */
static struct policy policy;

static void net_wildcard_listeners(const struct facts *f, struct result *r)
{
        check_net_wildcard_listeners(f, &policy, r);
}

static void test_sshd_beyond_loopback_fails_with_owner(void **state)
{
        (void)state;
        struct facts *f = node();
        listen_on(f, IPPROTO_TCP, "127.0.0.1", 2222, "sshd", 811);
        expect(check_ssh_exposed, f, ST_PASS, "loopback only");
        listen_on(f, IPPROTO_TCP, "10.0.1.5", 2222, "sshd", 811);
        expect(check_ssh_exposed, f, ST_FAIL, "tcp 10.0.1.5:2222 (pid 811 sshd)");
        drop(f);
        f = node();
        listen_on(f, IPPROTO_TCP, "::", 22, NULL, 0); /* port 22, whoever holds it */
        expect(check_ssh_exposed, f, ST_FAIL, "tcp [::]:22 (owner unknown)");
        drop(f);
        f = node();
        listen_on(f, IPPROTO_UDP, "0.0.0.0", 22, "sshd", 9);
        listen_on(f, IPPROTO_TCP, "0.0.0.0", 80, "nginx", 9);
        expect(check_ssh_exposed, f, ST_PASS, "no sshd");
        drop(f);
}

/* A listener on sshd's configured port counts even when its owner is unknown. */
static void test_ssh_exposed_on_sshds_configured_port(void **state)
{
        (void)state;
        struct facts *f = node();
        listen_on(f, IPPROTO_TCP, "10.0.1.5", 2222, NULL, 0);
        expect(check_ssh_exposed, f, ST_PASS, "nothing on sshd's port 22 listens (1 listener)");
        f->collected |= FACT_SSHD;
        f->sshd.cfg.found = true;
        f->sshd.cfg.ports[0] = 2222;
        f->sshd.cfg.n_ports = 1;
        expect(check_ssh_exposed, f, ST_FAIL, "tcp 10.0.1.5:2222 (owner unknown)");
        f->sshd.cfg.found = false; /* facts_free must not see a half-built config */
        f->sshd.cfg.n_ports = 0;
        drop(f);
}

static void test_socket_checks_error_without_inventory(void **state)
{
        (void)state;
        struct facts *f = node();
        f->sockets.error = strdup("/host/proc/1/ns/net: No such file or directory");
        expect(check_ssh_exposed, f, ST_ERROR, "No such file");
        expect(net_wildcard_listeners, f, ST_ERROR, "/host/proc/1/ns/net");
        expect(check_net_kubelet_api_exposed, f, ST_ERROR, "could not be read");
        f->collected = FACT_PROCS;
        expect(check_ssh_exposed, f, ST_ERROR, "not collected");
        drop(f);
}

static void test_wildcard_listeners_allowlist(void **state)
{
        (void)state;
        struct facts *f = node();
        listen_on(f, IPPROTO_TCP, "::", 10250, "kubelet", 100);
        listen_on(f, IPPROTO_TCP, "0.0.0.0", 8162, "aws-network-pol", 200); /* comm is cut to 15 */
        listen_on(f, IPPROTO_TCP, "127.0.0.1", 9000, "debugger", 300);
        expect(net_wildcard_listeners, f, ST_PASS, "2 listeners on every address, all in the allowlist");
        listen_on(f, IPPROTO_TCP, "0.0.0.0", 8080, "python3", 400);
        listen_on(f, IPPROTO_UDP, "::", 5353, NULL, 0);
        expect(net_wildcard_listeners, f, ST_FAIL,
               "2 listeners on every address outside the allowlist: "
               "tcp 0.0.0.0:8080 (pid 400 python3); udp [::]:5353 (owner unknown)");
        policy.allow_listeners = calloc(3, sizeof(char *));
        policy.allow_listeners[0] = strdup("python3:8080");
        policy.n_allow_listeners = 1;
        expect(net_wildcard_listeners, f, ST_FAIL, "1 listener");
        policy.allow_listeners[1] = strdup("*:5353");
        policy.n_allow_listeners = 2;
        expect(net_wildcard_listeners, f, ST_PASS, NULL);
        policy_free(&policy);
        drop(f);
}

static void test_kubelet_api_names_the_addresses_it_faces(void **state)
{
        (void)state;
        struct facts *f = node();
        add_addr(f, "127.0.0.1", 8, 1, "lo");
        add_addr(f, "10.0.1.5", 24, 2, "eth0");
        add_addr(f, "fd00::5", 64, 2, "eth0");
        expect(check_net_kubelet_api_exposed, f, ST_PASS, "nothing listens");
        listen_on(f, IPPROTO_TCP, "127.0.0.1", 10250, "kubelet", 100);
        expect(check_net_kubelet_api_exposed, f, ST_PASS, "tcp 127.0.0.1:10250 (pid 100 kubelet)");
        listen_on(f, IPPROTO_TCP, "0.0.0.0", 10250, "kubelet", 100);
        expect(check_net_kubelet_api_exposed, f, ST_FAIL,
               "tcp 0.0.0.0:10250 (pid 100 kubelet) answers on 10.0.1.5/24 (eth0)");
        drop(f);
}

static void test_policy_engine_found_in_process_table(void **state)
{
        (void)state;
        struct facts *f = node();
        f->procs.v = calloc(2, sizeof(*f->procs.v));
        f->procs.n = 2;
        f->procs.v[0] = (struct proc_entry){.pid = 1, .comm = "systemd", .argv = calloc(1, sizeof(char *))};
        f->procs.v[1] = (struct proc_entry){.pid = 42, .comm = "aws-network-pol", .argv = calloc(2, sizeof(char *))};
        expect(check_net_policy_engine, f, ST_FAIL, "no network policy enforcer among 2 processes");
        f->procs.v[1].argv[0] = strdup("/usr/bin/aws-network-policy-agent");
        f->procs.v[1].argc = 1;
        expect(check_net_policy_engine, f, ST_PASS, "aws-network-policy-agent runs (pid 42)");
        f->procs_error = strdup("/host/proc: Permission denied");
        expect(check_net_policy_engine, f, ST_ERROR, "Permission denied");
        /* Where no kubelet was found there are no pods to police: skip, not fail. */
        free(f->procs_error);
        f->procs_error = NULL;
        free(f->procs.v[1].argv[0]);
        f->procs.v[1].argv[0] = NULL;
        f->procs.v[1].argc = 0;
        f->collected |= FACT_KUBELET;
        f->kubelet.found = true;
        expect(check_net_policy_engine, f, ST_FAIL, "no network policy enforcer among 2 processes");
        f->kubelet.found = false;
        expect(check_net_policy_engine, f, ST_SKIP, "not a Kubernetes node: no kubelet found");
        drop(f);
}

static void set_ro_port(struct facts *f, const char *json)
{
        for (int i = 0; i < KF__COUNT; i++) {
                struct kfield_value *v = &f->kubelet.f[i];
                cJSON_Delete(v->value);
                free(v->origin);
                const char *d = i == KF_READ_ONLY_PORT ? json : kfield_defs[i].cfg_default;
                v->value = d ? cJSON_Parse(d) : NULL;
                v->source = KSRC_FILE;
                v->origin = strdup("config file /etc/kubernetes/kubelet/config.json");
        }
}

static void test_read_only_listener_fails_whatever_the_config_says(void **state)
{
        (void)state;
        struct facts *f = node();
        f->collected |= FACT_KUBELET;
        f->kubelet.found = true;
        f->kubelet.found_by = strdup("process 100 (kubelet)");
        set_ro_port(f, "0");
        expect(check_kubelet_read_only_port, f, ST_PASS, "readOnlyPort=0 from config file");
        expect(check_kubelet_read_only_port, f, ST_PASS, "nothing listens on 10255");
        listen_on(f, IPPROTO_TCP, "0.0.0.0", 10255, "kubelet", 811);
        expect(check_kubelet_read_only_port, f, ST_FAIL,
               "readOnlyPort=0 from config file /etc/kubernetes/kubelet/"
               "config.json; tcp 0.0.0.0:10255 listening (pid 811 kubelet)");
        /* The configured port is looked at too, not just the well-known one. */
        drop(f);
        f = node();
        f->collected |= FACT_KUBELET;
        f->kubelet.found = true;
        set_ro_port(f, "10777");
        listen_on(f, IPPROTO_TCP, "::", 10777, "kubelet", 811);
        expect(check_kubelet_read_only_port, f, ST_FAIL, "tcp [::]:10777 listening (pid 811 kubelet)");
        drop(f);
        /* No kubelet found, but something serves 10255: still a failure, with the owner. */
        f = node();
        f->collected |= FACT_KUBELET;
        f->kubelet.absent_reason = strdup("no kubelet found");
        listen_on(f, IPPROTO_TCP, "0.0.0.0", 10255, "kubelet", 811);
        expect(check_kubelet_read_only_port, f, ST_FAIL, "tcp 0.0.0.0:10255 listening (pid 811 kubelet)");
        free(f->sockets.v);
        f->sockets.v = NULL;
        f->sockets.n = 0;
        expect(check_kubelet_read_only_port, f, ST_SKIP, "no kubelet found");
        drop(f);
        /* A copied root has no live listeners: the configuration alone decides, and says so. */
        f = node();
        f->collected |= FACT_KUBELET;
        f->kubelet.found = true;
        set_ro_port(f, "0");
        f->not_live = strdup("copied root, no live network: fixture/proc is a plain directory without 1/ns/net");
        f->sockets.error = strdup("not read: copied root, no live network");
        expect(check_kubelet_read_only_port, f, ST_PASS, "listeners not inspected: not read: copied root");
        drop(f);
}

static void test_read_only_port_is_an_error_without_the_listeners(void **state)
{
        (void)state;
        /* A live root whose listeners could not be read: port 0 in the files is no
         * proof nothing serves 10255. */
        struct facts *f = node();
        f->collected |= FACT_KUBELET;
        f->kubelet.found = true;
        set_ro_port(f, "0");
        f->sockets.error = strdup("/proc/1/ns/net: Permission denied");
        expect(check_kubelet_read_only_port, f, ST_ERROR,
               "; not evaluated: the listening sockets could not be read: /proc/1/ns/net: Permission denied");
        expect(check_kubelet_read_only_port, f, ST_ERROR, "readOnlyPort=0 from config file");
        /* The files enabling the port fail whatever the listeners. */
        set_ro_port(f, "10255");
        expect(check_kubelet_read_only_port, f, ST_FAIL, "unauthenticated read-only API enabled");
        drop(f);
}

static void test_policy_engine_is_an_error_without_the_process_table(void **state)
{
        (void)state;
        /* No process table: neither the enforcer nor the kubelet could be looked for. */
        struct facts *f = node();
        f->collected |= FACT_KUBELET;
        f->procs_error = strdup("/fixture/proc: No such file or directory");
        f->kubelet.absent_reason = strdup("no kubelet found");
        expect(check_net_policy_engine, f, ST_ERROR,
               "not evaluated: the process table could not be read: /fixture/proc: No such file or directory");
        drop(f);
}

static void test_allowlist_entries_and_file(void **state)
{
        (void)state;
        assert_true(allowlist_entry_valid("nginx:8080"));
        assert_true(allowlist_entry_valid("*:53"));
        assert_true(allowlist_entry_valid("node-exporter:*"));
        assert_false(allowlist_entry_valid("nginx"));
        assert_false(allowlist_entry_valid(":80"));
        assert_false(allowlist_entry_valid("nginx:65536"));
        assert_false(allowlist_entry_valid("nginx:-1"));
        assert_false(allowlist_entry_valid("nginx:80x"));
        assert_false(allowlist_entry_valid("two words:80"));
        char *dir = tu_mkdtemp(), path[4096];
        tu_write(dir, "allow", "# extras\n  nginx:8080  # the ingress\n\n*:5353\r\n");
        snprintf(path, sizeof(path), "%s/allow", dir);
        char **v = NULL, *err = NULL;
        size_t n = 0;
        assert_int_equal(allowlist_load_file(path, &v, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(v[0], "nginx:8080");
        assert_string_equal(v[1], "*:5353");
        tu_write(dir, "bad", "nginx:80\nnginx\n");
        snprintf(path, sizeof(path), "%s/bad", dir);
        assert_int_equal(allowlist_load_file(path, &v, &n, &err), -EINVAL);
        assert_non_null(strstr(err, "bad line 2: expected PROC:PORT"));
        free(err);
        assert_int_equal(allowlist_load_file(dir, &v, &n, &err), -EINVAL);
        assert_non_null(strstr(err, "not a regular file"));
        free(err);
        strv_free(v, n);
        tu_rm_rf(dir);
        free(dir);
}

/* The listener allowlist file: comments and blank lines skipped, and an error
 * names the line an editor shows (blank lines counted). */
static void test_allowlist_file_errors_name_the_right_line(void **state)
{
        (void)state;
        char good[] = "# nodes of group a\n\nnginx:80\n  *:9100  # node_exporter\r\n";
        char **v = NULL;
        size_t n = 0;
        char *err = NULL;
        assert_int_equal(allowlist_parse(good, "allow", &v, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(v[0], "nginx:80");
        assert_string_equal(v[1], "*:9100");
        strv_free(v, n);
        char bad[] = "# c\n\nnginx:80\n\nbad entry\n";
        v = NULL;
        n = 0;
        assert_int_equal(allowlist_parse(bad, "allow", &v, &n, &err), -EINVAL);
        assert_non_null(strstr(err, "allow line 5: "));
        free(err);
        strv_free(v, n);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sshd_beyond_loopback_fails_with_owner),
                cmocka_unit_test(test_ssh_exposed_on_sshds_configured_port),
                cmocka_unit_test(test_socket_checks_error_without_inventory),
                cmocka_unit_test(test_wildcard_listeners_allowlist),
                cmocka_unit_test(test_kubelet_api_names_the_addresses_it_faces),
                cmocka_unit_test(test_policy_engine_found_in_process_table),
                cmocka_unit_test(test_allowlist_file_errors_name_the_right_line),
                cmocka_unit_test(test_read_only_listener_fails_whatever_the_config_says),
                cmocka_unit_test(test_read_only_port_is_an_error_without_the_listeners),
                cmocka_unit_test(test_policy_engine_is_an_error_without_the_process_table),
                cmocka_unit_test(test_allowlist_entries_and_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
