"""The MemoryDB part.

Its labs run on a Redis pair of their own (``pair``: two nodes and three Sentinels, started empty
by each lab and stopped at its end), never on the shared pair of the ElastiCache labs. The code a
lab teaches (SET, WAIT, CONFIG SET, the Sentinel client) is written in the lab; the modules here
are the stage: starting, losing and replacing nodes (pair), client threads that call the lab's
functions (load), the experiments built on them (durability, cost, consistency, snapshots,
scale) with their tables, and the figures (plots).
"""
