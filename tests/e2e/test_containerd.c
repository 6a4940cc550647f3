/* test_containerd: the containerd checks and `explain containerd` run by the real binary on the AL2,
 * AL2023 and Bottlerocket fixture roots and on copies of them changed as operators change nodes. */
#include "testutil.h"

#include <sys/socket.h>
#include <sys/un.h>

/* Scratch roots carry this part's prefix; the group teardown removes them. */
static char *scratch_copy(const char *fixture)
{
        char *t = strdup("/tmp/nwct-ctrd.XXXXXX");
        assert_non_null(mkdtemp(t));
        if (tu_n_scratch < TU_MAX_SCRATCH)
                snprintf(tu_scratch[tu_n_scratch++], sizeof(tu_scratch[0]), "%s", t);
        if (fixture) {
                char src[4096];
                snprintf(src, sizeof(src), "%s/%s", tu_fixtures(), fixture);
                tu_copy_tree(src, t);
        }
        return t;
}

static char *fixture(const char *name)
{
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", tu_fixtures(), name) > 0);
        return p;
}

/* `nodeward check --only containerd --format json` with @extra arguments. */
static cJSON *check(const char *root, const char *extra1, const char *extra2, int *ret_rc)
{
        char *argv[] = {(char *)tu_nodeward(),
                        "check",
                        "--root",
                        (char *)root,
                        "--only",
                        "containerd",
                        "--format",
                        "json",
                        (char *)extra1,
                        (char *)extra2,
                        NULL};
        char *out = NULL, *err = NULL;
        int rc = tu_run(argv, &out, &err);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("no JSON (exit %d): %s %s", rc, out, err);
        free(out);
        free(err);
        if (ret_rc)
                *ret_rc = rc;
        return j;
}

static cJSON *explain(const char *root, int *ret_rc, char **ret_err)
{
        char *argv[] = {(char *)tu_nodeward(), "explain", "containerd", "--root", (char *)root, NULL};
        char *out = NULL;
        int rc = tu_run(argv, &out, ret_err);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("explain printed no JSON (exit %d): %s", rc, out);
        free(out);
        *ret_rc = rc;
        return j;
}

static const char *jstr(const cJSON *o, const char *k)
{
        const cJSON *v = cJSON_GetObjectItem(o, k);
        return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* amazon-eks-ami's AL2 template: config_path with no host directories, nothing insecure;
 * enable_unprivileged_* are containerd 1.x's default, off. */
static void test_al2_template_passes(void **state)
{
        (void)state;
        char *root = fixture("eks-al2-node");
        int rc;
        cJSON *j = check(root, NULL, NULL, &rc);
        tu_assert_result(
                j, "containerd.registry-tls-verify", "pass",
                "config_path /etc/containerd/certs.d:/etc/docker/certs.d (/etc/containerd/config.toml line 17)");
        tu_assert_result(j, "containerd.registry-plain-http", "pass", "0 registry host(s)");
        tu_assert_result(j, "containerd.registry-allowlist", "skip", "--allow-registries");
        tu_assert_result(j, "containerd.socket-permissions", "skip", "/run/containerd/containerd.sock");
        tu_assert_result(j, "containerd.unprivileged-ports", "pass",
                         "enable_unprivileged_ports=false (default of containerd 1.x)");
        tu_assert_result(j, "containerd.unprivileged-ports", "pass",
                         "(config version 2: containerd 1.x semantics assumed)");
        assert_int_equal(rc, 0);
        cJSON_Delete(j);
        char *err = NULL;
        cJSON *e = explain(root, &rc, &err);
        assert_string_equal(jstr(e, "semantics"), "config version 2: containerd 1.x semantics assumed");
        cJSON_Delete(e);
        free(err);
        free(root);
}

/* nodeadm's containerd 2.x template and docs/hosts.md's docker.io mirror: three hosts in
 * file order with the server last (hosts.go parseHostsFile), unprivileged ports on by default. */
static void test_al2023_hosts_toml_resolved_with_origins(void **state)
{
        (void)state;
        char *root = fixture("eks-al2023-node");
        int rc;
        char *err = NULL;
        cJSON *e = explain(root, &rc, &err);
        assert_int_equal(rc, 0);
        assert_int_equal(cJSON_GetObjectItem(e, "version")->valueint, 3);
        assert_string_equal(jstr(e, "semantics"), "config version 3: containerd 2.x semantics assumed");
        assert_string_equal(jstr(e, "registry_plugin"), "io.containerd.cri.v1.images");
        const cJSON *hosts = cJSON_GetObjectItem(e, "hosts");
        assert_int_equal(cJSON_GetArraySize(hosts), 3);
        assert_string_equal(jstr(cJSON_GetArrayItem(hosts, 0), "url"), "https://public-mirror.example.com");
        assert_string_equal(jstr(cJSON_GetArrayItem(hosts, 0), "capabilities"), "pull");
        assert_string_equal(jstr(cJSON_GetArrayItem(hosts, 1), "origin"),
                            "/etc/containerd/certs.d/docker.io/hosts.toml line 5");
        assert_string_equal(jstr(cJSON_GetArrayItem(hosts, 2), "kind"), "hosts.toml server");
        const cJSON *ports = cJSON_GetObjectItem(e, "enable_unprivileged_ports");
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(ports, "value")));
        assert_string_equal(jstr(ports, "origin"), "default");
        cJSON_Delete(e);
        free(err);
        cJSON *j = check(root, NULL, NULL, &rc);
        tu_assert_result(j, "containerd.registry-tls-verify", "pass", "3 registry host(s)");
        tu_assert_result(j, "containerd.unprivileged-ports", "pass",
                         "enable_unprivileged_ports=true (default of containerd 2.x)");
        cJSON_Delete(j);
        free(root);
}

