"""TTL and eviction: a small Redis filled past maxmemory under each policy, and the misses of keys
that expire together."""
