/* catalog_ssh: the catalog rows of the sshd configuration checks. */
/* Rows of checks/catalog.c, in the catalog's order; check.h reads them again to declare the check
 * functions, so this file has no include guard. */
/* clang-format off */
CHECK(check_ssh_permit_root_login,
      "ssh.permit-root-login", "sshd refuses root logins", SEV_HIGH, FACT_SSHD,
      {AL23, STIG, SSG("sshd_disable_root_login")},
      "Set PermitRootLogin no, first in the file (before any Include) or in the first drop-in.",
      .fix = "PermitRootLogin no")
CHECK(check_ssh_password_authentication,
      "ssh.password-authentication", "sshd refuses passwords and keyboard-interactive logins", SEV_HIGH, FACT_SSHD,
      {AL23, EKS_NO_SSH, SSG("sshd_disable_password_authentication")},
      "Set PasswordAuthentication no and KbdInteractiveAuthentication no (watch cloud-init drop-ins).",
      .fix = "PasswordAuthentication no\nKbdInteractiveAuthentication no")
CHECK(check_ssh_permit_empty_passwords,
      "ssh.permit-empty-passwords", "sshd refuses empty passwords", SEV_HIGH, FACT_SSHD,
      {AL23, SSG("sshd_disable_empty_passwords")},
      "Set PermitEmptyPasswords no.", .fix = "PermitEmptyPasswords no")
CHECK(check_ssh_hostbased_authentication,
      "ssh.hostbased-authentication", "sshd refuses host-based authentication and ignores rhosts", SEV_MEDIUM, FACT_SSHD,
      {AL23, SSG("disable_host_auth")},
      "Set HostbasedAuthentication no and IgnoreRhosts yes.", .fix = "HostbasedAuthentication no\nIgnoreRhosts yes")
CHECK(check_ssh_permit_user_environment,
      "ssh.permit-user-environment", "sshd ignores user environment files", SEV_MEDIUM, FACT_SSHD,
      {AL23, SSG("sshd_do_not_permit_user_env")},
      "Set PermitUserEnvironment no.", .fix = "PermitUserEnvironment no")
CHECK(check_ssh_x11_forwarding,
      "ssh.x11-forwarding", "sshd X11 forwarding is disabled", SEV_LOW, FACT_SSHD,
      {AL23, SSG("sshd_disable_x11_forwarding")},
      "Set X11Forwarding no.", .fix = "X11Forwarding no")
CHECK(check_ssh_tcp_forwarding,
      "ssh.tcp-forwarding", "sshd TCP forwarding is disabled", SEV_MEDIUM, FACT_SSHD,
      {AL23, SSG("sshd_disable_tcp_forwarding")},
      "Set AllowTcpForwarding no (or DisableForwarding yes).", .fix = "AllowTcpForwarding no")
CHECK(check_ssh_max_auth_tries,
      "ssh.max-auth-tries", "sshd allows 4 authentication attempts or fewer", SEV_MEDIUM, FACT_SSHD,
      {AL23, SSG("sshd_set_max_auth_tries")},
      "Set MaxAuthTries 4 (or less).", .fix = "MaxAuthTries 4")
CHECK(check_ssh_login_grace_time,
      "ssh.login-grace-time", "sshd login grace time is 60 seconds or less", SEV_LOW, FACT_SSHD,
      {AL23, SSG("sshd_set_login_grace_time")},
      "Set LoginGraceTime 60 (or less, but not 0).", .fix = "LoginGraceTime 60")
CHECK(check_ssh_client_alive,
      "ssh.client-alive", "sshd drops idle and dead sessions", SEV_LOW, FACT_SSHD,
      {AL23, STIG, SSG("sshd_set_idle_timeout")},
      "Set ClientAliveInterval 300 (or less, not 0) and ClientAliveCountMax 3 (not 0).", .fix = "ClientAliveInterval 300\nClientAliveCountMax 3")
CHECK(check_ssh_log_level,
      "ssh.log-level", "sshd logs at INFO or VERBOSE", SEV_LOW, FACT_SSHD,
      {AL23, SSG("sshd_set_loglevel_info")},
      "Set LogLevel VERBOSE (or INFO).", .fix = "LogLevel VERBOSE")
CHECK(check_ssh_access_limited,
      "ssh.access-limited", "sshd access is limited to listed users or groups", SEV_MEDIUM, FACT_SSHD,
      {AL23, SSG("sshd_limit_user_access")},
      "Add AllowUsers or AllowGroups (or DenyUsers/DenyGroups) naming who may log in.")
CHECK(check_ssh_match_override,
      "ssh.match-override", "No sshd Match block weakens a checked setting", SEV_MEDIUM, FACT_SSHD,
      {AL23, SSHD_MATCH},
      "Remove the weakening setting from the named Match block, or narrow its criteria.")
CHECK(check_ssh_config_permissions,
      "ssh.config-permissions", "sshd_config and its includes are root-owned and not writable by others", SEV_MEDIUM, FACT_SSHD,
      {AL23, SSG("file_permissions_sshd_config")},
      "chown root:root and chmod 600 /etc/ssh/sshd_config and every included file.")
CHECK(check_ssh_host_key_permissions,
      "ssh.host-key-permissions", "sshd private host keys are mode 0600, owned by root", SEV_HIGH, FACT_SSHD,
      {AL23, SSG("file_permissions_sshd_private_key")},
      "chown root:root and chmod 600 /etc/ssh/ssh_host_*_key.")
CHECK(check_ssh_authorized_keys,
      "ssh.authorized-keys", "Which accounts can log in with keys", SEV_INFO, FACT_SSHD,
      {EKS_NO_SSH},
      "Remove authorized_keys files on nodes reached through SSM; set AuthorizedKeysFile none.")
CHECK(check_ssh_daemon_enabled,
      "ssh.daemon-enabled", "sshd is neither running nor enabled", SEV_MEDIUM, FACT_SSHD,
      {EKS_NO_SSH, STIG},
      "On nodes reached through SSM Session Manager: systemctl disable --now sshd (ssh on Debian).")
/* clang-format on */