static char *write_allowlist(const char *dir, const char *content)
{
        tu_write(dir, "allow-registries", content);
        char *p = NULL;
        assert_true(asprintf(&p, "%s/allow-registries", dir) > 0);
        return p;
}

static void test_allowlist_names_unapproved_mirrors_and_sandbox(void **state)
{
        (void)state;
        char *root = fixture("eks-al2023-node"), *dir = scratch_copy(NULL);
        char *allow = write_allowlist(
                dir, "# ECR and Docker Hub only\n*.dkr.ecr.*.amazonaws.com\nregistry-1.docker.io\ndocker.io\n");
        int rc;
        cJSON *j = check(root, "--allow-registries", allow, &rc);
        tu_assert_result(j, "containerd.registry-allowlist", "fail", "https://public-mirror.example.com");
        tu_assert_result(j, "containerd.registry-allowlist", "fail", "https://docker-mirror.internal");
        const cJSON *r = tu_result(j, "containerd.registry-allowlist");
        assert_null(strstr(cJSON_GetObjectItem(r, "evidence")->valuestring, "sandbox"));
        assert_int_equal(rc, 1);
        cJSON_Delete(j);
        free(allow);
        allow = write_allowlist(dir, "*.dkr.ecr.*.amazonaws.com\n*docker.io\n*.example.com\ndocker-mirror.internal\n");
        j = check(root, "--allow-registries", allow, &rc);
        tu_assert_result(j, "containerd.registry-allowlist", "pass", "602401143452.dkr.ecr.us-west-2.amazonaws.com");
        assert_int_equal(rc, 0);
        cJSON_Delete(j);
        free(allow);
        /* Bottlerocket's sandbox image comes from localhost; not approved, it is named. */
        char *br = fixture("bottlerocket-node");
        allow = write_allowlist(dir, "mirror.gcr.io\ndocker.io\n");
        j = check(br, "--allow-registries", allow, &rc);
        tu_assert_result(
                j, "containerd.registry-allowlist", "fail",
                "sandbox image localhost/kubernetes/pause:0.1.0 from localhost (/etc/containerd/config.toml line 18)");
        cJSON_Delete(j);
        free(allow);
        free(br);
        /* A malformed allowlist is a usage error. */
        allow = write_allowlist(dir, "https://registry.example.com/v2\n");
        char *argv[] = {(char *)tu_nodeward(), "check", "--root", root, "--allow-registries", allow, NULL};
        char *err = NULL;
        assert_int_equal(tu_run(argv, NULL, &err), 2);
        assert_non_null(strstr(err, "line 1: expected a registry host[:port]"));
        free(err);
        free(allow);
        free(dir);
        free(root);
}

/* containerd docs/hosts.md's insecure example (an http:// host with skip_verify) in certs.d, the directory
 * named host_port_ as hosts.go hostDirectory() names it. */
