"""The public regime look-up served from memory: the city's areas, the assignments, and answer bodies.

Each process keeps the area directory (code, name, path, ward: ~14,000 small rows), every assignment
(target, depth, start, end) and, per assignment and language, the JSON of what it puts in force (level,
regime, decision, every activity). A look-up then needs no query: find the area, pick the most specific
assignment in force at `at` (zoning.rules.most_specific, as the database path does), and join the bytes.

Freshness: every change of assignments comes with a new decision, so each process checks the newest
decision id at most once a second and reloads the assignments when it moved (decisions take effect in
the future, so nothing is answered wrongly meanwhile). The area directory and the answer bodies are
rebuilt at least every minute (a renamed area or an edited regime text shows within a minute). An area
code the directory does not know is answered from the database, so a new area is never refused.
"""

import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import get_language

from phaodai.territory import selectors as territory
from phaodai.zoning import rules
from phaodai.zoning import selectors as zoning

TTL_SECONDS = 60.0
GENERATION_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class AreaRow:
    code: str
    path: str
    head: bytes  # '"area":…,"area_name":…,"unit_path":…,"ward":{…}'


@dataclass(frozen=True)
class Span:
    pk: int
    depth: int
    start: datetime
    end: datetime | None


class PublicDirectory:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._areas: dict[str, AreaRow] | None = None
        self._spans: dict[str, list[Span]] = {}
        self._bodies: dict[tuple[int, str], bytes] = {}
        self._generation: tuple[int, ...] | None = None
        self._checked = float("-inf")
        self._loaded = float("-inf")

    def answer(
        self, area_code: str, at: datetime, at_iso: str, build: Callable[[int], dict[str, Any]]
    ) -> bytes | None:
        """The JSON answer, or None when the area is unknown here (the caller asks the database)."""
        self._refresh()
        areas = self._areas or {}
        area = areas.get(area_code)
        if area is None:
            return None
        span = self._in_force(area, at)
        if span is None:
            return None  # nothing in force: rare, answered by the database path with its message
        body = self._body(span.pk, build)
        return b"{" + area.head + b',"at":' + json.dumps(at_iso).encode() + b"," + body

    def reset(self) -> None:
        """Forget everything (tests start from their own data)."""
        with self._lock:
            self._areas, self._spans, self._bodies = None, {}, {}
            self._generation, self._checked, self._loaded = None, float("-inf"), float("-inf")

    def _in_force(self, area: AreaRow, at: datetime) -> Span | None:
        candidates = [
            rules.Candidate(span, span.depth, span.start)
            for target in rules.target_paths(area.path, area.code)
            for span in self._spans.get(target, ())
            if span.start <= at and (span.end is None or span.end > at)
        ]
        best = rules.most_specific(candidates)
        return best.key if best else None

    def _body(self, assignment_pk: int, build: Callable[[int], dict[str, Any]]) -> bytes:
        key = (assignment_pk, get_language() or "vi")
        bodies = (
            self._bodies
        )  # a reload meanwhile swaps the dict: a body built now never lands in the new one
        body = bodies.get(key)
        if body is None:
            members = {k: v for k, v in build(assignment_pk).items() if k != "at"}
            body = json.dumps(members, ensure_ascii=False, separators=(",", ":")).encode()[1:]
            bodies[key] = body
        return body

    def _refresh(self) -> None:
        now = self._clock()
        if now - self._checked < GENERATION_CHECK_SECONDS and now - self._loaded < TTL_SECONDS:
            return
        with self._lock:
            self._checked = now
            generation = zoning.decisions_marker()
            areas = territory.active_area_count()
            stale = now - self._loaded >= TTL_SECONDS
            if generation != self._generation or stale:
                self._spans = _spans()
                self._bodies = {}
                self._generation = generation
            if self._areas is None or stale or areas != len(self._areas):
                self._areas = _areas()
                self._loaded = now


def _areas() -> dict[str, AreaRow]:
    rows = {}
    for area in territory.public_area_directory():
        head = {
            "area": area["code"],
            "area_name": area["name"],
            "unit_path": area["path"],
            "ward": {"code": area["ward__code"], "name": area["ward__full_name"]},
        }
        text = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode()[1:-1]
        rows[area["code"]] = AreaRow(area["code"], area["path"], text)
    return rows


def _spans() -> dict[str, list[Span]]:
    spans: dict[str, list[Span]] = defaultdict(list)
    for pk, target, depth, start, end in zoning.assignment_spans():
        spans[target].append(Span(pk, depth, start, end))
    return dict(spans)


DIRECTORY = PublicDirectory()
