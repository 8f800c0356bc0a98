"""The demo's situation reports, 01–20/9/2021: Long Biên's wards daily before 16:30, its district three
times a day (rolled up from the wards); the other districts' reports to the city for 14–20/9;
one urgent report.

Every report goes through the real services with the clock of its moment, so timeliness is computed, not
typed in. On 08/9 twelve wards report on time, Phúc Lợi late and Việt Hưng not at all (the acceptance day).
"""

import random
from datetime import date, datetime, timedelta
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.core.clock import hanoi
from phaodai.demo.context import DemoContext
from phaodai.demo.scenarios import LONG_BIEN, LONG_BIEN_WARDS, SEED, at, official
from phaodai.sitreps import selectors as sitreps
from phaodai.sitreps import services
from phaodai.territory import selectors as territory

WARD_SCHEDULE, DISTRICT_SCHEDULE = "ward-daily-1630", "district-3x-daily"
FIRST_DAY, LAST_DAY = date(2021, 9, 1), date(2021, 9, 20)
CITY_WEEK_FROM = date(2021, 9, 14)
ACCEPTANCE_DAY, LATE_WARD, SILENT_WARD = date(2021, 9, 8), "00136", "00154"
SITUATIONS = (
    "Tình hình ổn định, các chốt trực 24/24.",
    "Tiếp tục xét nghiệm tầm soát khu vực nguy cơ cao.",
    "Đã cách ly toàn bộ F1 trong ngày.",
    "Một số hộ kinh doanh chưa thực hiện nghiêm quy định, đã nhắc nhở.",
)
PROPOSALS = (
    "",
    "",
    "Đề nghị bổ sung test nhanh kháng nguyên.",
    "Đề nghị hỗ trợ thêm lương thực cho khu nhà trọ.",
)


def seed_reports(ctx: DemoContext) -> str:
    ward_schedule = sitreps.schedule_by_code(WARD_SCHEDULE)
    district_schedule = sitreps.schedule_by_code(DISTRICT_SCHEDULE)
    rng = random.Random(SEED)
    day = FIRST_DAY
    made = 0
    while day <= LAST_DAY:
        made += _ward_day(ward_schedule, day, rng)
        made += _long_bien_rollups(district_schedule, day)
        if day >= CITY_WEEK_FROM:
            made += _other_districts(district_schedule, day, rng)
        day += timedelta(days=1)
    _accept_ward_reports(ward_schedule)
    _urgent_report()
    return f"{made} situation reports filed"