static void test_insecure_hosts_toml_fails_with_file_and_line(void **state)
{
        (void)state;
        char *root = scratch_copy("eks-al2023-node");
        tu_write(root, "etc/containerd/certs.d/192.168.31.250_5000_/hosts.toml",
                 "server = \"https://registry-1.docker.io\"\n\n[host.\"http://192.168.31.250:5000\"]\n"
                 "  capabilities = [\"pull\", \"resolve\", \"push\"]\n  skip_verify = true\n");
        int rc;
        cJSON *j = check(root, NULL, NULL, &rc);
        tu_assert_result(j, "containerd.registry-tls-verify", "fail",
                         "http://192.168.31.250:5000 for 192.168.31.250:5000 skips TLS verification (hosts.toml host, "
                         "/etc/containerd/certs.d/192.168.31.250_5000_/hosts.toml line 5)");
        tu_assert_result(j, "containerd.registry-plain-http", "fail",
                         "http://192.168.31.250:5000 for 192.168.31.250:5000 is plain HTTP");
        assert_int_equal(rc, 1);
        cJSON_Delete(j);
        free(root);
}

/* The first config_path root wins, and its _default serves every registry before a later root's
 * host directory is looked at (internal/cri/server/images/image_pull.go hostDirFromRoots). */
static void test_later_config_path_root_is_shadowed(void **state)
{
        (void)state;
        char *root = scratch_copy("eks-al2023-node");
        tu_write(root, "etc/containerd/certs.d/_default/hosts.toml", "server = \"https://mirror.example.com\"\n");
        tu_write(root, "etc/docker/certs.d/quay.io/hosts.toml", "server = \"http://quay.example.com\"\n");
        int rc;
        cJSON *j = check(root, NULL, NULL, &rc);
        tu_assert_result(j, "containerd.registry-plain-http", "pass", NULL);
        cJSON_Delete(j);
        char *err = NULL;
        cJSON *e = explain(root, &rc, &err);
        char *w = cJSON_PrintUnformatted(cJSON_GetObjectItem(e, "warnings"));
        assert_non_null(strstr(w, "/etc/docker/certs.d/quay.io: not used"));
        free(w);
        cJSON_Delete(e);
        free(err);
        free(root);
}

/* AL2's template imports every .toml file in /etc/containerd/config.d. containerd 1.x replaces a plugin's whole
 * section with the imported one (services/server/config/config.go mergeConfig, v1.7), so the
 * import's mirrors count and the main file's config_path is gone. */
static void test_al2_import_replaces_cri_section(void **state)
{
        (void)state;
        char *root = scratch_copy("eks-al2-node");
        tu_write(root, "etc/containerd/config.d/50-mirror.toml",
                 "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"docker.io\"]\n"
                 "endpoint = [\"http://10.0.0.5:5000\", \"https://mirror.gcr.io\"]\n"
                 "[plugins.\"io.containerd.grpc.v1.cri\".registry.configs.\"10.0.0.5:5000\".tls]\n"
                 "insecure_skip_verify = true\n");
        int rc;
        char *err = NULL;
        cJSON *e = explain(root, &rc, &err);
        assert_int_equal(rc, 0);
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(e, "files")), 2);
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "config_path"), "value")));
        assert_string_equal(jstr(cJSON_GetObjectItem(e, "sandbox_image"), "origin"), "default");
        cJSON_Delete(e);
        free(err);
        cJSON *j = check(root, NULL, NULL, &rc);
        tu_assert_result(j, "containerd.registry-plain-http", "fail",
                         "http://10.0.0.5:5000 for docker.io is plain HTTP (mirror endpoint, "
                         "/etc/containerd/config.d/50-mirror.toml line 3)");
        tu_assert_result(j, "containerd.registry-tls-verify", "fail",
                         "https://10.0.0.5:5000 for 10.0.0.5:5000 skips TLS verification (registry configs, "
                         "/etc/containerd/config.d/50-mirror.toml line 5)");
        cJSON_Delete(j);
        /* A passing verdict over merged files says whose merge rules it assumed. */
        tu_write(root, "etc/containerd/config.d/50-mirror.toml",
                 "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"docker.io\"]\n"
                 "endpoint = [\"https://mirror.gcr.io\"]\n");
        j = check(root, NULL, NULL, &rc);
        tu_assert_result(j, "containerd.registry-plain-http", "pass",
                         "2 files merged, config version 2: containerd 1.x semantics assumed");
        cJSON_Delete(j);
        free(root);
}

