/* catalog_kubelet: the catalog rows of the kubelet and kube-proxy checks. */
/* Rows of checks/catalog.c, in the catalog's order; check.h reads them again to declare the check
 * functions, so this file has no include guard. */
/* clang-format off */
CHECK(check_kubelet_anonymous_auth,
      "kubelet.anonymous-auth", "Kubelet anonymous authentication is disabled", SEV_HIGH, FACT_KUBELET,
      {SSG("kubelet_anonymous_auth")},
      "Set authentication.anonymous.enabled: false in the kubelet config (and drop any --anonymous-auth=true flag).",
      .fix = "{\"authentication\":{\"anonymous\":{\"enabled\":false}}}",
      .kfield = KFIELD(KF_ANONYMOUS_AUTH), .bottlerocket = "settings.kubernetes.standalone-mode = false")
CHECK(check_kubelet_authorization_mode,
      "kubelet.authorization-mode", "Kubelet authorization mode is not AlwaysAllow", SEV_HIGH, FACT_KUBELET,
      {SSG("kubelet_authorization_mode")},
      "Set authorization.mode: Webhook in the kubelet config; remove --authorization-mode=AlwaysAllow.",
      .fix = "{\"authorization\":{\"mode\":\"Webhook\"}}",
      .kfield = KFIELD(KF_AUTHZ_MODE), .bottlerocket = "settings.kubernetes.standalone-mode = false")
CHECK(check_kubelet_client_ca_file,
      "kubelet.client-ca-file", "Kubelet verifies client certificates against a CA", SEV_HIGH, FACT_KUBELET,
      {SSG("kubelet_configure_client_ca")},
      "Set authentication.x509.clientCAFile to the cluster CA bundle (EKS: /etc/kubernetes/pki/ca.crt).",
      .fix = "{\"authentication\":{\"x509\":{\"clientCAFile\":\"/etc/kubernetes/pki/ca.crt\"}}}",
      .kfield = KFIELD(KF_CLIENT_CA_FILE), .bottlerocket = "settings.kubernetes.standalone-mode = false")
CHECK(check_kubelet_read_only_port,
      "kubelet.read-only-port", "Kubelet read-only port is disabled", SEV_HIGH, FACT_KUBELET,
      {SSG("kubelet_read_only_port_secured")},
      "Set readOnlyPort: 0 in the kubelet config and remove any --read-only-port flag.",
      .uses = FACT_SOCKETS | FACT_OWNERS_KUBELET, .fix = "{\"readOnlyPort\":0}",
      .kfield = KFIELD(KF_READ_ONLY_PORT))
CHECK(check_kubelet_streaming_idle_timeout,
      "kubelet.streaming-idle-timeout", "Kubelet streaming connections time out", SEV_MEDIUM, FACT_KUBELET,
      {SSG("kubelet_enable_streaming_connections")},
      "Set streamingConnectionIdleTimeout to a non-zero duration such as 5m.",
      .fix = "{\"streamingConnectionIdleTimeout\":\"5m0s\"}",
      .kfield = KFIELD(KF_STREAMING_IDLE_TIMEOUT))
CHECK(check_kubelet_protect_kernel_defaults,
      "kubelet.protect-kernel-defaults", "Kubelet protects kernel defaults", SEV_MEDIUM, FACT_KUBELET,
      {SSG("kubelet_enable_protect_kernel_defaults")},
      "Set protectKernelDefaults: true (after setting the sysctls the kubelet expects).",
      .fix = "{\"protectKernelDefaults\":true}",
      .kfield = KFIELD(KF_PROTECT_KERNEL_DEFAULTS))
CHECK(check_kubelet_iptables_util_chains,
      "kubelet.iptables-util-chains", "Kubelet manages its iptables utility chains", SEV_LOW, FACT_KUBELET,
      {SSG("kubelet_enable_iptables_util_chains")},
      "Set makeIPTablesUtilChains: true (the default); remove --make-iptables-util-chains=false.",
      .fix = "{\"makeIPTablesUtilChains\":true}",
      .kfield = KFIELD(KF_IPTABLES_UTIL_CHAINS))
