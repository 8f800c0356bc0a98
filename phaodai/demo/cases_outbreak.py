"""The demo epidemic's toolkit: who is cast from the registry, and each step of an outbreak written through
the cases and quarantine services at its own moment (the stories are in cases_seed.py).

Every step goes through the same service a page or the API calls, with the clock of the day it happens,
so what the demo shows (levels, clusters, KPIs, worklists, notifications, the audit log) is what those
services make of it, not rows written by hand.
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from phaodai.cases import isolation, services
from phaodai.cases.isolation_selectors import traced_subject
from phaodai.core.clock import HANOI
from phaodai.demo.population import REFERENCE_DATE
from phaodai.demo.scenarios import at
from phaodai.people import selectors as people
from phaodai.quarantine import selectors as quarantine
from phaodai.quarantine import services as quarantine_services
from phaodai.territory import selectors as territory

# Idempotency keys of the demo's cases and orders: a key sent again returns the first record.
KEY_PREFIX = "demo-2021-09"
ADULT_AGES = (20, 60)


def moment(day: date, hour: int, minute: int = 0) -> datetime:
    """A Hà Nội wall-clock moment of the demo's calendar."""
    return datetime.combine(day, time(hour, minute), tzinfo=HANOI)


def age_of(person: Any) -> int:
    return (REFERENCE_DATE - person.birth_date).days // 365 if person.birth_date else 0


# Casting ---------------------------------------------------------------------------------------------


class Cast:
    """Residents the stories cast, read from the registry in a fixed order, each used at most once.

    A story asks for people of an area; when the area has too few, the rest of its ward, then its
    district, stand in (a small `--persons` run still gets every story).
    """

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.used: set[Any] = set()

    def _households(self, area: Any) -> list[list[Any]]:
        """The area's registered households (in code order), members oldest first, unused ones only."""
        residents = (
            people.persons_visible_to(self.reader)
            .filter(residence_area=area, provisional=False, household__isnull=False)
            .order_by("household__code", "birth_date", "full_name")
        )
        households: dict[Any, list[Any]] = {}
        for person in residents:
            if person.pk not in self.used:
                households.setdefault(person.household_id, []).append(person)
        return list(households.values())

    def _areas_around(self, area: Any) -> Iterable[Any]:
        yield area
        ward = area.ward
        yield from territory.areas_of(ward).exclude(pk=area.pk).order_by("code")
        district = ward.parent
        yield from territory.areas_within(district).exclude(ward=ward).order_by("code")

    def _take(self, persons: Sequence[Any]) -> list[Any]:
        self.used.update(person.pk for person in persons)
        return list(persons)

    def household(self, area: Any, size: int = 3, at_most: int = 4) -> list[Any]:
        """A household of `size` to `at_most` people (a larger one if the place has none), an adult
        first: the one the story follows."""
        for place in self._areas_around(area):
            fitting = [
                [adults[0], *(p for p in members if p is not adults[0])]
                for members in self._households(place)
                if len(members) >= size
                and (adults := [p for p in members if ADULT_AGES[0] <= age_of(p) <= ADULT_AGES[1]])
            ]
            if fitting:
                return self._take(next((h for h in fitting if len(h) <= at_most), fitting[0]))
        raise LookupError(f"no household of {size} left around {area.code}")

    def adults(self, area: Any, count: int) -> list[Any]:
        """`count` adults of working age, one per household, from the area (and around it)."""
        found: list[Any] = []
        for place in self._areas_around(area):
            for members in self._households(place):
                adult = next((p for p in members if ADULT_AGES[0] <= age_of(p) <= ADULT_AGES[1]), None)
                if adult is not None:
                    found.append(adult)
                if len(found) == count:
                    return self._take(found)
        raise LookupError(f"not {count} adults left around {area.code}")

    def worker_with_family(self, area: Any) -> tuple[Any, list[Any]]:
        """An adult and the rest of their household (two or three people in all)."""
        head, *family = self.household(area, size=2, at_most=3)
        return head, family


# Writing --------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What a run wrote, for the phase's summary."""

    cases: int = 0
    links: int = 0
    orders: int = 0
    in_facility: int = 0
    checks: int = 0
    releases: int = 0
    lockdowns: int = 0
    clusters: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Link:
    """A contact as a story tells it: who, on which day, where."""

    person: Any
    day: date
    setting: str
    note: str = ""


