"""The lab's browser against two tiny local HTTP servers: one cookie jar for both ports."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from labkit.cache.sessions.browser import Browser


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/set":
            body, status, extra = {"set": True}, 200, [("Set-Cookie", "session=abc; Path=/")]
        elif self.path == "/text":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>")
            return
        else:
            cookie = self.headers.get("Cookie")
            body, status, extra = {"cookie": cookie}, 200 if cookie else 401, []
        raw = json.dumps(body).encode()
        self.send_response(status)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):  # keep test output quiet
        return


@pytest.fixture
def two_sites():
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield [f"http://127.0.0.1:{s.server_address[1]}" for s in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_cookie_from_one_port_is_sent_to_the_other(two_sites):
    first, second = two_sites
    browser = Browser(timeout=2)
    assert browser.get(second + "/who").status == 401
    assert browser.get(first + "/set").body == {"set": True}
    assert browser.cookie("session") == "abc"
    reply = browser.get(second + "/who")
    assert reply.status == 200 and reply.body == {"cookie": "session=abc"}
    assert reply.seconds > 0


def test_answers_that_are_not_json_or_not_there(two_sites):
    browser = Browser(timeout=2)
    assert "not JSON" in browser.get(two_sites[0] + "/text").body["error"]
    closed = Browser(timeout=2).get("http://127.0.0.1:1/")
    assert closed.status is None and "no answer" in closed.body["error"]
    assert browser.cookie("session") is None
