/* catalog_host: the catalog rows of the host hardening checks under the kubelet. */
/* Rows of checks/catalog.c, in the catalog's order; check.h reads them again to declare the check
 * functions, so this file has no include guard. */
/* clang-format off */
CHECK(check_host_sysctl_suid_dumpable,
      "host.sysctl-suid-dumpable", "setuid programs do not dump core (fs.suid_dumpable=0)", SEV_MEDIUM, FACT_HOST,
      {CISBR("1.4.1 Ensure setuid programs do not create core dumps"), CISAL("Ensure core dumps are restricted"),
       SSG("sysctl_fs_suid_dumpable")},
      "Set fs.suid_dumpable = 0 in /etc/sysctl.d/60-nodeward-hardening.conf and run sysctl --system.")
CHECK(check_host_sysctl_aslr,
      "host.sysctl-aslr", "Address space layout randomisation is full (kernel.randomize_va_space=2)", SEV_MEDIUM,
      FACT_HOST,
      {CISBR("1.4.2 Ensure address space layout randomization (ASLR) is enabled"),
       CISAL("Ensure address space layout randomization (ASLR) is enabled"), SSG("sysctl_kernel_randomize_va_space")},
      "Set kernel.randomize_va_space = 2 in a sysctl.d file and remove any norandmaps boot parameter.")
CHECK(check_host_sysctl_unpriv_bpf,
      "host.sysctl-unpriv-bpf", "Unprivileged BPF is disabled (kernel.unprivileged_bpf_disabled)", SEV_MEDIUM,
      FACT_HOST, {CISBR("1.4.3 Ensure unprivileged eBPF is disabled"), SSG("sysctl_kernel_unprivileged_bpf_disabled")},
      "Set kernel.unprivileged_bpf_disabled = 1 in a sysctl.d file (BPF-based agents run privileged and are unaffected).")
CHECK(check_host_sysctl_user_namespaces,
      "host.sysctl-user-namespaces", "Unprivileged user namespaces are disabled, or needed by pods", SEV_LOW, FACT_HOST,
      {CISBR("1.4.4 Ensure user namespaces are disabled (Level 2)"), SSG("sysctl_user_max_user_namespaces"),
       K8SDOC("Use a User Namespace With a Pod")},
      "Set user.max_user_namespaces = 0 unless pods use hostUsers: false; if they do, keep it and record why.")
CHECK(check_host_module_udf,
      "host.module-udf", "The udf file system module cannot be loaded", SEV_LOW, FACT_HOST,
      {CISBR("1.1.1.1 Ensure mounting of udf filesystems is disabled (Level 2)"),
       CISAL("Ensure mounting of udf filesystems is disabled"), SSG("kernel_module_udf_disabled")},
      "Bottlerocket: set settings.kernel.modules.udf.allowed = false; elsewhere put \"install udf /bin/false\" in "
      "/etc/modprobe.d/udf.conf. Then rmmod udf if it is loaded.")
CHECK(check_host_module_sctp,
      "host.module-sctp", "The SCTP protocol module cannot be loaded", SEV_MEDIUM, FACT_HOST,
      {CISBR("3.3.1 Ensure SCTP is disabled (Level 2)"), CISAL("Ensure SCTP is disabled"),
       SSG("kernel_module_sctp_disabled")},
      "Bottlerocket: set settings.kernel.modules.sctp.allowed = false; elsewhere put \"install sctp /bin/false\" in "
      "/etc/modprobe.d/sctp.conf. Then rmmod sctp if it is loaded (and no pod uses SCTP Services).")
CHECK(check_host_sysctl_redirects,
      "host.sysctl-redirects", "The node neither sends nor accepts ICMP redirects", SEV_MEDIUM, FACT_HOST,
      {CISBR("3.1.1, 3.2.2, 3.2.3 (packet redirects)"), CISAL("Ensure packet redirect sending is disabled"),
       SSG("sysctl_net_ipv4_conf_all_send_redirects"), SSG("sysctl_net_ipv4_conf_all_accept_redirects")},
      "Set net.ipv4.conf.{all,default}.send_redirects, accept_redirects, secure_redirects and "
      "net.ipv6.conf.{all,default}.accept_redirects to 0 in a sysctl.d file.")
