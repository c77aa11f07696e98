"""The server-side check of IAM-style login tokens, against tokens botocore really signs."""
import io
import json
import time

import boto3
import pytest

from labkit.security import iam_token

HOST = "127.0.0.1:14000"
KEYS = {"AKIALOCALTEST0000001": {"secret": "s3cret/+x", "users": ["app_iam"]},
        "AKIALOCALTEST0000002": {"secret": "other", "users": ["reporting"]}}


def sign(user="app_iam", key="AKIALOCALTEST0000001", secret="s3cret/+x", host="127.0.0.1", port=14000):
    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name="eu-west-1")
    return session.client("rds").generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user)


def test_a_token_botocore_signed_is_accepted_and_names_its_key():
    assert iam_token.verify(sign(), "app_iam", HOST, KEYS, time.time()) == "AKIALOCALTEST0000001"


@pytest.mark.parametrize("token, user, why", [
    (lambda: sign(user="reporting"), "app_iam", "token is for database user 'reporting'"),
    (lambda: sign().replace("DBUser=app_iam", "DBUser=reporting"), "reporting", "signature does not match"),
    (lambda: sign(secret="guessed"), "app_iam", "signature does not match"),
    (lambda: sign(key="AKIALOCALTEST0000002", secret="other"), "app_iam", "not allowed to connect as 'app_iam'"),
    (lambda: sign(key="AKIALOCALNOBODY00000"), "app_iam", "unknown access key"),
    (lambda: sign(port=5432), "app_iam", "not this database"),
    (lambda: "hunter2", "app_iam", "malformed token"),
    (lambda: "127.0.0.1:14000/?X-Amz-Signature=00", "app_iam", "malformed token: missing"),
])
def test_every_wrong_token_is_refused_with_its_reason(token, user, why):
    with pytest.raises(iam_token.TokenRefused, match=why):
        iam_token.verify(token(), user, HOST, KEYS, time.time())


def test_a_token_expires_after_fifteen_minutes_of_the_injected_clock():
    token, now = sign(), time.time()
    assert iam_token.verify(token, "app_iam", HOST, KEYS, now + 14 * 60)
    with pytest.raises(iam_token.TokenRefused, match="expired"):
        iam_token.verify(token, "app_iam", HOST, KEYS, now + 16 * 60)
    with pytest.raises(iam_token.TokenRefused, match="in the future"):
        iam_token.verify(token, "app_iam", HOST, KEYS, now - 3600)


def test_the_pam_entry_reads_stdin_and_logs_its_verdict(tmp_path, monkeypatch):
    settings = tmp_path / "settings.json"
    log = tmp_path / "verdicts.log"
    settings.write_text(json.dumps({"host": HOST, "keys": KEYS, "clock_offset_s": 0, "log": str(log)}))
    monkeypatch.setenv("PAM_USER", "app_iam")
    monkeypatch.setattr("sys.stdin", io.StringIO(sign() + "\0"))
    assert iam_token.main(str(settings)) == 0
    settings.write_text(json.dumps({"host": HOST, "keys": KEYS, "clock_offset_s": 3600, "log": str(log)}))
    monkeypatch.setattr("sys.stdin", io.StringIO(sign() + "\0"))
    assert iam_token.main(str(settings)) == 1
    first, second = log.read_text().splitlines()
    assert first.startswith("accepted: app_iam") and "expired" in second