def _ward_values(rng: random.Random, day: date) -> dict[str, Any]:
    # The wave peaks in early September and eases after the 09/9 zoning.
    wave = 1.6 if day <= date(2021, 9, 9) else 0.8
    taken = rng.randint(300, 1500)
    found = rng.randint(0, 6)
    fined = rng.randint(0, found)
    recipients = rng.randint(0, 25)
    return {
        "new_f0_community": int(rng.randint(0, 2) * wave),
        "new_f0_quarantine": int(rng.randint(0, 3) * wave),
        "f1_traced": int(rng.randint(0, 20) * wave),
        "quarantine_concentrated": rng.randint(5, 60),
        "quarantine_home": rng.randint(10, 120),
        "tests_taken": taken,
        "tests_positive": rng.randint(0, 3),
        "results_pending": rng.randint(0, taken // 4),
        "vaccinations": rng.randint(100, 1200),
        "checkpoints_staffed": rng.randint(2, 6),
        "violations_found": found,
        "violations_fined": fined,
        "fines_amount": fined * rng.choice((1_000_000, 2_000_000, 3_000_000)),
        "welfare_recipients": recipients,
        "welfare_paid": recipients * 1_500_000,
        "situation": rng.choice(SITUATIONS),
        "proposals": rng.choice(PROPOSALS),
    }


def _ward_day(schedule: Any, day: date, rng: random.Random) -> int:
    instance = sitreps.parse_slot(schedule, f"{day.isoformat()}T16:30")
    made = 0
    for code in LONG_BIEN_WARDS:
        values = _ward_values(rng, day)
        roll = rng.random()
        if day == ACCEPTANCE_DAY:
            roll = 0.97 if code == SILENT_WARD else 0.9 if code == LATE_WARD else 0.0
        if roll > 0.96:
            continue  # this ward did not report that day
        moment = hanoi(day.year, day.month, day.day, 16, 29) - timedelta(minutes=rng.randint(0, 240))
        if roll > 0.86:
            moment = hanoi(day.year, day.month, day.day, 16, 45) + timedelta(minutes=rng.randint(0, 150))
        ward = territory.unit_by_code(code)
        _, created = services.submit_report(
            by=official(Role.WARD_OFFICER, code),
            schedule=schedule,
            unit=ward,
            instance=instance,
            values=values,
            idempotency_key=f"demo-{code}-{day.isoformat()}",
            clock=at(moment),
        )
        made += created
    return made


def _long_bien_rollups(schedule: Any, day: date) -> int:
    district = territory.unit_by_code(LONG_BIEN)
    officer = official(Role.DISTRICT_OFFICER, LONG_BIEN)
    made = 0
    for hour in (6, 12, 18):
        instance = sitreps.parse_slot(schedule, f"{day.isoformat()}T{hour:02d}:00")
        draft = sitreps.rollup_draft(schedule, district, instance)
        if draft is None or not draft.sources:
            continue
        values = {
            field.code: draft.values.get(field.code, 0 if field.kind != "text" else "")
            for field in sitreps.form_fields(schedule)
        }
        # The district office files a few minutes before each slot; 12:00 on 11/9 slipped by 20 minutes.
        moment = hanoi(day.year, day.month, day.day, hour, 0) - timedelta(minutes=10)
        if (day, hour) == (date(2021, 9, 11), 12):
            moment += timedelta(minutes=30)
        _, created = services.submit_report(
            by=officer,
            schedule=schedule,
            unit=district,
            instance=instance,
            values=values,
            rolled_up_from=[unit.code for unit, _ in draft.sources],
            idempotency_key=f"demo-{LONG_BIEN}-{instance.iso}",
            clock=at(moment),
        )
        made += created
    return made


def _other_districts(schedule: Any, day: date, rng: random.Random) -> int:
    made = 0
    for district in territory.children_of(territory.city()):
        if district.code == LONG_BIEN:
            continue
        wards = territory.children_of(district).count()
        for hour in (6, 12, 18):
            instance = sitreps.parse_slot(schedule, f"{day.isoformat()}T{hour:02d}:00")
            values = _ward_values(rng, day)
            for code in (
                "quarantine_concentrated",
                "quarantine_home",
                "tests_taken",
                "vaccinations",
                "checkpoints_staffed",
                "welfare_recipients",
                "welfare_paid",
            ):
                values[code] *= wards
            values["results_pending"] = min(values["results_pending"] * wards, values["tests_taken"])
            late = rng.random() < 0.06
            moment = hanoi(day.year, day.month, day.day, hour, 0) + timedelta(
                minutes=rng.randint(5, 90) if late else -rng.randint(5, 60)
            )
            _, created = services.submit_report(
                by=official(Role.DISTRICT_OFFICER, district.code),
                schedule=schedule,
                unit=district,
                instance=instance,
                values=values,
                idempotency_key=f"demo-{district.code}-{instance.iso}",
                clock=at(moment),
            )
            made += created
    return made


def _accept_ward_reports(schedule: Any) -> None:
    """Long Biên accepts its wards' reports up to 18/9 the evening they arrive; later ones await review."""
    officer = official(Role.DISTRICT_OFFICER, LONG_BIEN)
    district = territory.unit_by_code(LONG_BIEN)
    for submission in sitreps.submissions_under(schedule, district):
        if submission.status == submission.Status.SUBMITTED and submission.slot_at < hanoi(2021, 9, 19):
            accepted_at = max(submission.submitted_at, submission.slot_at) + timedelta(hours=2)
            services.accept_report(by=officer, submission=submission, clock=at(accepted_at))


def _urgent_report() -> None:
    ward = territory.unit_by_code(LATE_WARD)
    moment: datetime = hanoi(2021, 9, 10, 21, 10)
    report, created = services.report_urgent(
        by=official(Role.WARD_OFFICER, LATE_WARD),
        unit=ward,
        severity="critical",
        subject="Phát hiện 5 ca dương tính tại khu nhà trọ tổ 12",
        body=(
            "Khu nhà trọ dùng chung công trình vệ sinh, khoảng 60 người. Đã tạm phong tỏa, "
            "đề nghị Quận hỗ trợ lấy mẫu xét nghiệm toàn bộ trong đêm."
        ),
        idempotency_key="demo-urgent-2021-09-10",
        clock=at(moment),
    )
    if created:
        services.acknowledge_urgent(
            by=official(Role.DISTRICT_OFFICER, LONG_BIEN),
            report=report,
            clock=at(moment + timedelta(minutes=12)),
        )
