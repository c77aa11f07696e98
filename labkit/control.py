"""The one question a lab asks before it breaks, promotes, reconfigures or starts a server: may it?

Against the local cloud it may. Against servers labkit did not start (docker compose, a reader's
own servers, Aurora or ElastiCache) it may not: a managed service has no process to kill, and
ElastiCache refuses CONFIG SET. Then the lab prints one sentence (what it would have done, why
not here, and how to do it on AWS), skips that step, and goes on with everything that only needs
a client. A step that only uses a server which a reader's set may lack (the proxy in front of a
cluster) asks ``has`` instead: it runs against the one the reader names, and otherwise says so.
"""
from __future__ import annotations

from labkit import external
from labkit.endpoints import ENDPOINTS

SKIPPED = "Skipped:"  # how every such sentence starts, so a reader (and a test) can find them
said: list[str] = []  # every sentence printed in this process, for a page's hidden checks


def skip(would: str, why: str, aws: str) -> bool:
    """Print and keep the one sentence of a step that does not run here: what it would do, ``why``
    not, and the AWS way; False, so that ``ran = ... or control.skip(...)`` reads as it works."""
    said.append(f"{SKIPPED} this step would {would}, but {why}; on AWS, {aws}.")
    print(said[-1])
    return False


def can(name: str, would: str, aws: str) -> bool:
    """Whether the lab may control the server behind endpoint ``name``; when it may not, print
    why in one sentence. ``would`` says what the step does, ``aws`` how to do it on AWS."""
    if not external.is_external(name):
        return True
    return skip(would, f"the servers behind {external.describe(name)} are not labkit's, so labkit starts, "
                       f"stops and reconfigures none of them", aws)


def has(name: str, would: str, aws: str) -> bool:
    """Whether endpoint ``name``, which a step uses but does not control (the proxy in front of a
    cluster), is there: always in the local cloud; beside servers labkit did not start, when its
    variable names it (or, at the course's own addresses, it answers). When it is not, print in
    one sentence what the step would show and how to give it one."""
    group = external.anchor(name)
    if group is None or not external.decides(group) or name in external.provided(group):
        return True
    ep = ENDPOINTS[name]
    return skip(would, f"the servers behind {external.describe(name)} come with no {ep.aws_role} that labkit "
                       f"knows of: set {ep.env_var} to one to run it", aws)


def skipped(would: str) -> bool:
    """Whether this process said it skipped a step that would ``would`` (its beginning is
    enough): what a page's hidden checks assert instead of a measurement the step did not make."""
    return any(f" would {would}" in line for line in said)
