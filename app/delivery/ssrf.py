"""Which webhook destinations Courier may call.

A webhook URL is chosen by a tenant, so without care it is a way to make Courier
call its own network (the cloud metadata service, the database, an admin port).
A destination must be https (plain http only with ``COURIER_DELIVERY_ALLOW_HTTP``),
and every address its host resolves to must be publicly routable unless it is in
``COURIER_DELIVERY_SSRF_ALLOW_LIST``. The check runs when an endpoint is
registered and again before each delivery, and the delivery connects to the
address that was checked (DNS may change in between).

Three more ways in are closed here:

* An IPv6 address that carries an IPv4 address (IPv4-mapped ``::ffff:0:0/96``,
  NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``) reaches that IPv4 address, so it is
  judged by the embedded address; other IPv6 forms that are not ordinary global
  unicast (IPv4-compatible ``::/96``, local-use NAT64, Teredo) are refused.
* A refusal never says what a name resolved to: the tenant learns that the name
  is not a public destination, not the internal address behind it (no mapping of
  the internal DNS through error messages or delivery records).
* Resolving a name has its own deadline and runs on the guard's own few threads,
  never on the event loop's default executor: psycopg resolves database hosts
  there, so a slow DNS answer for a tenant's URL must not hold up database
  connections. A lookup that does not answer in time refuses the destination for
  now (the relay retries later).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

from app.errors import InvalidRequestError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Metadata services that are reachable on some clouds although their address looks
# ordinary; they are never allowed, even by the allow-list.
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"),  # AWS IPv6
}

_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits

# Threads of one guard's resolver: lookups are short; a few that hang only delay other
# lookups of this guard (each bounded by its timeout), never the default executor.
RESOLVER_THREADS = 8


class DestinationRefused(InvalidRequestError):
    """The webhook destination is not allowed."""


@dataclass(frozen=True)
class Destination:
    """A checked URL and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    target: str
    address: IPAddress

    @property
    def pinned_url(self) -> str:
        """The URL with the host replaced by the checked address."""
        address = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return f"{self.scheme}://{address}:{self.port}{self.target}"

    def redact(self, text: str) -> str:
        """``text`` (an error from connecting, say) with the resolved address replaced by
        the host the tenant wrote, so a delivery record never shows where a name points."""
        for form in {str(self.address), self.address.exploded}:
            text = text.replace(form, self.host)
        return text


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address delivers to (IPv4-mapped, NAT64 or 6to4), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return address.sixtofour


def _not_public(address: IPAddress) -> str | None:
    """Why an address (IPv4, or IPv6 without an embedded IPv4) is not a public
    destination, or None when it is."""
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    # Python 3.11 calls some reserved IPv6 blocks (::/8 with IPv4-compatible and
    # local-use NAT64 addresses) global: reserved is never a public destination.
    if not address.is_global or address.is_reserved or address.is_unspecified:
        return "private or reserved"
    return None


class DestinationGuard:
    def __init__(
        self, *, allow_http: bool, allow_list: list[str], resolve_timeout_seconds: float = 2.0
    ) -> None:
        self.allow_http = allow_http
        self.resolve_timeout_seconds = resolve_timeout_seconds
        try:
            self.allow_list = [
                ipaddress.ip_network(network, strict=False) for network in allow_list
            ]
        except ValueError as exc:
            raise ValueError(f"COURIER_DELIVERY_SSRF_ALLOW_LIST: {exc}") from exc
        # Threads start on first use and end when the guard is collected.
        self._resolver = ThreadPoolExecutor(RESOLVER_THREADS, thread_name_prefix="courier-dns")

    def check_syntax(self, url: str) -> tuple[str, str, int, str]:
        """Scheme, host, port and request target, or :class:`DestinationRefused`."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise DestinationRefused(f"not a valid URL: {exc}") from exc
        scheme = parts.scheme.lower()
        if scheme != "https" and not (scheme == "http" and self.allow_http):
            raise DestinationRefused("the URL must use https")
        if parts.username is not None or parts.password is not None:
            raise DestinationRefused("the URL must not contain credentials")
        if not parts.hostname:
            raise DestinationRefused("the URL has no host")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return scheme, parts.hostname, port or (443 if scheme == "https" else 80), target

    async def check(self, url: str) -> Destination:
        """Resolve the URL's host and check every address; returns the address to use."""
        scheme, host, port, target = self.check_syntax(url)
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            reason = self._refusal(literal)
            if reason is not None:
                raise DestinationRefused(f"{host} is {reason}")
            return Destination(url, scheme, host, port, target, literal)
        addresses = await self._resolve(host, port)
        # One answer for every name that is not a public destination, whatever it
        # resolved to (or whether it resolved at all): the reason would map internal DNS.
        if not addresses or any(self._refusal(address) for address in addresses):
            raise DestinationRefused(f"{host} does not resolve to a public address")
        return Destination(url, scheme, host, port, target, addresses[0])

    async def _resolve(self, host: str, port: int) -> list[IPAddress]:
        loop = asyncio.get_running_loop()
        lookup = loop.run_in_executor(
            self._resolver,
            lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM),
        )
        try:
            async with asyncio.timeout(self.resolve_timeout_seconds):
                infos = await lookup
        except TimeoutError as exc:
            raise DestinationRefused(
                f"{host} could not be resolved within {self.resolve_timeout_seconds:g} s"
            ) from exc
        except (OSError, UnicodeError):
            return []
        # Stream sockets resolve to IPv4/IPv6 addresses, whose first item is the host str.
        return list(
            dict.fromkeys(
                ipaddress.ip_address(cast(str, info[4][0]).split("%")[0]) for info in infos
            )
        )

    def _refusal(self, address: IPAddress) -> str | None:
        """Why Courier may not connect to ``address``, or None when it may."""
        embedded = embedded_ipv4(address)
        judged = embedded or address  # where the packets end up
        if address in _METADATA or judged in _METADATA:
            return "a cloud metadata address"
        if any(a in network for a in (address, judged) for network in self.allow_list):
            return None
        kind = _not_public(judged)
        if kind is None:
            return None
        return f"a {kind} address" + (" (embedded in IPv6)" if embedded else "")
