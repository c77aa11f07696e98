"""TTL and eviction: a small Redis filled past maxmemory under each policy, and TTL patterns."""
