"""Which webhook destinations Courier may call.

A webhook URL is chosen by a tenant, so without care it is a way to make Courier
call its own network (the cloud metadata service, the database, an admin port).
A destination must be https (plain http only with ``COURIER_DELIVERY_ALLOW_HTTP``),
and every address its host resolves to must be publicly routable unless it is in
``COURIER_DELIVERY_SSRF_ALLOW_LIST``. The check runs when an endpoint is
registered and again before each delivery, and the delivery connects to the
address that was checked (DNS may change in between).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
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


class DestinationGuard:
    def __init__(self, *, allow_http: bool, allow_list: list[str]) -> None:
        self.allow_http = allow_http
        try:
            self.allow_list = [
                ipaddress.ip_network(network, strict=False) for network in allow_list
            ]
        except ValueError as exc:
            raise ValueError(f"COURIER_DELIVERY_SSRF_ALLOW_LIST: {exc}") from exc

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
            addresses = [literal]
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, port, type=socket.SOCK_STREAM
                )
            except OSError as exc:
                raise DestinationRefused(f"the host {host!r} does not resolve") from exc
            # Stream sockets resolve to IPv4/IPv6 addresses, whose first item is the host str.
            addresses = list(
                dict.fromkeys(
                    ipaddress.ip_address(cast(str, info[4][0]).split("%")[0]) for info in infos
                )
            )
        if not addresses:
            raise DestinationRefused(f"the host {host!r} does not resolve")
        for address in addresses:
            self._check_address(host, address)
        return Destination(url, scheme, host, port, target, addresses[0])

    def _check_address(self, host: str, address: IPAddress) -> None:
        mapped = getattr(address, "ipv4_mapped", None)
        effective = mapped or address
        if effective in _METADATA:
            raise DestinationRefused(f"{host} resolves to a cloud metadata address")
        if any(effective in network for network in self.allow_list):
            return
        if not effective.is_global or effective.is_multicast:
            kind = (
                "loopback"
                if effective.is_loopback
                else "link-local"
                if effective.is_link_local
                else "multicast"
                if effective.is_multicast
                else "private or reserved"
            )
            raise DestinationRefused(f"{host} resolves to a {kind} address ({effective})")
