/* catalog_bottlerocket: the catalog rows of the Bottlerocket checks. */
/* Rows of checks/catalog.c, in the catalog's order; check.h reads them again to declare the check
 * functions, so this file has no include guard. */
/* clang-format off */
/* Bottlerocket: its access paths are host containers, not a host sshd. */
CHECK(check_bottlerocket_admin_container,
      "bottlerocket.admin-container", "Bottlerocket admin container is disabled", SEV_HIGH, FACT_BOTTLEROCKET,
      {"Bottlerocket README: Admin container", EKS_NO_SSH},
      "apiclient set host-containers.admin.enabled=false (in user-data: [settings.host-containers.admin] "
      "enabled = false); enable it only for a debugging session, through the control container.",
      .applies = bottlerocket_applies)
CHECK(check_bottlerocket_admin_ssh,
      "bottlerocket.admin-ssh", "SSH into the Bottlerocket admin container is closed", SEV_HIGH,
      FACT_BOTTLEROCKET | FACT_PROCS,
      {"bottlerocket-admin-container README: Authenticating with SSH", EKS_NO_SSH},
      "Remove ssh keys, CA keys and the authorized-keys-command from settings.host-containers.admin.user-data "
      "(or disable the admin container), and block port 22 to the node in its security groups.",
      .uses = FACT_SOCKETS | FACT_OWNERS_SSH, .applies = bottlerocket_applies)
CHECK(check_bottlerocket_control_container,
      "bottlerocket.control-container", "Bottlerocket control container (SSM) is not superpowered", SEV_MEDIUM,
      FACT_BOTTLEROCKET,
      {"Bottlerocket README: Control container", EKS_NO_SSH},
      "apiclient set host-containers.control.superpowered=false; reach the host through the admin container "
      "only when needed.",
      .applies = bottlerocket_applies)
CHECK(check_bottlerocket_standalone_mode,
      "bottlerocket.standalone-mode", "Bottlerocket's kubelet is not an open standalone kubelet", SEV_HIGH,
      FACT_BOTTLEROCKET | FACT_KUBELET,
      {"Bottlerocket settings: settings.kubernetes.standalone-mode", SSG("kubelet_anonymous_auth"),
       SSG("kubelet_authorization_mode")},
      "Join the node to a cluster (settings.kubernetes.standalone-mode=false with api-server, cluster-name and "
      "cluster-certificate); keep a standalone kubelet bound to 127.0.0.1 and run no untrusted hostNetwork pods.",
      .applies = bottlerocket_applies)
/* clang-format on */
