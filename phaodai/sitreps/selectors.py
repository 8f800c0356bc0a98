"""Reads of situation reports, from the actor: schedules, slots, timeliness, tables, roll-ups, trends."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core.clock import HANOI, Clock, local_date, now, to_local
from phaodai.core.errors import NotPermitted
from phaodai.core.jurisdiction import common_path, covers, get_in_scope_or_404, log_out_of_scope, paths_of
from phaodai.core.language import localized
from phaodai.sitreps import prefill
from phaodai.sitreps.errors import NoSuchSlot, UnknownSchedule
from phaodai.sitreps.models import FormCheck, FormField, Schedule, Slot, Submission, UrgentReport
from phaodai.sitreps.rules import (
    CheckSpec,
    FieldSpec,
    SlotTiming,
    UnitReport,
    on_time_rate,
    roll_up,
    slot_timing,
)
from phaodai.territory import selectors as territory

REPORT_PERMS = (Perm.SUBMIT_REPORTS, Perm.REVIEW_REPORTS)
# How many codes a unit's path holds: "/01/" is the city, "/01/004/" a district, "/01/004/00139/" a ward.
LEVEL_DEPTH = {"city": 1, "district": 2, "ward": 3}


# --- schedules and slots ---------------------------------------------------------------------------------


def schedule_by_code(code: str) -> Schedule:
    schedule = (
        Schedule.objects.select_related("form", "scope", "source")
        .prefetch_related("slots")
        .filter(code=code)
        .first()
    )
    if schedule is None:
        raise UnknownSchedule(field="schedule")
    return schedule


def schedules() -> QuerySet[Schedule]:
    return Schedule.objects.select_related("form", "scope").prefetch_related("slots").order_by("code")


def slots_of(schedule: Schedule) -> list[Slot]:
    return sorted(schedule.slots.all(), key=lambda slot: slot.at)


@dataclass(frozen=True)
class SlotInstance:
    """A slot of a schedule on one day."""

    slot: Slot
    day: date
    timing: SlotTiming

    @property
    def local_label(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.slot.at:%H:%M}"

    @property
    def iso(self) -> str:
        return f"{self.day.isoformat()}T{self.slot.at:%H:%M}"


def instance_of(schedule: Schedule, slot: Slot, day: date) -> SlotInstance:
    timing = slot_timing(
        day,
        slot.at,
        slot.deadline,
        zone=HANOI,
        grace_minutes=schedule.grace_minutes,
        lock_after_hours=schedule.lock_after_hours,
        open_hours_before=schedule.open_hours_before,
    )
    return SlotInstance(slot=slot, day=day, timing=timing)


def parse_slot(schedule: Schedule, text: str | datetime) -> SlotInstance:
    """The slot named by an ISO local time ("2021-09-08T16:30"; an offset is converted to Hà Nội time)."""
    if isinstance(text, datetime):
        moment = text
    else:
        try:
            moment = datetime.fromisoformat(str(text).strip())
        except ValueError:
            raise NoSuchSlot(
                _("Give the slot as a local date and time, e.g. 2021-09-08T16:30."), field="slot"
            ) from None
    # Check the year first: converting year 1 or 9999 with an offset overflows.
    if not 1900 <= moment.year <= 2200:
        raise NoSuchSlot(_("The slot's date is not plausible."), field="slot")
    local = to_local(moment) if moment.tzinfo is not None else moment
    for slot in slots_of(schedule):
        if (slot.at.hour, slot.at.minute) == (local.hour, local.minute) and local.second == 0:
            instance = instance_of(schedule, slot, local.date())
            if not active_on(schedule, instance.day):
                raise NoSuchSlot(_("The schedule is not in force on that day."), field="slot")
            return instance
    times = ", ".join(f"{slot.at:%H:%M}" for slot in slots_of(schedule))
    raise NoSuchSlot(
        _("This schedule has no slot at %(time)s; its slots are %(times)s.")
        % {"time": f"{local:%H:%M}", "times": times},
        field="slot",
    )


def active_on(schedule: Schedule, day: date) -> bool:
    return schedule.active_from <= day and (schedule.active_until is None or day <= schedule.active_until)


def instances_on(schedule: Schedule, day: date) -> list[SlotInstance]:
    if not active_on(schedule, day):
        return []
    return [instance_of(schedule, slot, day) for slot in slots_of(schedule)]


def previous_instance(schedule: Schedule, instance: SlotInstance) -> SlotInstance:
    """The slot before this one (the day before's last slot for the first of a day)."""
    earlier = [slot for slot in slots_of(schedule) if slot.at < instance.slot.at]
    if earlier:
        return instance_of(schedule, earlier[-1], instance.day)
    return instance_of(schedule, slots_of(schedule)[-1], instance.day - timedelta(days=1))


def current_instance(schedule: Schedule, *, clock: Clock = now) -> SlotInstance | None:
    """The slot to fill now: the first of today or tomorrow not yet past its deadline (and grace)."""
    moment = clock()
    today = local_date(moment)
    for day in (today, today + timedelta(days=1)):
        for instance in instances_on(schedule, day):
            if moment <= instance.timing.on_time_until:
                return instance
    return None


def missed_instances(schedule: Schedule, unit: Any, *, clock: Clock = now) -> list[SlotInstance]:
    """Slots past their deadline, not yet locked, that the unit has not reported on: oldest first.

    After 16:30 the slot to fill now is tomorrow's, but today's still takes late reports until it locks.
    """
    moment = clock()
    # A slot's deadline falls on its own day, so no unlocked slot is older than the lock window.
    first = local_date(moment - timedelta(hours=schedule.lock_after_hours))
    late = [
        instance
        for offset in range((local_date(moment) - first).days + 1)
        for instance in instances_on(schedule, first + timedelta(days=offset))
        if instance.timing.state(moment) == "late"
    ]
    if not late:
        return []
    reported = set(
        Submission.objects.filter(
            schedule=schedule, unit=unit, slot_at__in=[instance.timing.slot_at for instance in late]
        ).values_list("slot_at", flat=True)
    )
    return [instance for instance in late if instance.timing.slot_at not in reported]


# --- forms -----------------------------------------------------------------------------------------------


def form_fields(schedule: Schedule) -> list[FormField]:
    return list(FormField.objects.filter(form=schedule.form_id).order_by("order", "pk"))


def field_specs(fields: Sequence[FormField]) -> list[FieldSpec]:
    return [FieldSpec(code=f.code, kind=f.kind, rollup=f.rollup, required=f.required) for f in fields]


def form_checks(schedule: Schedule) -> list[FormCheck]:
    return list(FormCheck.objects.filter(form=schedule.form_id).order_by("pk"))


def check_specs(checks: Sequence[FormCheck]) -> list[CheckSpec]:
    return [CheckSpec(code=c.code, logic=c.logic, field_code=c.field_code) for c in checks]


def check_messages(checks: Sequence[FormCheck]) -> dict[str, str]:
    return {check.code: localized(check, "message") for check in checks}


# --- who reports, who reads ------------------------------------------------------------------------------


def report_paths(user: Any) -> tuple[str, ...]:
    """Units where the user submits or receives reports."""
    return tuple(sorted({path for perm in REPORT_PERMS for path in paths_of(user, perm)}))


def reads_reports(user: Any) -> bool:
    return bool(report_paths(user))


def require_reader(user: Any) -> None:
    if not reads_reports(user):
        raise NotPermitted()


def receives_reports(user: Any, schedule: Schedule) -> bool:
    """Whether reports on `schedule` come to a unit the user reviews for (a unit above the reporters)."""
    depth = LEVEL_DEPTH[schedule.reporter_level]
    for path in paths_of(user, Perm.REVIEW_REPORTS):
        overlaps = path.startswith(schedule.scope.path) or schedule.scope.path.startswith(path)
        if overlaps and path.count("/") - 1 < depth:
            return True
    return False


def reporting_units(schedule: Schedule) -> QuerySet[Any]:
    return territory.within(schedule.scope).filter(level=schedule.reporter_level).order_by("code")


def is_reporter(schedule: Schedule, unit: Any) -> bool:
    return unit.level == schedule.reporter_level and unit.path.startswith(schedule.scope.path)


def units_in_view(schedule: Schedule, user: Any, within: Any | None = None) -> list[Any]:
    """The schedule's reporting units the user may see (under `within`, when given)."""
    require_reader(user)
    prefixes = report_paths(user)
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= Q(path__startswith=prefix)
    units = reporting_units(schedule).filter(condition).select_related("parent")
    if within is not None:
        units = units.filter(path__startswith=within.path)
    return list(units)


def unit_in_view(user: Any, code: str) -> Any:
    """A unit whose reports the user reads: theirs or one below (not one above: a ward officer does not
    read the district's totals, which hold the other wards' figures). Elsewhere 404, logged."""
    require_reader(user)
    unit = territory.unit_by_code(code)
    if unit is None:
        raise Http404
    if not any(unit.path.startswith(prefix) for prefix in report_paths(user)):
        log_out_of_scope(user, "territory.unit", unit.pk, unit.path)
        raise Http404
    return unit


def submission_for(user: Any, pk: int) -> Submission:
    """A report the user may read: their own unit's, or one sent to a unit they receive for."""
    require_reader(user)
    found: Submission = get_in_scope_or_404(
        Submission.objects.select_related("schedule", "schedule__form", "slot", "unit", "receiver"),
        user,
        path_field="unit_path",
        pk=pk,
    )
    if not any(found.unit_path.startswith(prefix) for prefix in report_paths(user)):
        log_out_of_scope(user, "sitreps.submission", pk, found.unit_path)
        raise Http404
    return found


def may_submit_for(user: Any, unit: Any) -> bool:
    """Reports are submitted by the unit's own officials (not by the level above on its behalf)."""
    return unit.path in paths_of(user, Perm.SUBMIT_REPORTS)


def may_review(user: Any, submission: Submission) -> bool:
    return covers(user, submission.receiver.path, Perm.REVIEW_REPORTS)


def revisions_of(submission: Submission) -> list[Any]:
    return list(submission.revisions.select_related("by").order_by("number"))


def reopenings_of(submission: Submission) -> list[Any]:
    return list(submission.reopenings.select_related("by").order_by("at"))


# --- timeliness ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotReport:
    """Timeliness of one slot: expected reporters, who was on time, late, or is missing."""

    instance: SlotInstance
    state: str
    expected: int
    on_time: list[Any]
    late: list[Any]
    missing: list[Any]
    submissions: dict[int, Submission] = field(default_factory=dict)


def submissions_at(
    schedule: Schedule, slot_ats: Sequence[datetime], units: Sequence[Any]
) -> list[Submission]:
    if not units or not slot_ats:
        return []
    common = common_path([unit.path for unit in units])
    return list(
        Submission.objects.filter(
            schedule=schedule, slot_at__in=list(slot_ats), unit_path__startswith=common
        ).only(
            "pk", "unit_id", "unit_path", "slot_at", "on_time", "status", "submitted_at", "values", "version"
        )
    )


def timeliness(
    schedule: Schedule, day: date, user: Any, *, within: Any | None = None, clock: Clock = now
) -> list[SlotReport]:
    units = units_in_view(schedule, user, within)
    instances = instances_on(schedule, day)
    by_slot: dict[datetime, dict[int, Submission]] = defaultdict(dict)
    unit_ids = {unit.pk for unit in units}
    for submission in submissions_at(schedule, [i.timing.slot_at for i in instances], units):
        if submission.unit_id in unit_ids:
            by_slot[submission.slot_at][submission.unit_id] = submission
    moment = clock()
    reports = []
    for instance in instances:
        got = by_slot.get(instance.timing.slot_at, {})
        reports.append(
            SlotReport(
                instance=instance,
                state=instance.timing.state(moment),
                expected=len(units),
                on_time=[unit for unit in units if unit.pk in got and got[unit.pk].on_time],
                late=[unit for unit in units if unit.pk in got and not got[unit.pk].on_time],
                missing=[unit for unit in units if unit.pk not in got],
                submissions=got,
            )
        )
    return reports


@dataclass(frozen=True)
class WeekRate:
    week_start: date
    expected: int
    on_time: int
    late: int

    @property
    def rate(self) -> float | None:
        return on_time_rate(self.on_time, self.expected)


def timeliness_trend(
    schedule: Schedule, user: Any, *, weeks: int = 6, within: Any | None = None, clock: Clock = now
) -> list[tuple[Any, list[WeekRate]]]:
    """Per unit, per ISO week (Monday first), slots expected so far and how many were reported on time."""
    units = units_in_view(schedule, user, within)
    today = local_date(clock())
    first_week = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    days = [first_week + timedelta(days=n) for n in range((today - first_week).days + 1)]
    instances = [i for day in days for i in instances_on(schedule, day) if i.timing.deadline_at <= clock()]
    week_of = {i.timing.slot_at: i.day - timedelta(days=i.day.weekday()) for i in instances}
    expected_per_week: dict[date, int] = defaultdict(int)
    for week in week_of.values():
        expected_per_week[week] += 1
    tally: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    for submission in submissions_at(schedule, list(week_of), units):
        counts = tally[(submission.unit_id, week_of[submission.slot_at])]
        counts[0 if submission.on_time else 1] += 1
    weeks_shown = [first_week + timedelta(weeks=n) for n in range(weeks)]
    return [
        (
            unit,
            [
                WeekRate(week, expected_per_week.get(week, 0), *tally.get((unit.pk, week), [0, 0]))
                for week in weeks_shown
            ],
        )
        for unit in units
    ]


# --- tables, roll-ups, charts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotTable:
    """Each reporting unit's values for one slot and their total, rolled up per the form."""

    instance: SlotInstance
    fields: list[FormField]
    rows: list[tuple[Any, Submission | None]]
    total: dict[str, Any]


def slot_table(
    schedule: Schedule, instance: SlotInstance, user: Any, *, within: Any | None = None
) -> SlotTable:
    units = units_in_view(schedule, user, within)
    fields = form_fields(schedule)
    got = {
        s.unit_id: s
        for s in submissions_at(schedule, [instance.timing.slot_at], units)
        if s.unit_id in {u.pk for u in units}
    }
    reports = [
        UnitReport(unit.name, got[unit.pk].submitted_at, got[unit.pk].values)
        for unit in units
        if unit.pk in got
    ]
    return SlotTable(
        instance=instance,
        fields=fields,
        rows=[(unit, got.get(unit.pk)) for unit in units],
        total=roll_up(field_specs(fields), reports),
    )


@dataclass(frozen=True)
class RollupDraft:
    """A district's report generated from its wards' latest reports before the slot."""

    values: dict[str, Any]
    sources: list[tuple[Any, Submission]]
    missing: list[Any]


def rollup_draft(schedule: Schedule, unit: Any, instance: SlotInstance) -> RollupDraft | None:
    """Sum (per the form) each ward's latest report in the 24 hours up to the slot; None without a source."""
    source = schedule.source
    if source is None:
        return None
    children = list(reporting_units(source).filter(path__startswith=unit.path))
    end = instance.timing.slot_at
    latest: dict[int, Submission] = {}
    candidates = Submission.objects.filter(
        schedule=source,
        unit_path__startswith=unit.path,
        slot_at__gt=end - timedelta(hours=24),
        slot_at__lte=end,
    ).order_by("slot_at")
    for submission in candidates:
        latest[submission.unit_id] = submission
    fields = form_fields(schedule)
    sources = [(child, latest[child.pk]) for child in children if child.pk in latest]
    reports = [UnitReport(child.name, sub.submitted_at, sub.values) for child, sub in sources]
    return RollupDraft(
        values=roll_up(field_specs(fields), reports),
        sources=sources,
        missing=[child for child in children if child.pk not in latest],
    )


def prefilled_values(schedule: Schedule, unit: Any, instance: SlotInstance) -> dict[str, Any]:
    """What providers know for the unit over the period since the previous slot."""
    if not prefill.has_providers():
        return {}
    start = previous_instance(schedule, instance).timing.slot_at
    codes = [f.code for f in form_fields(schedule)]
    return prefill.known_values([unit], start, instance.timing.slot_at, codes).get(unit.pk, {})


@dataclass(frozen=True)
class Series:
    field: FormField
    points: list[tuple[date, Any]]


def daily_series(schedule: Schedule, unit: Any, *, days: int = 14, clock: Clock = now) -> list[Series]:
    """The form's main indicators per day for `unit` (its own reports, or its reporting units' rolled up)."""
    today = local_date(clock())
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=HANOI)
    submissions = (
        Submission.objects.filter(schedule=schedule, unit_path__startswith=unit.path, slot_at__gte=start)
        .select_related("unit")
        .order_by("slot_at")
    )
    latest: dict[date, dict[int, Submission]] = defaultdict(dict)
    for submission in submissions:
        latest[local_date(submission.slot_at)][submission.unit_id] = submission
    fields = [f for f in form_fields(schedule) if f.main]
    specs = field_specs(fields)
    per_day = {
        day: roll_up(specs, [UnitReport(s.unit.name, s.submitted_at, s.values) for s in latest[day].values()])
        for day in latest
    }
    calendar = [first + timedelta(days=n) for n in range(days)]
    return [Series(f, [(day, per_day.get(day, {}).get(f.code)) for day in calendar]) for f in fields]


