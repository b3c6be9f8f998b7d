"""A polite HTTP client for public sources: identifies itself, rate-limits, retries carefully.

- User-Agent names the tool and a contact (SEC requires it); gzip is accepted.
- A token bucket keeps requests under the source's limit (SEC: 10/s; we default to 9/s).
- Conditional requests: pass the stored ETag / Last-Modified; a 304 returns no body.
- Retries with exponential backoff and full jitter on 429, 5xx, timeouts, resets and truncated
  bodies, honouring `Retry-After`; other 4xx fail at once (retrying cannot fix them).
- A size cap aborts responses larger than `max_bytes` instead of filling memory.
- A failed name lookup means the network is unreachable: no retries, so offline runs fall back fast.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

RETRY_STATUSES = {429, 500, 502, 503, 504}
_DNS_HINTS = ("name or service not known", "temporary failure in name resolution",
              "nodename nor servname", "no address associated", "getaddrinfo failed",
              "name resolution")


class FetchError(Exception):
    """A request failed for good; `reason` says why in words a user can act on."""

    def __init__(self, url: str, reason: str, *, status: int | None = None, attempts: int = 1):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.attempts = attempts


class NetworkUnreachable(FetchError):
    """The host could not be resolved or reached at all: the caller should work offline."""


class ResponseTooLarge(FetchError):
    """The response exceeded the size cap."""


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    content: bytes
    headers: dict[str, str]
    attempts: int

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


class TokenBucket:
    """Allows `rate` requests per second on average, with bursts up to `capacity`."""

    def __init__(self, rate: float, capacity: float | None = None) -> None:
        self.rate = rate
        self.capacity = capacity if capacity is not None else max(1.0, rate)
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self.rate
            time.sleep(wait)


class PoliteClient:
    """httpx wrapper with identification, rate limit, retries, conditional GET and a size cap.

    SEC's fair-access policy allows 10 requests a second per client, so the default rate stays
    under it. `timeout_s` applies to each read, `connect_timeout_s` to the handshake. Timeouts,
    resets, 429 and 5xx are retried up to `retries` times with exponential backoff and full
    jitter from `backoff_base_s`; a Retry-After header sets the wait, and one longer than
    `backoff_max_s` fails the fetch rather than retry early; other 4xx are not retried. A body
    larger than `max_bytes` is refused rather than held in memory.
    """

    def __init__(self, user_agent: str, *, rate_per_second: float = 9.0, timeout_s: float = 20.0,
                 connect_timeout_s: float = 5.0, retries: int = 3, backoff_base_s: float = 0.5,
                 backoff_max_s: float = 30.0, max_bytes: int = 200 * 1024 * 1024) -> None:
        self.user_agent, self.rate_per_second, self.max_bytes = user_agent, rate_per_second, max_bytes
        self.retries, self.backoff_base_s, self.backoff_max_s = retries, backoff_base_s, backoff_max_s
        self._bucket = TokenBucket(rate_per_second)
        self._client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
            follow_redirects=True,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            form: Mapping[str, str] | None = None) -> Response:
        """GET `url` (POST `form`, form-encoded, when given: a query API such as cninfo's);
        returns the response (status 200 or 304) or raises FetchError."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            attempt += 1
            self._bucket.acquire()
            try:
                status, body, response_headers = self._get_once(url, headers, form)
            except NetworkUnreachable:
                raise
            except (httpx.TimeoutException, httpx.TransportError, _Truncated) as exc:
                reason = _describe_transport_error(exc)
                if attempt > self.retries:
                    raise FetchError(url, f"{reason} (gave up after {attempt} attempts)",
                                     attempts=attempt) from exc
                self._sleep_before_retry(attempt, None)
                continue
            if status in (200, 203, 304):
                return Response(url, status, body if status != 304 else b"", response_headers, attempt)
            if status in RETRY_STATUSES and attempt <= self.retries:
                wait = _retry_after_seconds(response_headers.get("retry-after"))
                if wait is not None and wait > self.backoff_max_s:
                    # Retrying sooner than asked would be impolite (SEC blocks clients that do).
                    raise FetchError(url, f"HTTP {status}: the server asks to wait {wait:.0f} s (Retry-After), "
                                          f"longer than this run waits ({self.backoff_max_s:.0f} s); try again later",
                                     status=status, attempts=attempt)
                self._sleep_before_retry(attempt, response_headers.get("retry-after"))
                continue
            hint = _status_hint(status)
            raise FetchError(url, f"HTTP {status}{hint} after {attempt} attempt(s)",
                             status=status, attempts=attempt)

    def _get_once(self, url: str, headers: dict[str, str],
                  form: Mapping[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        method, data = ("POST", dict(form)) if form is not None else ("GET", None)
        try:
            with self._client.stream(method, url, headers=headers, data=data) as response:
                response_headers = {k.lower(): v for k, v in response.headers.items()}
                declared = response_headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise ResponseTooLarge(url, f"response of {declared} bytes exceeds the cap of {self.max_bytes}")
                chunks, received = [], 0
                if response.status_code == 200:
                    for chunk in response.iter_bytes():
                        received += len(chunk)
                        if received > self.max_bytes:
                            raise ResponseTooLarge(url, f"response exceeds the cap of {self.max_bytes} bytes")
                        chunks.append(chunk)
                else:
                    response.read()
                return response.status_code, b"".join(chunks), response_headers
        except httpx.ConnectError as exc:
            if any(hint in str(exc).lower() for hint in _DNS_HINTS):
                raise NetworkUnreachable(url, f"cannot resolve host ({exc})") from exc
            raise
        except httpx.RemoteProtocolError as exc:
            raise _Truncated(str(exc)) from exc

    def _sleep_before_retry(self, attempt: int, retry_after: str | None) -> None:
        delay = _retry_after_seconds(retry_after)
        if delay is None:
            # Full jitter: a random delay up to the exponential ceiling spreads retries out.
            delay = random.uniform(0, min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1)))
        time.sleep(min(delay, self.backoff_max_s))


class _Truncated(Exception):
    """The server closed the connection before sending the whole body."""


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _describe_transport_error(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, _Truncated):
        return f"connection closed before the whole body arrived ({exc})"
    return f"connection failed ({type(exc).__name__}: {exc})"


def _status_hint(status: int) -> str:
    if status == 403:
        return " (forbidden: SEC rejects requests without a User-Agent naming you; set AIPIPE_CONTACT)"
    if status == 404:
        return " (not found: check the URL or identifier)"
    if status == 429:
        return " (rate limited: retries exhausted)"
    return ""
