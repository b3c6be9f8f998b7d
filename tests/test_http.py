"""The polite HTTP client against a real server on 127.0.0.1: each fault has its expected outcome."""

from __future__ import annotations

import time

import pytest

from aipipe.core.http import FetchError, NetworkUnreachable, PoliteClient, ResponseTooLarge, TokenBucket
from tests.support.fault_server import FaultServer, Reply


@pytest.fixture()
def server():
    with FaultServer() as s:
        yield s


def client(**kw) -> PoliteClient:
    defaults = dict(user_agent="aipipe-test (test@example.invalid)", timeout_s=1.0, retries=3,
                    backoff_base_s=0.01, backoff_max_s=2.0)
    defaults.update(kw)
    return PoliteClient(**defaults)


def test_sends_user_agent_and_gzip(server):
    server.route("/a", Reply(200, b"ok", require_user_agent=True))
    with client() as c:
        response = c.get(server.url + "/a")
    assert response.content == b"ok"
    seen = server.hits("/a")[0].headers
    assert seen["user-agent"].startswith("aipipe-test")
    assert "gzip" in seen["accept-encoding"]


def test_403_without_user_agent_is_not_retried(server):
    server.route("/ua", Reply(200, b"ok", require_user_agent=True))
    with client(user_agent="") as c, pytest.raises(FetchError) as err:
        c.get(server.url + "/ua")
    assert err.value.status == 403 and "User-Agent" in err.value.reason
    assert len(server.hits("/ua")) == 1


def test_304_with_etag_returns_no_body(server):
    server.route("/e", Reply(200, b"payload", etag='"v1"'))
    with client() as c:
        first = c.get(server.url + "/e")
        second = c.get(server.url + "/e", etag=first.etag)
    assert first.status == 200 and first.etag == '"v1"'
    assert second.not_modified and second.content == b""
    assert server.hits("/e")[1].headers["if-none-match"] == '"v1"'


def test_429_honours_retry_after(server):
    server.route("/r", Reply(429, b"slow down", {"Retry-After": "1"}), Reply(200, b"done"))
    with client() as c:
        started = time.monotonic()
        response = c.get(server.url + "/r")
    hits = server.hits("/r")
    assert response.content == b"done" and response.attempts == 2
    assert hits[1].at - hits[0].at >= 0.95
    assert time.monotonic() - started >= 0.95


def test_500_then_success(server):
    server.route("/s", Reply(500, b"oops"), Reply(503, b"busy"), Reply(200, b"fine"))
    with client() as c:
        response = c.get(server.url + "/s")
    assert response.content == b"fine" and response.attempts == 3


def test_persistent_5xx_gives_up_with_reason(server):
    server.route("/x", Reply(502, b"bad gateway"))
    with client(retries=2) as c, pytest.raises(FetchError) as err:
        c.get(server.url + "/x")
    assert err.value.status == 502 and err.value.attempts == 3
    assert len(server.hits("/x")) == 3


def test_404_is_not_retried(server):
    with client() as c, pytest.raises(FetchError) as err:
        c.get(server.url + "/missing")
    assert err.value.status == 404 and len(server.hits("/missing")) == 1


def test_timeout_is_retried_then_reported(server):
    server.route("/slow", Reply(200, b"late", delay_s=1.5))
    with client(timeout_s=0.3, retries=1) as c, pytest.raises(FetchError) as err:
        c.get(server.url + "/slow")
    assert "timed out" in err.value.reason and err.value.attempts == 2


def test_truncated_body_is_retried_then_succeeds(server):
    body = b'{"cik": 1, "facts": {}}'
    server.route("/t", Reply(200, body, truncate_to=5), Reply(200, body))
    with client() as c:
        response = c.get(server.url + "/t")
    assert response.content == body and response.attempts == 2


def test_connection_reset_is_retried(server):
    server.route("/reset", Reply(reset=True), Reply(200, b"after reset"))
    with client() as c:
        response = c.get(server.url + "/reset")
    assert response.content == b"after reset"


def test_size_cap(server):
    server.route("/big", Reply(200, b"x" * 5000))
    with client(max_bytes=1000) as c, pytest.raises(ResponseTooLarge):
        c.get(server.url + "/big")


def test_unresolvable_host_is_network_unreachable_without_retries():
    with client() as c, pytest.raises(NetworkUnreachable):
        c.get("http://no-such-host.invalid/x")


def test_token_bucket_limits_rate():
    bucket = TokenBucket(rate=20, capacity=1)
    started = time.monotonic()
    for _ in range(11):
        bucket.acquire()
    # 1 token up front, then 10 more at 20/s: at least 0.5 s.
    assert time.monotonic() - started >= 0.45
