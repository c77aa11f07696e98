"""labkit: the local cloud behind the course, and the experiments its labs run.

Servers: ``./course up | down | status`` (``python -m labkit ...`` inside the venv). Labs import the subject modules
(``labkit.db``, ``labkit.cluster``, ``labkit.lag`` ...) and never talk to daemons directly.
"""
