"""Quorum rules written as lab 2 writes them, for the unit tests of the quorum model."""
from labkit.aurora import quorum


def layout(azs="abc", copies_per_az=2):
    return {f"{az}{i}": az for az in azs for i in range(1, copies_per_az + 1)}


def at_least(needed):
    return lambda copies_up: copies_up >= needed


def aurora_group(read_quorum=3):
    """Aurora's protection group: 6 copies in 3 AZs, writes need 4, reads ``read_quorum``."""
    return quorum.ProtectionGroup(layout(), at_least(4), at_least(read_quorum))
