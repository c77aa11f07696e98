"""The RDS & Aurora security part.

Its labs run on a PostgreSQL server of their own (``scratch``, the endpoint ``secure-pg``,
started by a lab and stopped at its end), so rotating certificates, rewriting pg_hba.conf and
switching on token logins never touch the shared cluster the other labs use. The code a lab
teaches (connect strings, ``sslmode``, ``generate_db_auth_token``, the SQL) is written in the lab;
the modules here are the stage: certificate authorities of the labs' own (certs), a relay that
keeps the bytes it forwards (relay), the server-side token check (iam_token) and its PAM hook
(pam), and the network rules standing in for a security group (firewall).
"""
