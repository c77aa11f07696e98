"""The RDS & Aurora security part.

Its labs run on servers of their own, started by a lab and stopped at its end, so rotating
certificates, rewriting pg_hba.conf, switching on token logins or encrypting a disk never touch the
shared servers the other labs use. The code a lab teaches (connect strings, ``sslmode``,
``generate_db_auth_token``, the server settings, the SQL) is written in the lab; the modules here
are the stage: certificate authorities of the labs' own (certs), a relay that keeps the bytes it
forwards (relay), the server-side token check (iam_token) and its PAM hook (pam), the network rules
standing in for a security group (firewall), scratch MariaDB servers plain, encrypted or audited
(scratch_mariadb, at_rest, cutover), and the audit settings of the shared cluster (audit_*).
"""
