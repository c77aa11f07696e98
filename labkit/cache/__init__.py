"""The ElastiCache part: clients for the cache servers, the data and traffic the labs cache, and
one module per caching idea (cache-aside, write-through, sessions, eviction, Redis vs Memcached)."""
