"""The ElastiCache part.

Shared by every page of the part: the clients of the cache servers (clients), their health and
failover (health, failover, standalone, settings, keyspace), and the database and traffic the
labs cache (catalog, workload); the pages write the caching patterns themselves. Each lab's experiments and
plots live in a subpackage: strategies (cache-aside, write-through), sessions (the session
store), engines (Redis vs Memcached), eviction (TTL and eviction); read_spread measures reads
spread over the replica.
"""
