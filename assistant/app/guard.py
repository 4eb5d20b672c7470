"""An ASGI layer in front of gradio: bytes per upload request, files served only as downloads, slow failed logins.

- ``POST …/upload``: more than ``request_bytes`` in one request → 413 (gradio's own limit is per file).
- ``GET …/file=…``: always ``Content-Disposition: attachment``, ``nosniff`` and a sandboxing CSP, so nothing
  uploaded (``evil.html``, ``evil.svg``) can run on the app's origin; files in gradio's upload folder that are
  neither an accepted input type nor a report format → 403.
- ``POST /login``: after a failed login the next attempt from that client, or for that user, waits longer and
  longer (bounded); attempts are taken one at a time per client and per user, so parallel guessing gains nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from pathlib import Path
from typing import Any

from .settings import AppLimits

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOGIN_BODY_BYTES = 64 * 1024  # a login form is a few hundred bytes
FILE_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"content-security-policy": b"sandbox; default-src 'none'",
}


def served_file(path: str) -> str | None:
    """The file a gradio file route (``…/file=PATH``, ``/gradio_api/file/PATH``) is asked for, or None."""
    if "/file=" in path:
        return path.split("/file=", 1)[1]
    for prefix in ("/gradio_api/file/", "/file/"):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return None


def login_delay(failures: int, base: float, cap: float) -> float:
    """Seconds an attempt waits after ``failures`` recent failed ones: 0, base, 2·base, 4·base … at most ``cap``."""
    if failures <= 0:
        return 0.0
    return min(cap, base * 2 ** min(failures - 1, 32))


class LoginThrottle:
    """Recent failed logins per key (``client:IP``, ``user:NAME``), forgotten after a while, bounded in number."""

    def __init__(self, limits: AppLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()  # key → (count, time of the last)
        self._locks: dict[str, asyncio.Lock] = {}

    def failures(self, key: str) -> int:
        count, last = self._failures.get(key, (0, 0.0))
        if count and self._clock() - last > self.limits.login_forget_seconds:
            del self._failures[key]
            return 0
        return count

    def delay(self, keys: Iterable[str]) -> float:
        """How long the next attempt for these keys waits: the longest of their delays."""
        base, cap = self.limits.login_delay_base, self.limits.login_delay_max
        return max((login_delay(self.failures(k), base, cap) for k in keys), default=0.0)

    def record(self, keys: Iterable[str], *, succeeded: bool) -> None:
        for key in keys:
            if succeeded:
                self._failures.pop(key, None)
                continue
            self._failures[key] = (self.failures(key) + 1, self._clock())
            self._failures.move_to_end(key)
        while len(self._failures) > self.limits.login_max_tracked:
            self._failures.popitem(last=False)
        for key in [k for k, lock in self._locks.items() if k not in self._failures and not lock.locked()]:
            del self._locks[key]

    async def attempt(self, keys: list[str], login: Callable[[], Awaitable[bool]]) -> bool:
        """Run ``login()`` after the delay the keys have earned, one attempt at a time per key; its outcome."""
        ordered = sorted(set(keys))  # always taken in the same order: no deadlock between two keys
        locks = [self._locks.setdefault(key, asyncio.Lock()) for key in ordered]
        for lock in locks:
            await lock.acquire()
        try:
            await asyncio.sleep(self.delay(ordered))
            succeeded = await login()
            self.record(ordered, succeeded=succeeded)
            return succeeded
        finally:
            for lock in reversed(locks):
                lock.release()


async def _json(send: Send, status: int, detail: str) -> None:
    body = ('{"detail": "' + detail.replace('"', "'") + '"}').encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((value for key, value in scope.get("headers", []) if key.lower() == name), None)


def _replay(body: bytes) -> Receive:
    """A ``receive`` that hands over ``body`` once, as if it had just arrived."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class AppGuard:
    """The ASGI middleware; one per app (``launch(app_kwargs={"middleware": [Middleware(AppGuard, …)]})``)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        request_bytes: int,
        upload_dir: str | Path,
        servable_suffixes: Iterable[str],
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.app = app
        self.request_bytes = request_bytes
        self.upload_dir = Path(upload_dir).resolve()
        self.servable = frozenset(s.lower() for s in servable_suffixes)
        self.throttle = throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope.get("path", ""), scope.get("method", "GET")
        if method == "POST" and path.rstrip("/").endswith("/upload"):
            await self._upload(scope, receive, send)
        elif method == "POST" and path.rstrip("/").endswith("/login") and self.throttle is not None:
            await self._login(scope, receive, send)
        elif (target := served_file(path)) is not None:
            await self._file(scope, receive, send, target)
        else:
            await self.app(scope, receive, send)

    async def _upload(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.request_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _json(send, 413, f"upload request larger than {limit // (1024 * 1024)} MB")
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await _json(send, 413, f"upload request larger than {limit // (1024 * 1024)} MB")

    async def _file(self, scope: Scope, receive: Receive, send: Send, target: str) -> None:
        try:
            resolved = Path(target).resolve()
        except (OSError, ValueError):
            resolved = None
        uploaded = resolved is not None and resolved.is_relative_to(self.upload_dir)
        if resolved is not None and uploaded and resolved.suffix.lower() not in self.servable:
            await _json(send, 403, "file type not served")
            return

        async def as_download(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in FILE_HEADERS and k.lower() != b"content-disposition"
                ]
                disposition = next(
                    (v for k, v in message.get("headers", []) if k.lower() == b"content-disposition"), b""
                )
                _, sep, rest = disposition.partition(b";")
                headers.append((b"content-disposition", b"attachment" + (sep + rest if sep else b"")))
                headers.extend(FILE_HEADERS.items())
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, as_download)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.throttle is None:  # only called when a login is configured, which creates the throttle
            raise RuntimeError("the login form is served without a login configured")
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > LOGIN_BODY_BYTES:
                await _json(send, 413, "login form too large")
                return
            if not message.get("more_body"):
                break
        client = (scope.get("client") or ("?", 0))[0]
        keys = [f"client:{client}", *(f"user:{name}" for name in [await _username(scope, body)] if name)]
        statuses: list[int] = []

        async def recorded(message: Message) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])
            await send(message)

        async def login() -> bool:
            await self.app(scope, _replay(body), recorded)
            return bool(statuses) and statuses[0] < 400

        await self.throttle.attempt(keys, login)


async def _username(scope: Scope, body: bytes) -> str:
    """The ``username`` field of a login form (urlencoded or multipart), or empty."""
    from starlette.requests import Request

    try:
        form = await Request(scope, _replay(body)).form()
    except Exception:  # a form that cannot be parsed is gradio's to refuse; throttle by client only
        return ""
    name = form.get("username")
    return name.strip() if isinstance(name, str) else ""
