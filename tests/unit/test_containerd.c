/* test_containerd: hosts.toml parsing, certs.d names, registry hosts of URLs and references, the
 * allowlist match, import resolution and the checks' verdicts on collected facts. */
#include "testutil.h"
#include "collect/facts.h"
#include "policy/policy.h"

#include "check.h"
#include "collect/node/containerd.h"
#include "collect/node/go_buildinfo.h"
#include "base/rootfs.h"
#include "base/util.h"

static void test_host_directory_names(void **state)
{
        (void)state;
        /* core/remotes/docker/config/hosts.go hostDirectory(): ":port" is stored as "_port_". */
        const char *cases[][2] = {{"docker.io", "docker.io"}, {"10.0.0.5_5000_", "10.0.0.5:5000"},
                                  {"_default", "_default"},   {"my_registry", "my_registry"},
                                  {"host_x_", "host_x_"},     {"a__", "a__"}};
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char *r = containerd_registry_from_dir(cases[i][0]);
                assert_string_equal(r, cases[i][1]);
                free(r);
        }
}

static void test_registry_host_of_urls_and_references(void **state)
{
        (void)state;
        const char *cases[][2] = {
                {"https://mirror.gcr.io/v2", "mirror.gcr.io"},
                {"http://10.0.0.5:5000", "10.0.0.5:5000"},
                {"nginx", "docker.io"},
                {"library/nginx:1.25", "docker.io"},
                {"localhost/kubernetes/pause:0.1.0", "localhost"},
                {"602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/pause:3.5",
                 "602401143452.dkr.ecr.us-west-2.amazonaws.com"},
                {"registry.k8s.io", "registry.k8s.io"},
                {"quay.io:443/x/y", "quay.io:443"},
                /* userinfo is not the host: to the last '@' before the path (a '/' or '@' may be in a password) */
                {"http://user:pa@ss@reg.example:5000/v2", "reg.example:5000"},
                {"https://reg.example/v2?next=a@evil.example", "reg.example"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char *h = containerd_url_host(cases[i][0]);
                assert_string_equal(h, cases[i][1]);
                free(h);
        }
        char *const allow[] = {"*.dkr.ecr.*.amazonaws.com", "Registry.K8s.io"};
        assert_true(containerd_registry_allowed("https://602401143452.dkr.ecr.us-west-2.amazonaws.com/v2", allow, 2));
        assert_true(containerd_registry_allowed("registry.k8s.io", allow, 2));
        assert_false(containerd_registry_allowed("https://dkr.ecr.evil.example.com", allow, 2));
        assert_false(containerd_registry_allowed("docker.io", allow, 2));
        char *const mine[] = {"reg.example:5000"};
        assert_true(containerd_registry_allowed("http://u:p@reg.example:5000", mine, 1));
}

static struct containerd_facts parse_hosts(const char *text, int want_r, char **ret_err)
{
        struct containerd_facts c;
        memset(&c, 0, sizeof(c));
        char *err = NULL;
        int r = containerd_parse_hosts(text, strlen(text), "/etc/containerd/certs.d/docker.io/hosts.toml", "docker.io",
                                       &c, &err);
        assert_int_equal(r < 0, want_r < 0);
        if (ret_err)
                *ret_err = err;
        else
                free(err);
        return c;
}

/* docs/hosts.md: hosts in file order, then the server; a scheme-less host gets https://. */
static void test_hosts_toml_order_and_fields(void **state)
{
        (void)state;
        struct containerd_facts c = parse_hosts("server = \"https://registry-1.docker.io\"\n"
                                                "[host.\"mirror.internal:5000\"]\n  skip_verify = false\n"
                                                "[host.\"http://10.0.0.5\"]\n  capabilities = [\"pull\", \"RESOLVE\"]\n"
                                                "  ca = [\"a.crt\"]\n",
                                                0, NULL);
        assert_int_equal(c.n_hosts, 3);
        assert_string_equal(c.hosts[0].url, "https://mirror.internal:5000");
        assert_int_equal(c.hosts[0].skip_verify, 0);
        assert_int_equal(c.hosts[0].origin.line, 3);
        assert_true(c.hosts[1].plain_http);
        assert_string_equal(c.hosts[1].capabilities, "pull,RESOLVE");
        assert_true(c.hosts[1].has_ca);
        assert_int_equal(c.hosts[1].skip_verify, -1);
        assert_string_equal(c.hosts[2].kind, "hosts.toml server");
        containerd_facts_free(&c);
}

/* Without server, top-level settings apply to the registry itself (docker.io is registry-1.docker.io). */
static void test_hosts_toml_without_server(void **state)
{
        (void)state;
        struct containerd_facts c = parse_hosts("skip_verify = true\n", 0, NULL);
        assert_int_equal(c.n_hosts, 1);
        assert_string_equal(c.hosts[0].url, "https://registry-1.docker.io");
        assert_int_equal(c.hosts[0].skip_verify, 1);
        assert_int_equal(c.hosts[0].origin.line, 1);
        containerd_facts_free(&c);
        c = parse_hosts("# nothing\n", 0, NULL);
        assert_int_equal(c.n_hosts, 0);
        containerd_facts_free(&c);
}

/* What containerd's decoder or parseHostConfig refuses makes it ignore the whole file. */
static void test_hosts_toml_rejections_add_nothing(void **state)
{
        (void)state;
        const char *bad[] = {
                "skip_verify = \"yes\"\n",
                "[host.\"https://a\"]\ncapabilities = [\"pull\", \"pwn\"]\n",
                "[host.\"https://a\"]\nca = 1\n",
                /* Capabilities read, then a bad ca: each host's fields are freed once (a fuzz find). */
                "[host.\"https://a\"]\ncapabilities = [\"pull\"]\nca.x = \"c.crt\"\n",
                "server = 5\n",
                "host = 1\n",
                "[host]\n\"https://a\" = 1\n",
                "[host.\"https://a\"]\nskip_verify = true\n[host.\"https://a\"]\n",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                char *err = NULL;
                struct containerd_facts c = parse_hosts(bad[i], -1, &err);
                assert_int_equal(c.n_hosts, 0);
                assert_non_null(strstr(err, "hosts.toml line"));
                free(err);
                containerd_facts_free(&c);
        }
}

static struct containerd_facts collect(const char *root_dir)
{
        struct rootfs root;
        assert_int_equal(rootfs_open_root(root_dir, &root), 0);
        struct containerd_facts c;
        containerd_collect(&root, &c);
        rootfs_close(&root);
        return c;
}

/* Imports: relative to the importing file, globs sorted, cycles loaded once (config.go LoadConfig). */
static void test_imports_relative_globbed_and_cycles(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        tu_write(root, "etc/containerd/config.toml",
                 "version = 2\nimports = [\"./d/*.toml\", \"config.toml\", \"d/x/../../d/./10-a.toml\"]\n");
        tu_write(root, "etc/containerd/d/20-b.toml",
                 "imports = [\"../config.toml\", \"/etc/containerd/d/10-a.toml\"]\n");
        tu_write(root, "etc/containerd/d/10-a.toml", "version = 2\n");
        tu_write(root, "etc/containerd/d/skip.conf", "not toml = = \n");
        struct containerd_facts c = collect(root);
        assert_null(c.error);
        assert_int_equal(c.n_files, 3);
        assert_string_equal(c.files[1], "/etc/containerd/d/10-a.toml");
        assert_string_equal(c.files[2], "/etc/containerd/d/20-b.toml");
        containerd_facts_free(&c);
        tu_rm_rf(root);
        free(root);
}

/* An import through a symlink out of the root reads the root's file, never the host's. */
static void test_import_symlink_stays_in_root(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        tu_write(root, "etc/containerd/config.toml", "version = 2\nimports = [\"/etc/containerd/evil.toml\"]\n");
        tu_symlink(root, "etc/containerd/evil.toml", "/etc/passwd");
        struct containerd_facts c = collect(root);
        assert_non_null(c.error);
        assert_non_null(strstr(c.error, "/etc/containerd/evil.toml"));
        containerd_facts_free(&c);
        tu_rm_rf(root);
        free(root);
}

/* --allow-registries: comments, blank lines counted in line numbers, no URLs, only a regular file. */
static void test_allowlist_file(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp();
        tu_write(dir, "ok", "# approved\n\n*.dkr.ecr.*.amazonaws.com  # ECR\n\tregistry.k8s.io\n");
        char *path = NULL, *err = NULL;
        assert_true(asprintf(&path, "%s/ok", dir) > 0);
        char **v = NULL;
        size_t n = 0;
        assert_int_equal(containerd_allowlist_load(path, &v, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(v[0], "*.dkr.ecr.*.amazonaws.com");
        assert_string_equal(v[1], "registry.k8s.io");
        strv_free(v, n);
        free(path);
        tu_write(dir, "bad", "# x\n\nregistry.k8s.io\nhttps://quay.io\n");
        assert_true(asprintf(&path, "%s/bad", dir) > 0);
        v = NULL, n = 0;
        assert_true(containerd_allowlist_load(path, &v, &n, &err) < 0);
        assert_non_null(strstr(err, "bad line 4: expected a registry host"));
        free(err);
        strv_free(v, n);
        free(path);
        assert_true(asprintf(&path, "%s/fifo", dir) > 0);
        assert_int_equal(mkfifo(path, 0600), 0);
        v = NULL, n = 0;
        assert_true(containerd_allowlist_load(path, &v, &n, &err) < 0);
        assert_non_null(strstr(err, "not a regular file"));
        free(err);
        strv_free(v, n);
        free(path);
        tu_rm_rf(dir);
        free(dir);
}

/* A hosts.toml containerd cannot read fails that registry's pulls; nodeward says so. */
static void test_unreadable_hosts_toml_is_a_warning(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        tu_write(
                root, "etc/containerd/config.toml",
                "version = 3\n[plugins.'io.containerd.cri.v1.images'.registry]\nconfig_path = '/etc/containerd/certs.d'\n");
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/etc/containerd/certs.d/quay.io/hosts.toml", root);
        tu_mkdirs(dir);
        struct containerd_facts c = collect(root);
        assert_null(c.error);
        assert_int_equal(c.n_warnings, 1);
        assert_non_null(strstr(c.warnings[0], "/etc/containerd/certs.d/quay.io/hosts.toml"));
        assert_non_null(strstr(c.warnings[0], "cannot pull from quay.io"));
        containerd_facts_free(&c);
        tu_rm_rf(root);
        free(root);
}

static void run_check(check_fn fn, const struct facts *f, enum status want, const char *needle)
{
        struct result r = {0};
        fn(f, &r);
        if (r.status != want)
                fail_msg("status %s, want %s: %s", status_name(r.status), status_name(want), r.evidence);
        if (needle && !strstr(r.evidence, needle))
                fail_msg("evidence lacks \"%s\": %s", needle, r.evidence);
        free(r.evidence);
}

/* With no --allow-registries: a policy that approves nothing and gives no registry list. */
static void registry_allowlist_without_policy(const struct facts *f, struct result *r)
{
        static const struct policy none;
        check_containerd_registry_allowlist(f, &none, r);
}

static void test_checks_skip_without_config_and_error_on_broken(void **state)
{
        (void)state;
        struct facts f = {0};
        f.root_path = "/host";
        f.containerd.socket_path = CONTAINERD_SOCKET;
        run_check(check_containerd_registry_tls_verify, &f, ST_SKIP, "no /etc/containerd/config.toml under /host");
        run_check(check_containerd_socket_permissions, &f, ST_SKIP, "containerd is not running");
        run_check(registry_allowlist_without_policy, &f, ST_SKIP, "--allow-registries");
        f.containerd.error = "/etc/containerd/config.toml line 4: duplicate key \"version\"";
        run_check(check_containerd_registry_plain_http, &f, ST_ERROR, "line 4");
        run_check(check_containerd_unprivileged_ports, &f, ST_ERROR, NULL);
}

static void test_unparsable_hosts_toml_warns(void **state)
{
        (void)state;
        struct facts f = {0};
        f.root_path = "/host";
        f.containerd.found = true;
        f.containerd.registry_plugin = "io.containerd.grpc.v1.cri";
        char *w[] = {
                "/etc/containerd/certs.d/x/hosts.toml line 2: duplicate key \"server\" (containerd logs this and ignores the file)"};
        f.containerd.warnings = w;
        f.containerd.n_warnings = 1;
        run_check(check_containerd_registry_tls_verify, &f, ST_WARN, "ignores the file");
}

struct mem {
        const uint8_t *buf;
};

static int mem_pread(void *ctx, void *buf, size_t n, uint64_t off)
{
        memcpy(buf, ((struct mem *)ctx)->buf + off, n);
        return 0;
}

/* containerd's Makefile links the version in with -X (quoted as cmd/go records -ldflags); a
 * `go install`ed containerd has the module version; a build from a checkout has "(devel)". */
static void test_containerd_version_from_go_build_info(void **state)
{
        (void)state;
        static const struct {
                const char *modinfo, *want;
        } cases[] = {
                {"path\tgithub.com/containerd/containerd/v2/cmd/containerd\nmod\tgithub.com/containerd/containerd/v2\t(devel)\t\n"
                 "build\t-ldflags=\"-s -w -X \\\"github.com/containerd/containerd/v2/version.Version=v2.0.4\\\" -X "
                 "\\\"github.com/containerd/containerd/v2/version.Revision=1a43cb6a\\\"\"\n",
                 "v2.0.4"},
                {"path\tgithub.com/containerd/containerd/cmd/containerd\n"
                 "build\t-ldflags=-X github.com/containerd/containerd/version.Version=1.7.27 -X "
                 "github.com/containerd/containerd/version.Package=github.com/containerd/containerd\n",
                 "1.7.27"},
                {"path\tgithub.com/containerd/containerd/cmd/containerd\nmod\tgithub.com/containerd/containerd\tv1.7.20\th1:x=\n",
                 "v1.7.20"},
                {"path\tgithub.com/containerd/containerd/v2/cmd/containerd\nmod\tgithub.com/containerd/containerd/v2\t(devel)\t\n",
                 NULL},
                /* Another package's Version, and a name that only ends like containerd's. */
                {"build\t-ldflags=-X github.com/docker/cli/cli/version.Version=28.2.2 -X "
                 "evil/github.com/containerd/containerd/version.Version=9.9\n",
                 NULL},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                uint8_t elf[4096];
                size_t n = tu_go_elf(elf, sizeof(elf), "go1.23.8", cases[i].modinfo);
                struct mem m = {elf};
                struct go_reader rd = {.pread = mem_pread, .ctx = &m, .size = n};
                char *gover = NULL, *mod = NULL;
                assert_int_equal(go_buildinfo_read(&rd, &gover, &mod), 0);
                assert_string_equal(gover, "go1.23.8");
                assert_string_equal(mod, cases[i].modinfo); /* the sentinels are gone */
                char *v = containerd_version_from_modinfo(mod);
                if (cases[i].want)
                        assert_string_equal(v, cases[i].want);
                else
                        assert_null(v);
                free(v);
                free(gover);
                free(mod);
        }
}

/* Every read stays inside the file; damaged headers are errors, never reads beyond. */
static void test_go_build_info_rejects_damage(void **state)
{
        (void)state;
        uint8_t elf[4096];
        size_t n = tu_go_elf(elf, sizeof(elf), "go1.22.0", "path\tx\n");
        char *g = NULL, *m = NULL;
        struct mem mm = {elf};
        for (size_t cut = 0; cut < n; cut++) {
                struct go_reader rd = {.pread = mem_pread, .ctx = &mm, .size = cut};
                int r = go_buildinfo_read(&rd, &g, &m);
                assert_true(r < 0);
        }
        /* The pre-Go 1.18 layout (pointers into the data segment) is not read. */
        uint8_t sec[256];
        size_t sl = tu_go_buildinfo(sec, sizeof(sec), "go1.17", "path\tx\n");
        sec[15] = 0;
        assert_int_equal(go_buildinfo_parse(sec, sl, &g, &m), -ENOTSUP);
        sec[15] = 2;
        assert_int_equal(go_buildinfo_parse(sec, sl - 1, &g, &m), -EBADMSG); /* the module text cut */
        sec[32] = 0xff;                                                      /* a length past the end */
        assert_int_equal(go_buildinfo_parse(sec, sl, &g, &m), -EBADMSG);
        /* Not ELF, and a 32-bit ELF file. */
        struct go_reader rd = {.pread = mem_pread, .ctx = &mm, .size = n};
        elf[4] = 1;
        assert_int_equal(go_buildinfo_read(&rd, &g, &m), -ENOEXEC);
        elf[4] = 2;
        elf[0x3c] = 0xff; /* more section headers than the file holds */
        assert_int_equal(go_buildinfo_read(&rd, &g, &m), -EBADMSG);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_host_directory_names),
                cmocka_unit_test(test_registry_host_of_urls_and_references),
                cmocka_unit_test(test_hosts_toml_order_and_fields),
                cmocka_unit_test(test_hosts_toml_without_server),
                cmocka_unit_test(test_hosts_toml_rejections_add_nothing),
                cmocka_unit_test(test_imports_relative_globbed_and_cycles),
                cmocka_unit_test(test_import_symlink_stays_in_root),
                cmocka_unit_test(test_checks_skip_without_config_and_error_on_broken),
                cmocka_unit_test(test_unparsable_hosts_toml_warns),
                cmocka_unit_test(test_allowlist_file),
                cmocka_unit_test(test_unreadable_hosts_toml_is_a_warning),
                cmocka_unit_test(test_containerd_version_from_go_build_info),
                cmocka_unit_test(test_go_build_info_rejects_damage),
        };
        return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
