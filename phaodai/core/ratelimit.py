"""How often an anonymous client may do something costly (file a public form), counted per window.

A fixed window in the cache: simple and good enough against a script flooding a public form; not a
security boundary. Only what was done counts (`spend` after success), so a refused or repeated
submission does not use the budget up. The client is REMOTE_ADDR: behind a reverse proxy, the
deployment sets it from the proxy's header (docs/guide/declarations.md), never from a header the
client sends.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from phaodai.core.clock import Clock, now
from phaodai.core.errors import DomainError


class TooManyRequests(DomainError):
    code = "too_many_requests"
    message = _("Too many submissions from this device in a short time; wait a little and try again.")
    status = 429


def client_of(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


@dataclass(frozen=True)
class Budget:
    """At most `limit` actions named `name` per client in each window of `window`."""

    name: str
    limit: int
    window: timedelta

    def _key(self, client: str, clock: Clock) -> str:
        bucket = int(clock().timestamp() // self.window.total_seconds())
        return f"ratelimit:{self.name}:{client}:{bucket}"

    def check(self, client: str, clock: Clock = now) -> None:
        """Refuse (429) when the client has used up this window's budget."""
        if cache.get(self._key(client, clock), 0) >= self.limit:
            raise TooManyRequests()

    def spend(self, client: str, clock: Clock = now) -> None:
        key = self._key(client, clock)
        timeout = int(self.window.total_seconds()) + 60
        if not cache.add(key, 1, timeout):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr: start again
                cache.add(key, 1, timeout)