CHECK(check_kubelet_hostname_override,
      "kubelet.hostname-override", "Kubelet does not override the node hostname", SEV_LOW, FACT_KUBELET,
      {SSG("kubelet_disable_hostname_override")},
      "Remove --hostname-override unless the cloud provider integration needs it.",
      .kfield = KFIELD(KF_HOSTNAME_OVERRIDE), .bottlerocket = "settings.kubernetes.hostname-override (unset it)")
CHECK(check_kubelet_event_qps,
      "kubelet.event-qps", "Kubelet records events at an adequate rate", SEV_LOW, FACT_KUBELET,
      {SSG("kubelet_configure_event_creation")},
      "Set eventRecordQPS to 0 (no limit) or a level that captures events, e.g. the default 50.",
      .fix = "{\"eventRecordQPS\":50}",
      .kfield = KFIELD(KF_EVENT_QPS), .bottlerocket = "settings.kubernetes.event-qps")
CHECK(check_kubelet_rotate_certificates,
      "kubelet.rotate-certificates", "Kubelet rotates its client certificate", SEV_MEDIUM, FACT_KUBELET,
      {SSG("kubelet_enable_client_cert_rotation")},
      "Set rotateCertificates: true in the kubelet config.",
      .fix = "{\"rotateCertificates\":true}",
      .kfield = KFIELD(KF_ROTATE_CERTIFICATES))
CHECK(check_kubelet_server_cert_rotation,
      "kubelet.server-cert-rotation", "Kubelet serving certificate is issued and rotated", SEV_MEDIUM, FACT_KUBELET,
      {SSG("kubelet_enable_server_cert_rotation")},
      "Set serverTLSBootstrap: true and keep the RotateKubeletServerCertificate feature gate enabled.",
      .fix = "{\"serverTLSBootstrap\":true}",
      .kfield = KFIELD(KF_SERVER_TLS_BOOTSTRAP), .bottlerocket = "settings.kubernetes.server-tls-bootstrap = true")
CHECK(check_kubelet_tls_cipher_suites,
      "kubelet.tls-cipher-suites", "Kubelet serves only strong TLS cipher suites", SEV_MEDIUM, FACT_KUBELET,
      {SSG("kubelet_configure_tls_cipher_suites")},
      "Set tlsCipherSuites to ECDHE suites with AES-GCM or ChaCha20-Poly1305 only.",
      .fix = "{\"tlsCipherSuites\":[\"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\",\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\",\"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\",\"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305\",\"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305\"]}",
      .kfield = KFIELD(KF_TLS_CIPHER_SUITES))
CHECK(check_kubelet_config_permissions,
      "kubelet.config-permissions", "Kubelet config file and drop-ins are mode 644 or stricter", SEV_MEDIUM, FACT_KUBELET,
      {SSG("file_permissions_kubelet_conf")},
      "chmod 644 (or stricter) the kubelet config file and every drop-in.")
CHECK(check_kubelet_config_ownership,
      "kubelet.config-ownership", "Kubelet config file and drop-ins are owned by root:root", SEV_MEDIUM, FACT_KUBELET,
      {SSG("file_owner_kubelet_conf")},
      "chown root:root the kubelet config file and every drop-in.")
CHECK(check_kubelet_kubeconfig_permissions,
      "kubelet.kubeconfig-permissions", "Kubelet kubeconfig is mode 644 or stricter", SEV_MEDIUM, FACT_KUBELET,
      {SSG("file_permissions_kubelet_kubeconfig")},
      "chmod 644 (or stricter) the file given by --kubeconfig.")
