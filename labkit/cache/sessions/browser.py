"""A minimal browser: one cookie jar shared by every site it visits, JSON answers, timings.

Cookies are not tied to a port, so a cookie set by one instance on 127.0.0.1 is sent to the
other instance on 127.0.0.1 too, just as a load balancer in front of both would present them
under one name. Built on the standard library (urllib, http.cookiejar).
"""
from __future__ import annotations

import http.cookiejar
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    status: int | None     # HTTP status; None when no answer came (refused, timed out)
    body: dict             # the JSON answer, or {"error": ...}
    seconds: float         # from sending the request to the end of the answer


class Browser:
    def __init__(self, timeout: float = 10.0):
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> Reply:
        return self._send(urllib.request.Request(url))

    def post(self, url: str, form: dict[str, str] | None = None) -> Reply:
        data = urllib.parse.urlencode(form or {}).encode()
        return self._send(urllib.request.Request(url, data=data, method="POST"))

    def cookie(self, name: str) -> str | None:
        """The value of cookie ``name``, whichever site set it; None if there is none."""
        return next((c.value for c in self.jar if c.name == name), None)

    def _send(self, req: urllib.request.Request) -> Reply:
        t0 = time.monotonic()
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:  # 4xx/5xx: still an answer, with a body
            status, raw = err.code, err.read()
        except (urllib.error.URLError, socket.timeout, ConnectionError) as err:
            reason = getattr(err, "reason", err)
            return Reply(None, {"error": f"no answer from {req.full_url}: {reason}"},
                         time.monotonic() - t0)
        seconds = time.monotonic() - t0
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"error": f"not JSON: {raw[:80]!r}"}
        return Reply(status, body, seconds)
