"""Redis and Memcached side by side: data structures, sharding, failover, persistence, threads."""
