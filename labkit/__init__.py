"""labkit: the local cloud behind the course, and the experiments its labs run.

- the local cloud: endpoints (names, ports, AWS roles), services/ (one module per server kind),
  cloud (up/down), cluster (the PostgreSQL cluster's operations), status, and the plumbing under
  them (procs, supervise, accounts, paths, ports, binaries, credentials, tls);
- what every page uses: db (SQLAlchemy engines), measure (percentiles), tables (Markdown), workers
  (client threads);
- one subpackage per part of the course: aurora/, cache/ (ElastiCache) and memorydb/.

Servers: ``./course up | down | status`` (``python -m labkit ...`` inside the venv). Pages never
talk to daemons directly.
"""