CHECK(check_kubelet_kubeconfig_ownership,
      "kubelet.kubeconfig-ownership", "Kubelet kubeconfig is owned by root:root", SEV_MEDIUM, FACT_KUBELET,
      {SSG("file_owner_kubelet_kubeconfig")},
      "chown root:root the file given by --kubeconfig.")
CHECK(check_kubelet_live_read_only_port,
      "kubelet.live-read-only-port", "Nothing answers GET /pods on the kubelet's read-only port", SEV_HIGH,
      FACT_KUBELET_LIVE, {SSG("kubelet_read_only_port_secured"), K8SDOC("kubelet authentication/authorization")},
      "Set readOnlyPort: 0, remove --read-only-port, restart the kubelet; find what else serves the port.")
CHECK(check_kubelet_live_anonymous,
      "kubelet.live-anonymous", "The kubelet API refuses anonymous GET /pods (401/403)", SEV_CRITICAL,
      FACT_KUBELET_LIVE, {SSG("kubelet_anonymous_auth"), SSG("kubelet_authorization_mode"), K8SDOC("kubelet authentication/authorization")},
      "Set authentication.anonymous.enabled: false and authorization.mode: Webhook, then restart the kubelet.")
CHECK(check_kubelet_live_tls,
      "kubelet.live-tls", "The kubelet API refuses TLS < 1.2 and weak cipher suites", SEV_MEDIUM, FACT_KUBELET_LIVE,
      {SSG("kubelet_configure_tls_cipher_suites")},
      "Set tlsMinVersion: VersionTLS12 and tlsCipherSuites to ECDHE suites with AES-GCM or ChaCha20-Poly1305.")
CHECK(check_kubelet_live_serving_cert,
      "kubelet.live-serving-cert", "The kubelet serves a current certificate issued by the cluster CA", SEV_MEDIUM,
      FACT_KUBELET_LIVE, {SSG("kubelet_enable_server_cert_rotation"), K8SDOC("kubelet TLS bootstrapping")},
      "Set serverTLSBootstrap: true (approve the kubelet-serving CSRs) so the cluster CA issues and rotates it.")
CHECK(check_kubelet_live_config_drift,
      "kubelet.live-config-drift", "The running kubelet behaves as its resolved configuration says", SEV_HIGH,
      FACT_KUBELET_LIVE | FACT_KUBELET, {EKSBP("Protecting the infrastructure (hosts)")},
      "Restart the kubelet after configuration changes; find and stop any other server on the kubelet ports.")
CHECK(check_kubelet_pod_attempts,
      "kubelet.pod-attempts", "No pod attempts the kubelet ports (seen by eBPF)", SEV_HIGH, FACT_CONNWATCH,
      {EKSBP("Network security"), SSG("kubelet_read_only_port_secured")},
      "Block pod egress to the kubelet ports with a NetworkPolicy except for metrics-server and monitoring "
      "agents; find why the pod tries.",
      .attempts = ATTEMPT_KUBELET)
CHECK(check_kubelet_service_file_permissions,
      "kubelet.service-file-permissions", "kubelet.service and its drop-ins are mode 644 or stricter", SEV_MEDIUM,
      FACT_KUBELET_FILES, {SSG("file_permissions_kubelet_service"), K8SDOC("kubelet systemd unit")},
      "chmod 644 (or 600 for CIS Kubernetes) kubelet.service and every file in kubelet.service.d/.")
CHECK(check_kubelet_service_file_ownership,
      "kubelet.service-file-ownership", "kubelet.service and its drop-ins are owned by root:root", SEV_MEDIUM,
      FACT_KUBELET_FILES, {SSG("file_ownership_kubelet_service"), K8SDOC("kubelet systemd unit")},
      "chown root:root kubelet.service and every file in kubelet.service.d/.")