class Outbreak:
    """One step of an outbreak per call, each through its service and at its own moment."""

    def __init__(self, tally: Tally, seed: int) -> None:
        self.tally = tally
        self.rng = random.Random(f"{seed}:cases")
        self.samples = 30  # positive samples, numbered in the order the stories confirm them
        self.numbers = 100  # the health stations' release papers, numbered in the order they are issued

    def case(
        self,
        key: str,
        person: Any,
        confirmed_at: datetime,
        *,
        by: Any,
        detected_in: str = "community",
        source_known: bool = True,
        severity: str = "mild",
        care: str = "hospital",
        detected_unit: Any = None,
        source_note: str = "",
    ) -> tuple[Any, bool]:
        """A positive result entered half an hour after its confirmation; (case, created)."""
        self.samples += 1
        case, created = services.record_case(
            by=by,
            person=person,
            confirmed_at=confirmed_at,
            detected_in=detected_in,
            source_known=source_known,
            detected_unit=detected_unit,
            test_ref=f"HN-{confirmed_at:%y%m%d}-{self.samples:04d}",
            source_note=source_note,
            severity=severity,
            care=care,
            idempotency_key=f"{KEY_PREFIX}:case:{key}",
            clock=at(confirmed_at + timedelta(minutes=30)),
        )
        self.tally.cases += int(created)
        if case.cluster_id:
            self.tally.clusters.add(case.cluster_id)
        return case, created

    def contacts(self, source: Any, when: datetime, *, by: Any, links: Sequence[Link]) -> Any:
        """The contacts `source` names (registered persons), all in one submission."""
        added = services.add_contacts(
            by=by,
            source=source,
            contacts=[
                services.ContactInput(
                    exposed_on=link.day, setting=link.setting, person=link.person, note=link.note
                )
                for link in links
            ],
            clock=at(when),
        )
        self.tally.links += added.added
        return added

    def unregistered_contact(
        self,
        source: Any,
        when: datetime,
        *,
        by: Any,
        name: str,
        phone: str,
        area: Any,
        link_day: date,
        note: str,
    ) -> Any:
        """A contact known only by name and phone, registered provisionally on the way."""
        added = services.add_contacts(
            by=by,
            source=source,
            contacts=[
                services.ContactInput(
                    exposed_on=link_day,
                    setting="market",
                    full_name=name,
                    phone=phone,
                    residence_area=area,
                    note=note,
                )
            ],
            clock=at(when),
        )
        self.tally.links += added.added
        return added.persons[0]

    def isolate(
        self,
        key: str,
        person: Any,
        starts_at: datetime,
        *,
        by: Any,
        setting: str,
        facility: Any = None,
        room_kind: str | None = None,
    ) -> Any:
        """An order for the person's derived level at the time (F0, F1, F2), starting at `starts_at`."""
        order, created = isolation.order_isolation(
            by=by,
            person=person,
            subject=traced_subject(person),
            setting=setting,
            starts_at=starts_at,
            facility=facility,
            room_kind=room_kind,
            idempotency_key=f"{KEY_PREFIX}:order:{key}",
            clock=at(starts_at),
        )
        self.tally.orders += int(created)
        self.tally.in_facility += int(created and facility is not None)
        return order

    def follow(
        self,
        order: Any,
        *,
        by: Any,
        first: date,
        last: date,
        unreachable: Iterable[date] = (),
        symptoms: dict[date, tuple[list[str], str]] | None = None,
        hour: int = 8,
    ) -> None:
        """A check every morning (or from `hour`) from `first` to `last`: well, unless the story says
        otherwise."""
        unreachable = set(unreachable)
        symptoms = symptoms or {}
        day = first
        while day <= last:
            checked_at = moment(day, hour) + timedelta(minutes=self.rng.randrange(0, 180))
            result, note = "well", ""
            seen: list[str] = []
            degrees: str | None = f"{36.2 + self.rng.randrange(0, 9) / 10:.1f}"
            if day in unreachable:
                result, degrees, note = "unreachable", None, "Gọi không nghe máy, đến nhà không gặp."
            elif day in symptoms:
                seen, degrees = symptoms[day]
                result, note = "symptoms", "Đã báo trạm y tế, hẹn lấy mẫu xét nghiệm."
            _check, created = isolation.record_follow_up(
                by=by,
                order=order,
                day=day,
                result=result,
                symptoms=seen,
                temperature=degrees,
                note=note,
                clock=at(checked_at),
            )
            self.tally.checks += int(created)
            day += timedelta(days=1)

    def to_monitoring(self, order: Any, when: datetime, *, by: Any) -> Any:
        """The isolation itself is over: monitored at home (a facility stay is discharged)."""
        return isolation.move_to_monitoring(by=by, order=order, at=when, clock=at(when))

    def release(self, order: Any, when: datetime, *, by: Any, reason: str = "") -> Any:
        """Released with a paper: a certificate at the end, a notice (with the reason) before it."""
        self.numbers += 1
        decision = f"{self.numbers}/{'TB' if reason else 'GXN'}-TYT"
        released = isolation.release(
            by=by, order=order, decision=decision, released_at=when, reason=reason, clock=at(when)
        )
        self.tally.releases += 1
        return released

    def discharge_positive(self, person: Any, when: datetime, *, by: Any, note: str) -> None:
        """The facility sends a person who tested positive to treatment."""
        stay = quarantine.current_admission(person)
        if stay is not None:
            quarantine_services.discharge(
                by=by, admission=stay, discharged_at=when, reason="positive", note=note, clock=at(when)
            )

    def recovered(self, case: Any, when: datetime, *, by: Any) -> Any:
        return services.record_outcome(by=by, case=case, outcome="recovered", at=when, clock=at(when))