/* containerd 2.x merges imported plugin sections key by key: the import's sandbox image replaces
 * the main file's, and config_path stays. */
static void test_al2023_import_merges_keys(void **state)
{
        (void)state;
        char *root = scratch_copy("eks-al2023-node");
        char *main_path = NULL;
        assert_true(asprintf(&main_path, "%s/etc/containerd/config.toml", root) > 0);
        FILE *f = fopen(main_path, "a");
        assert_non_null(f);
        fputs("\n", f);
        fclose(f);
        /* imports must sit at the top level: prepend it. */
        char cmd[8192];
        snprintf(cmd, sizeof(cmd), "sed -i '1i imports = [\"./conf.d/*.toml\"]' '%s'", main_path);
        assert_int_equal(system(cmd), 0);
        tu_write(
                root, "etc/containerd/conf.d/10-sandbox.toml",
                "version = 3\n[plugins.'io.containerd.cri.v1.images'.pinned_images]\nsandbox = 'public.ecr.aws/eks-distro/kubernetes/pause:3.10'\n"
                "[plugins.'io.containerd.cri.v1.runtime']\nenable_unprivileged_ports = false\n");
        int rc;
        char *err = NULL;
        cJSON *e = explain(root, &rc, &err);
        assert_int_equal(rc, 0);
        const cJSON *sb = cJSON_GetObjectItem(e, "sandbox_image");
        assert_string_equal(jstr(sb, "value"), "public.ecr.aws/eks-distro/kubernetes/pause:3.10");
        assert_string_equal(jstr(sb, "origin"), "/etc/containerd/conf.d/10-sandbox.toml line 3");
        assert_string_equal(jstr(cJSON_GetObjectItem(e, "config_path"), "origin"),
                            "/etc/containerd/config.toml line 16");
        const cJSON *ports = cJSON_GetObjectItem(e, "enable_unprivileged_ports");
        assert_true(cJSON_IsFalse(cJSON_GetObjectItem(ports, "value")));
        assert_string_equal(jstr(ports, "origin"), "/etc/containerd/conf.d/10-sandbox.toml line 5");
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "enable_unprivileged_icmp"), "value")));
        cJSON_Delete(e);
        free(err);
        free(main_path);
        free(root);
}

static void test_bottlerocket_http_mirror_fails(void **state)
{
        (void)state;
        char *root = scratch_copy("bottlerocket-node");
        char cmd[8192];
        snprintf(cmd, sizeof(cmd),
                 "sed -i 's|\"https://mirror.gcr.io\"|\"http://mirror.internal:5000\", \"https://mirror.gcr.io\"|' "
                 "'%s/etc/containerd/config.toml'",
                 root);
        assert_int_equal(system(cmd), 0);
        int rc;
        cJSON *j = check(root, NULL, NULL, &rc);
        tu_assert_result(
                j, "containerd.registry-plain-http", "fail",
                "http://mirror.internal:5000 for docker.io is plain HTTP (mirror endpoint, /etc/containerd/config.toml line 36)");
        tu_assert_result(j, "containerd.registry-tls-verify", "pass", "2 registry host(s)");
        assert_int_equal(rc, 1);
        cJSON_Delete(j);
        free(root);
}

/* A config containerd refuses: every config check errors, explain exits 2 with FILE line N. */
static void test_broken_config_is_an_error(void **state)
{
        (void)state;
        char *root = scratch_copy("eks-al2-node");
        tu_write(root, "etc/containerd/config.toml", "version = 2\n[plugins]\n[plugins]\n");
        int rc;
        cJSON *j = check(root, NULL, NULL, &rc);
        tu_assert_result(j, "containerd.registry-tls-verify", "error", "/etc/containerd/config.toml line 3");
        assert_int_equal(rc, 2);
        cJSON_Delete(j);
        char *err = NULL;
        cJSON *e = explain(root, &rc, &err);
        assert_int_equal(rc, 2);
        assert_non_null(strstr(err, "/etc/containerd/config.toml line 3"));
        cJSON_Delete(e);
        free(err);
        /* A missing import stops containerd too. */
        tu_write(root, "etc/containerd/config.toml", "version = 2\nimports = [\"/etc/containerd/missing.toml\"]\n");
        j = check(root, NULL, NULL, &rc);
        tu_assert_result(j, "containerd.registry-plain-http", "error", "/etc/containerd/missing.toml");
        cJSON_Delete(j);
        free(root);
}

