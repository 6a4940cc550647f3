/* catalog_network: the catalog rows of what reaches the node and what it exposes (metadata service, pod
 * reachability, addresses, listeners). */
/* Rows of checks/catalog.c, in the catalog's order; check.h reads them again to declare the check
 * functions, so this file has no include guard. */
/* clang-format off */
CHECK(check_imds_v1_enabled,
      "imds.v1-enabled", "Instance metadata requires a token (IMDSv1 disabled)", SEV_HIGH, FACT_IMDS,
      {EKSBP("Restrict access to the instance profile assigned to the worker node"),
       "AWS EC2 HttpTokens=required"},
      "Require IMDSv2: aws ec2 modify-instance-metadata-options --http-tokens required (or set it in the launch template).")
CHECK(check_imds_hop_limit,
      "imds.hop-limit", "Metadata token responses do not travel past the node (hop limit 1)", SEV_HIGH, FACT_IMDS,
      {EKSBP("Restrict access to the instance profile assigned to the worker node"),
       "AWS EC2 HttpPutResponseHopLimit"},
      "Set the PUT response hop limit to 1: aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 1.")
CHECK(check_imds_pod_reachable,
      "imds.pod-reachable", "Pods cannot read instance metadata", SEV_HIGH, FACT_IMDS | FACT_POD_IMDS,
      {EKSBP("Restrict access to the instance profile assigned to the worker node")},
      "Require IMDSv2 with hop limit 1, or drop pod egress to 169.254.169.254 (network policy or iptables on the node).")
CHECK(check_imds_pod_token,
      "imds.pod-token", "Pods cannot obtain a metadata token", SEV_HIGH, FACT_IMDS | FACT_POD_IMDS,
      {EKSBP("Restrict access to the instance profile assigned to the worker node"),
       "AWS EC2 HttpPutResponseHopLimit"},
      "Set the PUT response hop limit to 1, or drop pod egress to 169.254.169.254.")
CHECK(check_imds_pod_attempts,
      "imds.pod-attempts", "No pod network attempts to reach the instance metadata service (seen by eBPF)", SEV_HIGH,
      FACT_CONNWATCH,
      {EKSBP("Restrict access to the instance profile assigned to the worker node")},
      "Require IMDSv2 with hop limit 1 and block 169.254.169.254 from pods (NetworkPolicy or iptables).",
      .attempts = ATTEMPT_IMDS)
CHECK(check_ssh_pod_reachable,
      "ssh.pod-reachable", "Pods cannot open node SSH", SEV_MEDIUM, FACT_POD_SSH,
      {EKSBP("Block pod egress to port 22 with network policy")},
      "Block pod egress to the node's SSH port (network policy denying port 22, or a node firewall rule for pod traffic).")
CHECK(check_ssh_exposed,
      "ssh.exposed", "SSH does not listen beyond loopback", SEV_MEDIUM, FACT_SOCKETS | FACT_SSHD | FACT_OWNERS_SSH,
      {"EKS Best Practices: Network security"},
      "Stop sshd on worker nodes (use SSM Session Manager), or bind it to a management address "
      "and block port 22 from pods with network policy or security groups.")
CHECK(check_ssh_pod_attempts,
      "ssh.pod-attempts", "No pod attempts SSH connections (seen by eBPF)", SEV_HIGH, FACT_CONNWATCH,
      {EKSBP("Block pod egress to port 22 with network policy")},
      "Block pod egress to port 22 with a NetworkPolicy (or security group for pods); find why the pod tries.",
      .attempts = ATTEMPT_SSH)
CHECK(check_node_public_ip,
      "node.public-ip", "The node has no public IPv4 address", SEV_MEDIUM, FACT_IMDS,
      {SSG("private_nodes")},
      "Launch nodes in private subnets without public IP auto-assignment.")
CHECK(check_node_api_endpoint_private,
      "node.api-endpoint-private", "The kubelet reaches the API server on private addresses only", SEV_MEDIUM,
      FACT_APISERVER, {SSG("endpoint_configuration")},
      "Enable the cluster's private endpoint access (and disable public access) so the API name resolves to VPC addresses.")
CHECK_POLICY(check_net_wildcard_listeners,
             "net.wildcard-listeners", "Only expected services listen on every address", SEV_LOW, FACT_SOCKETS | FACT_OWNERS_WILDCARD,
             {"EKS Best Practices: Network security"},
             "Bind the listed services to loopback or a specific address, stop them, or allow them with "
             "--allow-listener PROC:PORT when they are meant to be there.")
CHECK(check_net_kubelet_api_exposed,
      "net.kubelet-api-exposed", "Where the kubelet API (10250) listens", SEV_INFO, FACT_SOCKETS | FACT_KUBELET | FACT_OWNERS_KUBELET,
      {"EKS Best Practices: Network security"},
      "The API server must reach it; restrict who else can with security groups on the node ENIs.")
CHECK(check_net_policy_engine,
      "net.policy-engine", "A network policy engine enforces policy on this node", SEV_MEDIUM,
      FACT_PROCS | FACT_KUBELET,
      {"EKS Best Practices: Network policy"},
      "Enable network policy (VPC CNI ENABLE_NETWORK_POLICY=true, or Calico or Cilium) and apply a "
      "default-deny policy in every namespace.")
/* clang-format on */