CHECK(check_host_sysctl_source_route,
      "host.sysctl-source-route", "Source-routed packets are refused", SEV_MEDIUM, FACT_HOST,
      {CISBR("3.2.1 Ensure source routed packets are not accepted"),
       CISAL("Ensure source routed packets are not accepted"), SSG("sysctl_net_ipv4_conf_all_accept_source_route")},
      "Set net.ipv4.conf.{all,default}.accept_source_route and net.ipv6.conf.{all,default}.accept_source_route to 0.")
CHECK(check_host_sysctl_log_martians,
      "host.sysctl-log-martians", "Packets with impossible addresses are logged", SEV_LOW, FACT_HOST,
      {CISBR("3.2.4 Ensure suspicious packets are logged"), CISAL("Ensure suspicious packets are logged"),
       SSG("sysctl_net_ipv4_conf_all_log_martians")},
      "Set net.ipv4.conf.{all,default}.log_martians = 1 in a sysctl.d file.")
CHECK(check_host_sysctl_icmp_broadcasts,
      "host.sysctl-icmp-broadcasts", "Broadcast ICMP echo requests are ignored", SEV_LOW, FACT_HOST,
      {CISBR("3.2.5 Ensure broadcast ICMP requests are ignored"), CISAL("Ensure broadcast ICMP requests are ignored"),
       SSG("sysctl_net_ipv4_icmp_echo_ignore_broadcasts")},
      "Set net.ipv4.icmp_echo_ignore_broadcasts = 1 in a sysctl.d file (the kernel's default).")
CHECK(check_host_sysctl_icmp_bogus,
      "host.sysctl-icmp-bogus", "Bogus ICMP error responses are ignored", SEV_LOW, FACT_HOST,
      {CISBR("3.2.6 Ensure bogus ICMP responses are ignored"), CISAL("Ensure bogus ICMP responses are ignored"),
       SSG("sysctl_net_ipv4_icmp_ignore_bogus_error_responses")},
      "Set net.ipv4.icmp_ignore_bogus_error_responses = 1 in a sysctl.d file (the kernel's default).")
CHECK(check_host_sysctl_syncookies,
      "host.sysctl-syncookies", "TCP SYN cookies are on (net.ipv4.tcp_syncookies=1)", SEV_MEDIUM, FACT_HOST,
      {CISBR("3.2.7 Ensure TCP SYN Cookies is enabled"), CISAL("Ensure TCP SYN Cookies is enabled"),
       SSG("sysctl_net_ipv4_tcp_syncookies")},
      "Set net.ipv4.tcp_syncookies = 1 in a sysctl.d file (the kernel's default).")
CHECK(check_host_sysctl_rp_filter,
      "host.sysctl-rp-filter", "Reverse-path filtering is on, strict or loose", SEV_LOW, FACT_HOST,
      {CISAL("Ensure Reverse Path Filtering is enabled"), SSG("sysctl_net_ipv4_conf_all_rp_filter"),
       SSG("sysctl_net_ipv4_conf_default_rp_filter")},
      "Set net.ipv4.conf.{all,default}.rp_filter = 2 (loose, which the Amazon VPC CNI needs: pod traffic leaves "
      "through other ENIs than it arrives on) or 1 (strict, as CIS asks) in a sysctl.d file.")
