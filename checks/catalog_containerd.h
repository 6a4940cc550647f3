/* catalog_containerd: the catalog rows of the containerd checks. */
/* Rows of checks/catalog.c, in the catalog's order; check.h reads them again to declare the check
 * functions, so this file has no include guard. */
/* clang-format off */
CHECK(check_containerd_registry_tls_verify,
      "containerd.registry-tls-verify", "containerd verifies the TLS certificate of every registry host", SEV_HIGH,
      FACT_CONTAINERD,
      {"containerd docs/hosts.md (skip_verify)", "CIS Docker Benchmark: Ensure insecure registries are not used",
       EKSBP("Image security")},
      "Remove skip_verify = true from the hosts.toml files under config_path (or tls.insecure_skip_verify from "
      "registry.configs); give the registry's CA with ca = \"/etc/containerd/certs.d/HOST/ca.crt\" instead.")
CHECK(check_containerd_registry_plain_http,
      "containerd.registry-plain-http", "containerd pulls from no plain http:// registry endpoint", SEV_HIGH,
      FACT_CONTAINERD,
      {"containerd docs/hosts.md (server, host)", "CIS Docker Benchmark: Ensure insecure registries are not used",
       EKSBP("Image security")},
      "Serve the mirror over HTTPS and change server/[host.\"http://...\"] in hosts.toml (or the mirror endpoint "
      "list) to https://.")
CHECK_POLICY(check_containerd_registry_allowlist,
             "containerd.registry-allowlist", "containerd pulls only from approved registries", SEV_MEDIUM,
             FACT_CONTAINERD, {EKSBP("Image security: use approved container registries"), "CIS Kubernetes Benchmark 5.5.1: Configure Image Provenance"},
             "Point mirrors, hosts.toml servers and the sandbox image at registries in the --allow-registries file, "
             "or add the registry there once approved.")
CHECK(check_containerd_socket_permissions,
      "containerd.socket-permissions", "containerd's CRI socket is accessible to root only", SEV_HIGH,
      FACT_CONTAINERD,
      {"CIS Docker Benchmark: Ensure that the Docker socket file permissions are set to 660 or more restrictively",
       "containerd docs/man/containerd-config.toml.5.md ([grpc] uid, gid)"},
      "Leave [grpc] uid and gid at 0 and do not chmod the socket; containerd creates it mode 0660 root:root.")
CHECK(check_containerd_unprivileged_ports,
      "containerd.unprivileged-ports", "containerd's unprivileged ports and ICMP settings for pods", SEV_INFO,
      FACT_CONTAINERD,
      {"containerd docs/cri/config.md (enable_unprivileged_ports, enable_unprivileged_icmp)",
       K8SDOC("Using sysctls in a Kubernetes Cluster")},
      "Informational: set enable_unprivileged_ports/enable_unprivileged_icmp in the CRI runtime section if "
      "pods must not bind ports below 1024 or open ICMP sockets.")
/* clang-format on */
