"""The hook that makes PostgreSQL check a token instead of a password: a PAM service whose one
``auth`` step runs the token check (iam_token.py) through ``pam_exec``.

pg_hba.conf sends a user to PAM with ``hostssl all USER 127.0.0.1/32 pam pamservice=NAME``;
PostgreSQL then asks the client for a password, in clear text inside the TLS session, and hands
it to PAM, which runs the check with the token on standard input. RDS does the same kind of thing
with its own PAM module and a local authentication service.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from labkit import accounts, paths
from labkit.endpoints import port_offset
from labkit.security import iam_token, privileged

PAM_DIR = Path("/etc/pam.d")


def service_name() -> str:
    """One service per local cloud, so two clouds on one machine never share a policy."""
    return f"labkit-iam-{port_offset()}"


def folder() -> Path:
    return paths.sub("security-iam")


def settings_file() -> Path:
    return folder() / "settings.json"


def log_file() -> Path:
    return folder() / "verdicts.log"


def python() -> str:
    """A Python the daemon account can run: the system's, not a virtual environment in a home folder."""
    return next((p for p in ("/usr/bin/python3", shutil.which("python3")) if p and Path(p).exists()),
                sys.executable)


def service_text() -> str:
    script = folder() / "iam_token.py"
    return (f"# labkit: token logins of the security labs ({iam_token.__name__})\n"
            f"auth required pam_exec.so expose_authtok quiet {python()} -S -I {script} {settings_file()}\n"
            f"account required pam_permit.so\n")


def write_settings(host: str, keys: dict[str, dict], clock_offset_s: float = 0.0) -> None:
    """The check's settings: the database address tokens must name, the keys and what each may
    log in as (the local IAM policy), and how far the check's clock is moved."""
    settings = {"host": host, "keys": keys, "clock_offset_s": clock_offset_s, "log": str(log_file())}
    accounts.write(settings_file(), json.dumps(settings, indent=1), 0o600)


def move_clock(seconds: float) -> None:
    """Run the check's clock ``seconds`` ahead of the machine's, to test expiry without waiting."""
    settings = json.loads(settings_file().read_text())
    write_settings(settings["host"], settings["keys"], seconds)


def install(host: str, keys: dict[str, dict], service: str | None = None) -> bool:
    """Put the check and its settings where the daemon account can run them, and the PAM service
    (``service``, this cloud's by default) in /etc/pam.d (root only: otherwise print the command
    and return False)."""
    script = folder() / "iam_token.py"
    shutil.copyfile(iam_token.__file__, script)
    accounts.give(script, 0o644)
    accounts.write(log_file(), "", 0o600)
    write_settings(host, keys)
    target, text = PAM_DIR / (service or service_name()), service_text()
    if target.exists() and target.read_text() == text:
        return True  # installed by hand, as the message below asks
    if not privileged.allowed(f"writing the PAM service {target}",
                              f"sudo tee {target} >/dev/null <<'EOF'\n{text}EOF"):
        return False
    target.write_text(text)
    return True


def verdicts() -> list[str]:
    """What the check decided, one line per login attempt, oldest first."""
    return log_file().read_text().splitlines() if log_file().exists() else []


def remove(service: str | None = None) -> None:
    """Remove the PAM service (``service``, when it runs this cloud's check; this cloud's own by
    default) and the check's folder."""
    target = PAM_DIR / (service or service_name())
    if (target.exists() and (service is None or target.read_text() == service_text())
            and privileged.allowed(f"removing the PAM service {target}", f"sudo rm {target}")):
        target.unlink()
    if folder().exists():
        shutil.rmtree(folder())
