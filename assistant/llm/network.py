"""The network between the assistant and its endpoint: which proxy applies, and why a connection failed.

The openai SDK's HTTP client (httpx) takes ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY``
from the environment and ``SSL_CERT_FILE`` for a company's TLS-inspecting proxy; these functions only say
what applies, for messages and ``okr-review doctor``, with any password in a proxy URL masked.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

DEFAULT_BASE_URL = "https://api.openai.com/v1"


def proxy_for(url: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The proxy a request to ``url`` goes through (credentials masked), or ``None`` for a direct connection."""
    env = os.environ if environ is None else environ
    target = urlsplit(url or DEFAULT_BASE_URL)
    scheme = target.scheme or "https"

    def variable(name: str) -> str | None:
        return env.get(name.upper()) or env.get(name.lower()) or None

    proxy = variable(f"{scheme}_proxy") or variable("all_proxy")
    if proxy is None:
        return None
    no_proxy = variable("no_proxy")
    if no_proxy and _bypassed(target.hostname or "", target.port, no_proxy):
        return None
    return mask_url(proxy)


def _bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` (comma-separated hosts, ``.domains``, ``host:port`` or ``*``) exempts ``host``."""
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        name, _, entry_port = entry.partition(":") if entry.count(":") == 1 else (entry, "", "")
        if entry_port and str(port) != entry_port:
            continue
        name = name.lstrip(".")
        if host.lower() == name or host.lower().endswith("." + name):
            return True
    return False


def mask_url(url: str) -> str:
    """``url`` with the password of any ``user:password@`` part replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def connection_problem(exc: BaseException, url: str | None) -> str:
    """Why a connection to ``url`` failed, in words a user can act on: DNS, refused, TLS, proxy or reset."""
    where = urlsplit(url or DEFAULT_BASE_URL)
    host = where.hostname or "?"
    port = where.port or (443 if where.scheme == "https" else 80)
    chain = list(_causes(exc))
    text = " ".join(str(e) for e in chain).lower()
    proxy = proxy_for(url)
    via = f" through the proxy {proxy}" if proxy else ""
    if any(isinstance(e, socket.gaierror) for e in chain) or any(
        marker in text
        for marker in ("name or service not known", "nodename nor servname", "getaddrinfo failed", "name resolution")
    ):
        return f"cannot resolve the host name {host!r} (DNS){via}: check the base URL and the network"
    if "certificate" in text or "ssl" in text:
        return (
            f"TLS handshake with {host} failed{via}: behind a company proxy that inspects TLS, "
            "point SSL_CERT_FILE at its CA certificate"
        )
    if proxy and ("proxy" in text or "tunnel" in text):
        return f"the proxy {proxy} refused or failed the connection to {host}:{port}: check HTTPS_PROXY / NO_PROXY"
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
        return f"connection refused at {host}:{port}{via}: is the server running, and is the port right?"
    return f"cannot reach {host}:{port}{via} ({_last_words(chain)})"


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _last_words(chain: list[BaseException]) -> str:
    for error in reversed(chain):
        words = " ".join(str(error).split())
        if words:
            return words[:160]
    return type(chain[-1]).__name__ if chain else "unknown error"
