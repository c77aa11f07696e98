"""The in-memory Redis of the unit tests answers as Redis does where the labs rely on it."""
from cache_fakes import FakeRedis


def test_scan_matches_a_glob_as_redis_does_not_a_prefix():
    fake = FakeRedis()
    for key in ("lab8:product:1", "lab8:session:1", "lab9:product:1", "lab8:product:10"):
        fake.set(key, "v")
    assert sorted(fake.scan_iter(match="lab8:*")) == ["lab8:product:1", "lab8:product:10", "lab8:session:1"]
    assert sorted(fake.scan_iter(match="lab?:product:1")) == ["lab8:product:1", "lab9:product:1"]
    assert sorted(fake.scan_iter(match="*:1")) == ["lab8:product:1", "lab8:session:1", "lab9:product:1"]
