/* test_boot_gate: the boot check and the kubelet gate under a real systemd. A
 * Debian 12 root (tests/boot/mkroot.sh, cached in build/boot/) boots with
 * systemd-nspawn -b; stand-ins of the units that write the kubelet's configuration
 * (AL2023 nodeadm-config.service, AL2 cloud-final.service running bootstrap.sh)
 * and of kubelet.service are installed beside `make install DESTDIR=`'s units
 * (tests/boot/scene.sh). Unit semantics modelled on awslabs/amazon-eks-ami
 * templates/al2023/runtime/rootfs/etc/systemd/system/ and
 * templates/al2/runtime/bootstrap.sh (its closing `systemctl start kubelet`). */
#include "fleet.h"

#define BOOT_ROOT "build/boot/debian12"

static int setup(void **state)
{
        fl_setup(state);
        if (geteuid() != 0) {
                fprintf(stderr, "test_boot_gate: needs root (debootstrap, mounts, systemd-nspawn)\n");
                return -1;
        }
        fl_need_tool("systemd-nspawn");
        fl_need_tool("debootstrap");
        char *err = NULL;
        int rc = fl_sh("sh tests/boot/mkroot.sh " BOOT_ROOT, NULL, &err);
        if (rc != 0) {
                fprintf(stderr, "test_boot_gate: cannot make the Debian root to boot (exit %d): %s\n", rc, err);
                return -1;
        }
        free(err);
        return 0;
}

struct unit {
        char active[32], result[32];
        int status;
        unsigned long long start, exit, entered; /* CLOCK_MONOTONIC, µs; 0: never */
};

struct scene {
        char dir[4200];
        struct unit boot, gate, kubelet, nodeadm, cloud_final;
};

static char *slurp(const struct scene *s, const char *name)
{
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", s->dir, name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        char *t = tu_read_fd(fd);
        close(fd);
        return t;
}

