"""labkit: the local cloud behind the course, and the experiments its labs run.

Servers: ``python -m labkit up | down | status``. Labs import the subject modules
(``labkit.db``, ``labkit.cluster``, ``labkit.lag`` ...) and never talk to daemons directly.
"""
