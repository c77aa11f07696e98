"""The one question a lab asks before it breaks, promotes, reconfigures or starts a server: may it?

Against the local cloud it may. Against servers labkit did not start (docker compose, a reader's
own servers, Aurora or ElastiCache) it may not: a managed service has no process to kill, and
ElastiCache refuses CONFIG SET. Then the lab prints one sentence (what it would have done, why
not here, and how to do it on AWS), skips that step, and goes on with everything that only needs
a client.
"""
from __future__ import annotations

from labkit import external

SKIPPED = "Skipped:"  # how every such sentence starts, so a reader (and a test) can find them
said: list[str] = []  # every sentence printed in this process, for a page's hidden checks


def sentence(name: str, would: str, aws: str) -> str:
    return (f"{SKIPPED} this step would {would}, but the servers behind {external.describe(name)} are "
            f"not labkit's, so labkit starts, stops and reconfigures none of them; on AWS, {aws}.")


def can(name: str, would: str, aws: str) -> bool:
    """Whether the lab may control the server behind endpoint ``name``; when it may not, print
    why in one sentence. ``would`` says what the step does, ``aws`` how to do it on AWS."""
    if not external.is_external(name):
        return True
    said.append(sentence(name, would, aws))
    print(said[-1])
    return False


def skipped(would: str) -> bool:
    """Whether this process said it skipped a step that would ``would`` (its beginning is
    enough): what a page's hidden checks assert instead of a measurement the step did not make."""
    return any(f" would {would}" in line for line in said)
