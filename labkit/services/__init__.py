"""The daemons of the local cloud, one module per server kind, in the order they start."""
from labkit.services import etcd, haproxy, mariadb, memcached, patroni, pgbouncer, redis

MODULES = (etcd, patroni, haproxy, pgbouncer, mariadb, redis, memcached)
DAEMONS = [d for m in MODULES for d in m.DAEMONS]
BY_NAME = {d.name: d for d in DAEMONS}