CHECK(check_host_ip_forward,
      "host.ip-forward", "IPv4 forwarding is on, as a Kubernetes node needs", SEV_MEDIUM, FACT_HOST,
      {K8SDOC("Container Runtimes: Forwarding IPv4 and letting iptables see bridged traffic"),
       CISAL("Ensure IP forwarding is disabled (not applicable to a router such as a Kubernetes node)"),
       SSG("sysctl_net_ipv4_ip_forward")},
      "Set net.ipv4.ip_forward = 1 (the EKS AMI's /etc/sysctl.d/99-kubernetes-cri.conf does); with a bridge CNI also "
      "load br_netfilter and set net.bridge.bridge-nf-call-iptables = 1.")
CHECK(check_host_selinux,
      "host.selinux", "SELinux is enforcing, now and at the next boot", SEV_MEDIUM, FACT_HOST,
      {CISBR("1.5.1 Ensure SELinux is configured"), CISAL("Ensure the SELinux mode is enforcing"),
       SSG("selinux_state"), EKSBP("Runtime security: SELinux")},
      "Set SELINUX=enforcing in /etc/selinux/config and reboot (check the audit log for denials first in permissive).")
CHECK(check_host_kernel_lockdown,
      "host.kernel-lockdown", "Kernel lockdown protects the running kernel", SEV_LOW, FACT_HOST,
      {CISBR("1.5.2 Ensure Lockdown is configured (Level 2)")},
      "Bottlerocket: set settings.kernel.lockdown = \"integrity\"; elsewhere boot with lockdown=integrity.")
CHECK(check_host_root_verity,
      "host.root-verity", "The root file system is a dm-verity image (Bottlerocket)", SEV_HIGH, FACT_HOST,
      {CISBR("1.3.1 Ensure dm-verity is configured")},
      "Boot Bottlerocket's own image unmodified: its kernel command line maps /dev/dm-0 with a verity table and "
      "restart_on_corruption.")
CHECK(check_host_time_sync,
      "host.time-sync", "chrony keeps the clock synchronised", SEV_MEDIUM, FACT_HOST | FACT_PROCS,
      {CISBR("2.1.1.1 Ensure chrony is configured"), CISAL("Ensure chrony is configured"),
       SSG("service_chronyd_enabled"), SSG("chronyd_specify_remote_server")},
      "Install and enable chronyd with a server or pool line (on EC2: server 169.254.169.123 prefer iburst).")
CHECK(check_host_journald_persistent,
      "host.journald-persistent", "journald keeps the journal on disk", SEV_LOW, FACT_HOST,
      {CISBR("4.1.1.1 Ensure journald is configured to write logs to persistent disk"),
       CISAL("Ensure journald is configured to write logfiles to persistent disk"), SSG("journald_storage")},
      "Set Storage=persistent under [Journal] in /etc/systemd/journald.conf.d/60-persistent.conf.")
CHECK(check_host_journal_permissions,
      "host.journal-permissions", "Journal files are not open to other users", SEV_MEDIUM, FACT_HOST,
      {CISBR("4.1.2 Ensure permissions on journal files are configured"),
       CISAL("Ensure permissions on all logfiles are configured")},
      "chmod o-rwx the journal files (systemd-tmpfiles --create fixes the directory's ACLs and modes).")
CHECK(check_host_auditd,
      "host.auditd", "auditd is running and enabled at boot", SEV_MEDIUM, FACT_HOST | FACT_PROCS,
      {CISAL("Ensure auditd service is enabled"), SSG("service_auditd_enabled"),
       EKSBP("Detective controls")},
      "Install audit and systemctl enable --now auditd.", .applies = host_auditd_applies)
CHECK(check_host_audit_rules,
      "host.audit-rules", "Audit rules watch the kubelet and container runtime files", SEV_MEDIUM,
      FACT_HOST | FACT_KUBELET,
      {CISAL("Configure auditd rules (file watches)"), EKSBP("Detective controls"),
       "DISA Kubernetes STIG (audit the kubelet configuration)"},
      "Add -w PATH -p wa -k kubernetes lines for each listed path to /etc/audit/rules.d/60-kubernetes.rules and run "
      "augenrules --load (pass your own list with --audit-watch FILE).",
      .applies = host_auditd_applies)
/* clang-format on */