static void bind_socket(const char *path)
{
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        assert_true(s >= 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        assert_true(strlen(path) < sizeof(a.sun_path));
        strcpy(a.sun_path, path);
        assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
        close(s);
}

/* Sockets cannot live in git: bind one in a copy of the root, as containerd would (0660 root:root). */
static void test_socket_mode_and_owner(void **state)
{
        (void)state;
        char *root = scratch_copy("eks-al2-node"), *sock = NULL;
        tu_mkdirs(root);
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/run/containerd", root);
        tu_mkdirs(dir);
        assert_true(asprintf(&sock, "%s/containerd.sock", dir) > 0);
        bind_socket(sock);
        assert_int_equal(chmod(sock, 0660), 0);
        int rc;
        cJSON *j = check(root, NULL, NULL, &rc);
        tu_assert_result(j, "containerd.socket-permissions", "pass",
                         "/run/containerd/containerd.sock mode 0660 owner 0:0");
        cJSON_Delete(j);
        assert_int_equal(chmod(sock, 0666), 0);
        j = check(root, NULL, NULL, &rc);
        tu_assert_result(j, "containerd.socket-permissions", "fail", "mode 0666");
        assert_int_equal(rc, 1);
        cJSON_Delete(j);
        assert_int_equal(chmod(sock, 0660), 0);
        assert_int_equal(chown(sock, 0, 1000), 0);
        j = check(root, NULL, NULL, &rc);
        tu_assert_result(j, "containerd.socket-permissions", "fail", "owner 0:1000");
        cJSON_Delete(j);
        /* A link planted where the socket should be is judged as the link: never followed. */
        assert_int_equal(unlink(sock), 0);
        assert_int_equal(symlink("/run/containerd/containerd.sock", sock), 0);
        j = check(root, NULL, NULL, &rc);
        tu_assert_result(j, "containerd.socket-permissions", "fail", "is not a socket");
        cJSON_Delete(j);
        free(sock);
        free(root);
}

/* grpc.address moves the socket; its origin is the file and line. */
static void test_socket_path_from_grpc_address(void **state)
{
        (void)state;
        char *root = scratch_copy("eks-al2-node");
        char cmd[8192];
        snprintf(cmd, sizeof(cmd),
                 "sed -i 's|^address = .*|address = \"/run/nwct/ctrd.sock\"|' '%s/etc/containerd/config.toml'", root);
        assert_int_equal(system(cmd), 0);
        int rc;
        char *err = NULL;
        cJSON *e = explain(root, &rc, &err);
        const cJSON *s = cJSON_GetObjectItem(e, "socket");
        assert_string_equal(jstr(s, "path"), "/run/nwct/ctrd.sock");
        assert_string_equal(jstr(s, "origin"), "/etc/containerd/config.toml line 7");
        cJSON_Delete(e);
        free(err);
        free(root);
}

static void plant_containerd(const char *root, const char *modinfo)
{
        uint8_t elf[4096];
        size_t n = tu_go_elf(elf, sizeof(elf), "go1.23.8", modinfo);
        tu_write_bin(root, "usr/bin/containerd", elf, n, 0755);
}

/* The installed containerd's version, from its Go build info, decides the merge rules and
 * defaults; the config's version only says which plugin ids it is written for (containerd
 * 2.x migrates a version 2 config). */
static void test_installed_binary_decides_semantics(void **state)
{
        (void)state;
        char *root = scratch_copy("eks-al2-node");
        plant_containerd(root, "path\tgithub.com/containerd/containerd/v2/cmd/containerd\n"
                               "build\t-ldflags=\"-s -w -X \\\"github.com/containerd/containerd/v2/version.Version="
                               "v2.0.4\\\"\"\n");
        tu_write(root, "etc/containerd/config.d/50-mirror.toml",
                 "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"docker.io\"]\n"
                 "endpoint = [\"https://mirror.gcr.io\"]\n");
        int rc;
        char *err = NULL;
        cJSON *e = explain(root, &rc, &err);
        assert_int_equal(rc, 0);
        assert_string_equal(jstr(e, "semantics"),
                            "containerd v2.0.4 (/usr/bin/containerd build info): containerd 2.x semantics");
        assert_string_equal(jstr(e, "binary_version"), "v2.0.4");
        assert_string_equal(jstr(e, "registry_plugin"), "io.containerd.grpc.v1.cri");
        /* Merged key by key: the main file's config_path survives the import, so its mirrors are ignored. */
        assert_string_equal(jstr(cJSON_GetObjectItem(e, "config_path"), "value"),
                            "/etc/containerd/certs.d:/etc/docker/certs.d");
        assert_non_null(strstr(jstr(e, "ignored"), "50-mirror.toml line 2"));
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "enable_unprivileged_ports"), "value")));
        cJSON_Delete(e);
        free(err);
        cJSON *j = check(root, NULL, NULL, &rc);
        tu_assert_result(j, "containerd.unprivileged-ports", "pass",
                         "enable_unprivileged_ports=true (default of containerd 2.x)");
        tu_assert_result(j, "containerd.unprivileged-ports", "pass",
                         "(containerd v2.0.4 (/usr/bin/containerd build info): containerd 2.x semantics)");
        cJSON_Delete(j);
        free(root);

        /* A containerd 1.7 with a version 3 config: 1.x defaults. */
        root = scratch_copy("eks-al2023-node");
        plant_containerd(root, "path\tgithub.com/containerd/containerd/cmd/containerd\n"
                               "mod\tgithub.com/containerd/containerd\tv1.7.27\th1:x=\n");
        e = explain(root, &rc, &err);
        assert_string_equal(jstr(e, "semantics"),
                            "containerd v1.7.27 (/usr/bin/containerd build info): containerd 1.x semantics");
        assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "enable_unprivileged_ports"), "value")));
        cJSON_Delete(e);
        free(err);
        /* A binary nodeward cannot read a version from: the config's version decides, and the evidence says why. */
        tu_write(root, "usr/bin/containerd", "#!/bin/sh\nexec /opt/containerd \"$@\"\n");
        e = explain(root, &rc, &err);
        assert_string_equal(jstr(e, "semantics"),
                            "config version 3: containerd 2.x semantics assumed (/usr/bin/containerd: no Go build info "
                            "read (not a 64-bit little-endian ELF file))");
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "binary_version")));
        cJSON_Delete(e);
        free(err);
        /* Installed from containerd's release tarball instead, into /usr/local. */
        char p[4200];
        snprintf(p, sizeof(p), "%s/usr/bin/containerd", root);
        assert_int_equal(unlink(p), 0);
        uint8_t elf[4096];
        size_t n = tu_go_elf(elf, sizeof(elf), "go1.23.8",
                             "path\tgithub.com/containerd/containerd/v2/cmd/containerd\n"
                             "build\t-ldflags=-X github.com/containerd/containerd/v2/version.Version=v2.1.1\n");
        tu_write_bin(root, "usr/local/bin/containerd", elf, n, 0755);
        e = explain(root, &rc, &err);
        assert_string_equal(jstr(e, "semantics"),
                            "containerd v2.1.1 (/usr/local/bin/containerd build info): containerd 2.x semantics");
        cJSON_Delete(e);
        free(err);
        free(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_al2_template_passes),
                cmocka_unit_test(test_al2023_hosts_toml_resolved_with_origins),
                cmocka_unit_test(test_allowlist_names_unapproved_mirrors_and_sandbox),
                cmocka_unit_test(test_insecure_hosts_toml_fails_with_file_and_line),
                cmocka_unit_test(test_later_config_path_root_is_shadowed),
                cmocka_unit_test(test_al2_import_replaces_cri_section),
                cmocka_unit_test(test_al2023_import_merges_keys),
                cmocka_unit_test(test_bottlerocket_http_mirror_fails),
                cmocka_unit_test(test_broken_config_is_an_error),
                cmocka_unit_test(test_socket_mode_and_owner),
                cmocka_unit_test(test_socket_path_from_grpc_address),
                cmocka_unit_test(test_installed_binary_decides_semantics),
        };
        return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
