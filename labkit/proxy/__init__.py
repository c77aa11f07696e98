"""The RDS Proxy part.

PgBouncer (``pg-proxy``) plays RDS Proxy in front of the writer endpoint. The code a lab teaches
(connection strings, the Lambda-style handler, the admin console's ``SHOW POOLS;``, session state
that leaks or pins, the retry loop, the secret rotation steps) is written in the lab; the modules
here are the stage: the proxy's admin console and its settings (admin), what the writer's server
processes cost (server), clients that open a connection per request (storm), clients that keep
one through a failover (failover), clients that hold server connections (pinning), and figures
(plots).
"""