CHECK(check_kubelet_client_ca_permissions,
      "kubelet.client-ca-permissions", "Kubelet client CA file is mode 644 or stricter", SEV_MEDIUM, FACT_KUBELET,
      {K8SDOC("kubelet authentication: X509 client certificates")},
      "chmod 644 (600 for CIS Kubernetes 1.8-1.10) the file named by authentication.x509.clientCAFile.")
CHECK(check_kubelet_client_ca_ownership,
      "kubelet.client-ca-ownership", "Kubelet client CA file is owned by root:root", SEV_MEDIUM, FACT_KUBELET,
      {K8SDOC("kubelet authentication: X509 client certificates")},
      "chown root:root the file named by authentication.x509.clientCAFile.")
CHECK(check_kubelet_pod_pids_limit,
      "kubelet.pod-pids-limit", "Kubelet limits the number of processes per pod", SEV_MEDIUM, FACT_KUBELET,
      {K8SDOC("Process ID limits and reservations")},
      "Set podPidsLimit to a positive number that fits the workloads (e.g. 4096).",
      .fix = "{\"podPidsLimit\":4096}",
      .kfield = KFIELD(KF_POD_PIDS_LIMIT), .bottlerocket = "settings.kubernetes.pod-pids-limit")
CHECK(check_kubelet_seccomp_default,
      "kubelet.seccomp-default", "Kubelet runs containers with the RuntimeDefault seccomp profile", SEV_MEDIUM,
      FACT_KUBELET, {K8SDOC("Seccomp: enable RuntimeDefault as the default for all workloads")},
      "Set seccompDefault: true in the kubelet config (or --seccomp-default).",
      .fix = "{\"seccompDefault\":true}",
      .kfield = KFIELD(KF_SECCOMP_DEFAULT), .bottlerocket = "settings.kubernetes.seccomp-default = true")
CHECK(check_kubelet_tls_cert_files,
      "kubelet.tls-cert-files", "Kubelet serves TLS with a configured or cluster-issued certificate", SEV_MEDIUM,
      FACT_KUBELET, {K8SDOC("kubelet TLS bootstrapping")},
      "Set tlsCertFile and tlsPrivateKeyFile, or serverTLSBootstrap: true so the cluster issues the serving certificate.")
CHECK(check_kubelet_kernel_tunables,
      "kubelet.kernel-tunables", "Kernel settings match what protectKernelDefaults requires", SEV_MEDIUM,
      FACT_KUBELET | FACT_SYSCTL | FACT_HOST, {"kubernetes pkg/kubelet/cm/container_manager_linux.go setupKernelTunables"},
      "Set the listed sysctls (e.g. in /etc/sysctl.d/90-kubelet.conf) before the kubelet starts, or the kubelet "
      "refuses to start with protectKernelDefaults: true.")
CHECK(check_kube_proxy_kubeconfig_permissions,
      "kube-proxy.kubeconfig-permissions", "kube-proxy kubeconfig is mode 644 or stricter", SEV_MEDIUM,
      FACT_KUBE_PROXY, {SSG("file_permissions_proxy_kubeconfig")},
      "chmod 644 (600 for CIS Kubernetes) the kubeconfig kube-proxy uses (--kubeconfig or clientConnection.kubeconfig).")
CHECK(check_kube_proxy_kubeconfig_ownership,
      "kube-proxy.kubeconfig-ownership", "kube-proxy kubeconfig is owned by root:root", SEV_MEDIUM, FACT_KUBE_PROXY,
      {SSG("file_owner_proxy_kubeconfig")},
      "chown root:root the kubeconfig kube-proxy uses.")
CHECK(check_kube_proxy_metrics_bind_address,
      "kube-proxy.metrics-bind-address", "kube-proxy metrics are served on loopback only", SEV_LOW, FACT_KUBE_PROXY,
      {K8SDOC("kube-proxy configuration (v1alpha1): metricsBindAddress")},
      "Set metricsBindAddress: 127.0.0.1:10249 in the KubeProxyConfiguration (or --metrics-bind-address).")
/* clang-format on */
