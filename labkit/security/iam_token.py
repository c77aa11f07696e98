"""The database side of IAM database authentication: check a token that botocore's
``generate_db_auth_token`` signed, as RDS does before it lets the login through.

A token is a SigV4 presigned request (``Action=connect``, ``DBUser``, a 15-minute
``X-Amz-Expires``). The check recomputes its signature with the secret of the access key that
signed it, then checks the user, the database address, the expiry and a local policy naming which
database users each key may log in as (on AWS, an IAM policy allowing ``rds-db:connect``).

Standard library only: PostgreSQL's PAM hook (``pam_exec``) runs this file as a script with the
system Python, reading the token on standard input and the user from ``PAM_USER``; it exits 0 to
let the login in, 1 to refuse it, and logs why to the file its settings name.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import sys
import time
from urllib.parse import parse_qsl, quote

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "rds-db"
CLOCK_SKEW_S = 300  # how far a token's signing time may lie in the future (SigV4's tolerance)
EMPTY_BODY = hashlib.sha256(b"").hexdigest()  # a presigned GET signs an empty body


class TokenRefused(ValueError):
    """The token does not let this login in; the message says why."""


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def parse(token: str) -> tuple[str, dict[str, str]]:
    """(host:port the token was made for, its query parameters)."""
    host, sep, query = token.strip().partition("/?")
    params = dict(parse_qsl(query, keep_blank_values=True))
    if not sep or not host or "X-Amz-Signature" not in params:
        raise TokenRefused("malformed token: not a presigned 'HOST:PORT/?Action=connect&...' request")
    return host, params


def signature(secret: str, host: str, params: dict[str, str]) -> str:
    """The SigV4 signature of a presigned ``GET /`` to ``host`` with ``params``."""
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                     for k, v in sorted(params.items()) if k != "X-Amz-Signature")
    request = f"GET\n/\n{query}\nhost:{host}\n\nhost\n{EMPTY_BODY}"
    date, region, service = params["X-Amz-Credential"].split("/")[1:4]
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = f"{ALGORITHM}\n{params['X-Amz-Date']}\n{scope}\n{hashlib.sha256(request.encode()).hexdigest()}"
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret}".encode(), date), region), service), "aws4_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def verify(token: str, user: str, expected_host: str, keys: dict[str, dict], now: float) -> str:
    """Return the access key that signed ``token`` if it lets ``user`` log in to ``expected_host``
    at time ``now`` (seconds since the epoch); raise TokenRefused otherwise. ``keys`` maps each
    access key to its ``secret`` and the database ``users`` it may log in as."""
    host, params = parse(token)
    try:
        key_id, _, _, service, _ = params["X-Amz-Credential"].split("/")
        signed_at = dt.datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
        expires = int(params["X-Amz-Expires"])
    except (KeyError, ValueError):
        raise TokenRefused("malformed token: missing or unreadable X-Amz-Credential/Date/Expires") from None
    if params.get("Action") != "connect" or service != SERVICE or params.get("X-Amz-Algorithm") != ALGORITHM:
        raise TokenRefused(f"not a database login token (Action={params.get('Action')}, service={service})")
    if key_id not in keys:
        raise TokenRefused(f"unknown access key {key_id}")
    if not hmac.compare_digest(signature(keys[key_id]["secret"], host, params), params["X-Amz-Signature"]):
        raise TokenRefused("signature does not match: the token was altered or signed with another secret")
    if params.get("DBUser") != user:
        raise TokenRefused(f"token is for database user {params.get('DBUser')!r}, not {user!r}")
    if host != expected_host:
        raise TokenRefused(f"token is for {host}, not this database ({expected_host})")
    age = now - signed_at.timestamp()
    if age > expires:
        raise TokenRefused(f"token expired {age - expires:.0f} s ago (valid {expires} s from {params['X-Amz-Date']})")
    if age < -CLOCK_SKEW_S:
        raise TokenRefused(f"token signed {-age:.0f} s in the future")
    if user not in keys[key_id].get("users", ()):
        raise TokenRefused(f"access key {key_id} is not allowed to connect as {user!r} (no rds-db:connect)")
    return key_id


def main(settings_path: str) -> int:
    """pam_exec's entry: token on stdin (``expose_authtok``), user in ``PAM_USER``."""
    with open(settings_path) as f:
        settings = json.load(f)
    token, user = sys.stdin.read().strip("\0\n"), os.environ.get("PAM_USER", "")
    now = time.time() + settings.get("clock_offset_s", 0)
    try:
        key_id = verify(token, user, settings["host"], settings["keys"], now)
        verdict, code = f"accepted: {user} with key {key_id}", 0
    except TokenRefused as refused:
        verdict, code = f"refused: {user}: {refused}", 1
    with open(settings["log"], "a") as log:
        log.write(verdict + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