static void parse_show(struct scene *s)
{
        char *t = slurp(s, "show.txt");
        assert_non_null(t);
        /* `systemctl show` prints the properties in its own order, a blank line between units. */
        for (char *blk = t, *next; blk && *blk; blk = next) {
                next = strstr(blk, "\n\n");
                if (next)
                        *next = '\0', next += 2;
                struct unit u = {0};
                char id[64] = "";
                for (char *save = NULL, *l = strtok_r(blk, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                        sscanf(l, "Id=%63s", id);
                        sscanf(l, "ActiveState=%31s", u.active);
                        sscanf(l, "Result=%31s", u.result);
                        sscanf(l, "ExecMainStatus=%d", &u.status);
                        sscanf(l, "ExecMainStartTimestampMonotonic=%llu", &u.start);
                        sscanf(l, "ExecMainExitTimestampMonotonic=%llu", &u.exit);
                        sscanf(l, "ActiveEnterTimestampMonotonic=%llu", &u.entered);
                }
                struct unit *dst = !strcmp(id, "nodeward-boot.service")    ? &s->boot
                                   : !strcmp(id, "nodeward-gate.service")  ? &s->gate
                                   : !strcmp(id, "kubelet.service")        ? &s->kubelet
                                   : !strcmp(id, "nodeadm-config.service") ? &s->nodeadm
                                   : !strcmp(id, "cloud-final.service")    ? &s->cloud_final
                                                                           : NULL;
                if (dst)
                        *dst = u;
        }
        free(t);
}

/* Boot @name (tests/boot/scene.sh) and read what systemd did. */
static void boot(const char *name, struct scene *s)
{
        memset(s, 0, sizeof(*s));
        snprintf(s->dir, sizeof(s->dir), "%s/%s", scratch, name);
        char build[4096], cmd[16384], *out, *err;
        snprintf(build, sizeof(build), "%s", tu_nodeward());
        *strrchr(build, '/') = '\0';
        /* Under make valgrind NODEWARD is a wrapper; the unit runs the binary beside it. */
        snprintf(cmd, sizeof(cmd),
                 "BOOT_ROOT=" BOOT_ROOT " NODEWARD_BUILD='%s' BOOT_TIMEOUT=120 sh tests/boot/scene.sh %s '%s'", build,
                 name, s->dir);
        int rc = fl_sh(cmd, &out, &err);
        if (rc != 0)
                fail_msg("%s: exit %d\n%s%s", cmd, rc, out, err);
        free(out);
        free(err);
        char *state = slurp(s, "state.txt"), *jobs = slurp(s, "jobs.txt");
        printf("%s: %s", name, state);
        /* Booted to the end: nothing waits (a deadlock would leave jobs behind). */
        if (!strstr(state, "boot: running") && !strstr(state, "boot: degraded"))
                fail_msg("%s: the container did not finish booting: %s%s", name, state, jobs);
        assert_non_null(strstr(jobs, "No jobs running."));
        free(state);
        free(jobs);
        parse_show(s);
}

static bool has(const struct scene *s, const char *file, const char *needle)
{
        char *t = slurp(s, file);
        bool r = t && strstr(t, needle);
        free(t);
        return r;
}

static int count(const struct scene *s, const char *file, const char *needle)
{
        char *t = slurp(s, file);
        int n = 0;
        for (const char *p = t; p && (p = strstr(p, needle)); p += strlen(needle))
                n++;
        free(t);
        return n;
}

/* Both units wrote their JSON report into the state directory (the 219 units can
 * write nothing else), mode 0640 through UMask=0027. */
static void assert_reports(const struct scene *s)
{
        static const char *const files[] = {"report.json", "gate.json"};
        for (size_t i = 0; i < 2; i++) {
                char *t = slurp(s, files[i]);
                if (!t)
                        fail_msg("%s: no /var/lib/nodeward/%s", s->dir, files[i]);
                cJSON *j = cJSON_Parse(t);
                assert_non_null(j);
                assert_string_equal(cJSON_GetObjectItem(j, "schema")->valuestring, "nodeward.report/v1");
                cJSON_Delete(j);
                free(t);
        }
        assert_true(has(s, "state-dir.txt", "-rw-r----- 1 0 0"));
}

/* Both nodeward units ran once, after the unit that wrote the configuration
 * finished, and the capability drop worked under the units' filter. */
static void assert_ran_after(const struct scene *s, const struct unit *writer, const char *writer_name)
{
        assert_true(writer->exit > 0);
        if (s->boot.start <= writer->exit || s->gate.start <= writer->exit)
                fail_msg("ordering: %s ran %llu..%llu, nodeward-boot started %llu, nodeward-gate %llu", writer_name,
                         writer->start, writer->exit, s->boot.start, s->gate.start);
        assert_int_equal(count(s, "gate.txt", "Starting nodeward-gate.service"), 1);
        assert_int_equal(count(s, "boot.txt", "Starting nodeward-boot.service"), 1);
        assert_false(has(s, "gate.txt", "could not drop capabilities"));
        assert_false(has(s, "boot.txt", "could not drop capabilities"));
        assert_reports(s);
}

static void assert_kubelet_blocked(const struct scene *s)
{
        assert_string_equal(s->gate.active, "failed");
        assert_string_equal(s->kubelet.active, "inactive");
        assert_int_equal(s->kubelet.start, 0);
        assert_false(has(s, "kubelet.started", ""));
        assert_true(has(s, "kubelet.txt", "Dependency failed for kubelet.service"));
}

static void test_al2023_failing_root_blocks_the_kubelet(void **state)
{
        (void)state;
        struct scene s;
        boot("al2023-fail", &s);
        assert_ran_after(&s, &s.nodeadm, "nodeadm-config.service");
        assert_int_equal(s.gate.status, 1); /* a high check failed */
        assert_true(has(&s, "gate.txt", "FAIL  high     kubelet.read-only-port"));
        assert_kubelet_blocked(&s);
}

static void test_al2023_unreadable_config_blocks_the_kubelet(void **state)
{
        (void)state;
        struct scene s;
        boot("al2023-error", &s);
        assert_ran_after(&s, &s.nodeadm, "nodeadm-config.service");
        assert_int_equal(s.gate.status, 2); /* could not evaluate: not a success */
        assert_true(has(&s, "gate.txt", "ERROR high     kubelet.read-only-port"));
        assert_kubelet_blocked(&s);
}

static void test_al2023_passing_root_starts_the_kubelet(void **state)
{
        (void)state;
        struct scene s;
        boot("al2023-pass", &s);
        assert_ran_after(&s, &s.nodeadm, "nodeadm-config.service");
        assert_string_equal(s.gate.active, "active");
        assert_int_equal(s.gate.status, 0);
        assert_string_equal(s.kubelet.active, "active");
        assert_true(s.kubelet.start >= s.gate.exit);
        assert_true(has(&s, "kubelet.started", "--config=/etc/kubernetes/kubelet/config.json"));
        /* The boot unit's IPAddressAllow= lets the metadata service, the resolvers and
         * the VPC ranges through, and nothing else. */
        static const char *const ip[] = {"127.0.0.1 Connection refused\n",       "169.254.169.254 Connection refused\n",
                                         "169.254.169.253 Connection refused\n", "10.0.0.2 Connection refused\n",
                                         "172.31.0.2 Connection refused\n",      "fd00:ec2::254 Connection refused\n",
                                         "fd00:ec2::253 Connection refused\n",   "8.8.8.8 dropped\n",
                                         "2001:4860:4860::8888 dropped\n"};
        for (size_t i = 0; i < sizeof(ip) / sizeof(ip[0]); i++)
                if (!has(&s, "ipfilter.txt", ip[i]))
                        fail_msg("IPAddressAllow=: want \"%.*s\", got:\n%s", (int)strlen(ip[i]) - 1, ip[i],
                                 slurp(&s, "ipfilter.txt"));
        /* The same binary under the filter the units had before they allowed capset
         * (systemd-run in the booted container): loud, exit 2. */
        if (!has(&s, "denied.txt", "nodeward: error: could not drop capabilities: capset: Operation not permitted") ||
            !has(&s, "denied.txt", "rc=2"))
                fail_msg("under SystemCallFilter=~@privileged: %s", slurp(&s, "denied.txt"));
}

static void test_al2_bootstrap_starts_the_gated_kubelet_without_deadlock(void **state)
{
        (void)state;
        struct scene s;
        boot("al2-pass", &s);
        /* bootstrap.sh's blocking `systemctl start kubelet` returned: cloud-final
         * finished, after the kubelet started, which started after the gate. */
        assert_string_equal(s.cloud_final.active, "active");
        assert_true(has(&s, "bootstrap-done", "."));
        assert_string_equal(s.kubelet.active, "active");
        assert_true(s.gate.start > s.cloud_final.start && s.gate.exit <= s.kubelet.start &&
                    s.kubelet.start <= s.cloud_final.exit);
        assert_int_equal(s.gate.status, 0);
        assert_int_equal(count(&s, "gate.txt", "Starting nodeward-gate.service"), 1);
        /* The boot check (report only) waits for cloud-final to finish. */
        assert_true(s.boot.start > s.cloud_final.exit);
        assert_false(has(&s, "gate.txt", "could not drop capabilities"));
        assert_reports(&s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_al2023_failing_root_blocks_the_kubelet),
                cmocka_unit_test(test_al2023_unreadable_config_blocks_the_kubelet),
                cmocka_unit_test(test_al2023_passing_root_starts_the_kubelet),
                cmocka_unit_test(test_al2_bootstrap_starts_the_gated_kubelet_without_deadlock),
        };
        return cmocka_run_group_tests(tests, setup, fl_teardown);
}