# --- urgent reports --------------------------------------------------------------------------------------


def submissions_in_view(user: Any) -> QuerySet[Submission]:
    """Reports of the units the user reports for or receives (the scope of `submission_for`)."""
    condition = Q(pk__in=[])
    for prefix in report_paths(user):
        condition |= Q(unit_path__startswith=prefix)
    found = Submission.objects.filter(condition).select_related("schedule", "unit", "receiver")
    return found.order_by("-slot_at", "unit__code")


def urgent_reports_for(user: Any) -> QuerySet[UrgentReport]:
    """Urgent reports the user sent (their units) or receives (units they review for)."""
    require_reader(user)
    condition = Q(pk__in=[])
    for prefix in paths_of(user, Perm.SUBMIT_REPORTS):
        condition |= Q(unit_path__startswith=prefix)
    for prefix in paths_of(user, Perm.REVIEW_REPORTS):
        condition |= Q(receiver_path__startswith=prefix)
    return (
        UrgentReport.objects.filter(condition)
        .select_related("unit", "receiver", "reported_by")
        .order_by("-reported_at")
    )


def urgent_report_for(user: Any, pk: int) -> UrgentReport:
    found = urgent_reports_for(user).filter(pk=pk).first()
    if found is None:
        other = UrgentReport.objects.filter(pk=pk).values_list("unit_path", flat=True).first()
        if other is not None:
            log_out_of_scope(user, "sitreps.urgentreport", pk, other)
        raise Http404
    return found


def submissions_of_unit(schedule: Schedule, unit: Any, *, limit: int = 30) -> list[Submission]:
    return list(Submission.objects.filter(schedule=schedule, unit=unit).order_by("-slot_at")[:limit])


def submission_at(schedule: Schedule, unit: Any, instance: SlotInstance) -> Submission | None:
    return Submission.objects.filter(schedule=schedule, unit=unit, slot_at=instance.timing.slot_at).first()


def submissions_under(schedule: Schedule, unit: Any) -> QuerySet[Submission]:
    """Every report on the schedule from units under `unit` (for system jobs; pages use the scoped reads)."""
    return Submission.objects.filter(schedule=schedule, unit_path__startswith=unit.path).select_related(
        "schedule", "slot", "unit", "receiver"
    )
