"""The demo's signed passes as of 22/9/2021 (S21, POLICY.md §4), written through the apps' services.

- Signing keys: a pass key allowed every pass type and a bundle key, made by the city commander on
  1/9/2021 (an active one is reused), so the seeded codes verify at the demo's moments. The last
  phase (`seed_live_keys`) adds keys valid today once those have ended, so the running demo can issue.
- Permits in Bồ Đề: a hospital, a logistics company and a market supplier registered by the ward, their
  staff lists (residents of Long Biên) submitted on 20/9, mostly approved and issued that afternoon,
  a few rejected, the next fortnight's additions pending; one permit revoked on 22/9; and three
  residents' group-5 applications, one approved and issued.
- Health declarations of Bồ Đề residents from 18/9 to the morning of 22/9: mostly clean, a few with
  symptoms or exposure on the ward's worklist (one followed up), the oldest past its 72 hours.

Who and what is drawn comes from a random seeded by the demo's seed. Safe to run again: each step
looks for what it would make (an entry, a permit, a person's declaration) and adds only what is missing.
"""

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.core.clock import hanoi, now
from phaodai.declarations import selectors as declarations
from phaodai.declarations import services as declaring
from phaodai.declarations.rules import QUESTIONS
from phaodai.demo.business_seed import tax_code
from phaodai.demo.context import DemoContext
from phaodai.demo.names import FAMILY_NAMES, GIVEN_NAMES_OLDER, MIDDLE_NAMES
from phaodai.demo.scenarios import BO_DE, CITY, LONG_BIEN, at, official
from phaodai.passes import selectors as passes
from phaodai.passes import services as signing
from phaodai.passes.payload import PassType
from phaodai.people import selectors as people
from phaodai.people.cccd import decrypt_cccd
from phaodai.permits import selectors as permit_reads
from phaodai.permits import services as permits
from phaodai.territory import selectors as territory

KEYS_MADE = hanoi(2021, 9, 1, 8, 0)
EARLIEST_SIGNING = hanoi(2021, 9, 18, 0, 0)  # the oldest declaration's day
QR_KEY_LABEL = "Khóa ký mã QR giấy đi đường (demo)"
BUNDLE_KEY_LABEL = "Khóa ký bộ quy tắc chốt kiểm soát (demo)"
PASSES, BUNDLES = "passes", "bundles"

LISTS_SUBMITTED, LISTS_DECIDED = hanoi(2021, 9, 20, 9, 0), hanoi(2021, 9, 20, 15, 0)
STAFF_DAYS = (date(2021, 9, 21), date(2021, 10, 4))
LATE_SUBMITTED, LATE_DAYS = hanoi(2021, 9, 22, 7, 30), (date(2021, 9, 23), date(2021, 10, 6))
REVOKED_AT = hanoi(2021, 9, 22, 7, 45)
REJECTION = "Công việc có thể làm tại nhà, không thuộc diện trực tiếp phục vụ (demo)."
REVOCATION = "Người lao động đã nghỉ việc từ 21/9/2021, đơn vị đề nghị thu hồi (demo)."
ADULT_BORN = (date(1961, 9, 22), date(2001, 9, 22))  # 20 to 60 at the demo's moment


@dataclass(frozen=True)
class Staff:
    """An organisation of Bồ Đề and its staff list: how many, in which group, doing what."""

    details: permits.OrganisationDetails
    group: int
    size: int
    jobs: tuple[str, ...]
    purpose: str
    drivers: bool = False  # the logistics company's drivers carry their truck's plate


LOGISTICS = "Công ty TNHH Vận tải và Logistics Sông Hồng (demo)"
ORGANISATIONS = (
    Staff(
        permits.OrganisationDetails(
            name="Bệnh viện Đa khoa Bồ Đề (demo)", governing_body="Sở Y tế Hà Nội",
            address="Số 12 phố Nguyễn Văn Cừ, phường Bồ Đề, quận Long Biên (demo)",
            contact_name="", contact_phone="0900000901",
        ),
        3, 8, ("Bác sĩ", "Điều dưỡng", "Kỹ thuật viên xét nghiệm", "Hộ lý"),
        "Đi làm, trực tại bệnh viện",
    ),
    Staff(
        permits.OrganisationDetails(
            name=LOGISTICS, tax_code=tax_code("010981235"),
            address="Số 45 phố Hồng Tiến, phường Bồ Đề, quận Long Biên (demo)",
            contact_name="", contact_phone="0900000902",
        ),
        2, 6, ("Lái xe tải", "Phụ xe", "Điều phối vận tải"), "Vận chuyển hàng hóa thiết yếu", drivers=True,
    ),
    Staff(
        permits.OrganisationDetails(
            name="Hợp tác xã Nông sản sạch Bồ Đề (demo)", tax_code=tax_code("010982346"),
            address="Ngõ 300 phố Nguyễn Văn Cừ, phường Bồ Đề, quận Long Biên (demo)",
            contact_name="", contact_phone="0900000903",
        ),
        6, 4, ("Nhân viên giao hàng", "Thủ kho"), "Cung ứng rau, thực phẩm cho chợ Long Biên",
    ),
)  # fmt: skip
# Residents' group-5 applications: (purpose, supporting paper, day, approved).
APPLICATIONS = (
    ("medical", "Giấy hẹn khám tại Bệnh viện Đa khoa Đức Giang ngày 22/9/2021", date(2021, 9, 22), True),
    ("regular_medicine", "Sổ khám bệnh mãn tính, lấy thuốc định kỳ", date(2021, 9, 23), False),
    ("food_medicine", "", date(2021, 9, 23), False),
)
APPLIED, APPLICATION_DECIDED = hanoi(2021, 9, 21, 9, 0), hanoi(2021, 9, 21, 14, 0)

DECLARATIONS = 40
DECLARED_FROM, DECLARED_UNTIL = hanoi(2021, 9, 19, 9, 0), hanoi(2021, 9, 22, 7, 30)
EXPIRED_AT = hanoi(2021, 9, 18, 10, 15)  # more than 72 hours before 22/9 08:00
# The flagged ones (answers that are yes), submitted on 21/9; the last is followed up the next morning.
FLAGGED = (
    ({"fever", "cough"}, ""),
    ({"close_contact"}, ""),
    ({"outbreak_area"}, "Bắc Ninh"),
    ({"sore_throat", "taste_smell"}, ""),
)
FOLLOWED_UP_AT = hanoi(2021, 9, 22, 7, 0)
FOLLOW_UP = "Đã gọi điện, hướng dẫn tự theo dõi và hẹn lấy mẫu xét nghiệm tại trạm y tế (demo)."
IDEMPOTENCY_KEY = "demo-2021-09"


# Keys ---------------------------------------------------------------------------------------------


def _active(purpose: str) -> Any:
    return passes.signing_keys().filter(purpose=purpose, status="active").first()


def _signs_from(key: Any, moment: datetime) -> bool:
    """Whether the pass key signs every type at `moment`, for as long as a pass may live."""
    return (
        key is not None
        and key.valid_from <= moment
        and moment + passes.MAX_PASS_LIFETIME <= key.valid_to
        and set(PassType) <= set(key.pass_types)
    )


def _rotate(purpose: str, label: str, moment: datetime) -> None:
    types = list(PassType) if purpose == PASSES else []
    signing.rotate_key(
        by=official(Role.CITY_COMMANDER, CITY),
        purpose=purpose,
        label=label,
        pass_types=types,
        clock=at(moment),
    )


class Signer:
    """Just before the demo signs a pass: an active pass key valid from the demo's moments.

    Called lazily, so a rerun that signs nothing leaves the keys alone (the live key made afterwards
    would not verify a code signed "in 2021", so a rerun that does sign makes a 2021 key again).
    """

    def __init__(self) -> None:
        self.made = 0
        self.checked = False

    def __call__(self) -> None:
        if self.checked:
            return
        self.checked = True
        if not _signs_from(_active(PASSES), EARLIEST_SIGNING):
            _rotate(PASSES, QR_KEY_LABEL, KEYS_MADE)
            self.made += 1


def ensure_bundle_key() -> int:
    if _active(BUNDLES) is not None:
        return 0
    _rotate(BUNDLES, BUNDLE_KEY_LABEL, KEYS_MADE)
    return 1


def seed_live_keys(ctx: DemoContext) -> str:
    """Keys valid today once the 2021 ones have ended, so officers can issue passes in the running demo."""
    today = now()
    made = []
    if not _signs_from(_active(PASSES), today):
        _rotate(PASSES, f"{QR_KEY_LABEL}, {today:%Y}", today)
        made.append(PASSES)
    bundle_key = _active(BUNDLES)
    if bundle_key is None or bundle_key.valid_to <= today + passes.MAX_PASS_LIFETIME:
        _rotate(BUNDLES, f"{BUNDLE_KEY_LABEL}, {today:%Y}", today)
        made.append(BUNDLES)
    return f"keys made today: {', '.join(made)}" if made else "the active keys sign today: nothing to add"


# People -------------------------------------------------------------------------------------------


def adults(unit_code: str) -> list[Any]:
    """Registered adults of 20 to 60 with a CCCD living in the unit, in a fixed order."""
    unit = territory.unit_by_code(unit_code)
    if unit is None:
        raise LookupError(f"unit {unit_code} is missing: run the territory migrations first")
    reader = official(Role.CITY_COMMANDER, CITY)
    return list(
        people.persons_visible_to(reader)
        .filter(
            unit_path__startswith=unit.path, provisional=False, cccd_ciphertext__isnull=False,
            birth_date__range=ADULT_BORN,
        )
        .select_related("household", "residence_area__ward")
        .order_by("birth_date", "full_name", "cccd_index")
    )  # fmt: skip


def workers_of_long_bien(seed: int) -> list[Any]:
    """Long Biên's adults in an order drawn from the seed: staff from the front, shippers from the back."""
    workers = adults(LONG_BIEN)
    random.Random(f"{seed}:workers").shuffle(workers)
    return workers


def cccd_of(person: Any) -> str:
    return decrypt_cccd(bytes(person.cccd_ciphertext))


def contact_name(rng: random.Random) -> str:
    family = rng.choices([name for name, _share in FAMILY_NAMES], [share for _n, share in FAMILY_NAMES])[0]
    sex = rng.choice("MF")
    return f"{family} {rng.choice(MIDDLE_NAMES[sex])} {rng.choice(GIVEN_NAMES_OLDER[sex])}"


# Permits ------------------------------------------------------------------------------------------


@dataclass
class Tally:
    organisations: int = 0
    entries: int = 0
    approved: int = 0
    rejected: int = 0
    issued: int = 0
    revoked: int = 0
    declarations: int = 0
    flagged: int = 0


def _outcome(index: int, size: int) -> str:
    """The last of a list is added later (pending), the one before it rejected (lists of 6 or more)."""
    if index == size - 1:
        return "pending"
    if index == size - 2 and size >= 6:
        return "rejected"
    return "approved"


def _issue(tally: Tally, signer: Signer, officer: Any, entry: Any, moment: datetime) -> Any:
    if entry.status == entry.Status.PENDING:
        entry = permits.decide_entry(
            by=officer, entry=entry, approve=True, issue=False, clock=at(moment)
        ).entry
        tally.approved += 1
    existing = permit_reads.permits_of_entry(entry)
    if existing:
        return existing[0]
    signer()
    tally.issued += 1
    return permits.issue_permit(by=officer, entry=entry, clock=at(moment))


def _staff_list(
    tally: Tally, signer: Signer, officer: Any, plan: Staff, staff: list[Any], rng: random.Random
) -> None:
    ward = territory.unit_by_code(BO_DE)
    details = replace(plan.details, contact_name=contact_name(rng))
    org, created = permits.register_organisation(
        by=officer, ward=ward, details=details, clock=at(LISTS_SUBMITTED)
    )
    tally.organisations += created
    for index, person in enumerate(staff):
        outcome = _outcome(index, len(staff))
        first, last = LATE_DAYS if outcome == "pending" else STAFF_DAYS
        plate = (
            f"29C-{rng.randrange(100, 1000)}.{rng.randrange(10, 100)}" if plan.drivers and index < 2 else ""
        )
        row = permits.StaffRow(
            full_name=person.full_name, cccd=cccd_of(person), birth_year=person.birth_date.year,
            group=plan.group, purpose=plan.purpose, valid_from=first, valid_to=last,
            job=plan.jobs[index % len(plan.jobs)], zones=LONG_BIEN, plate=plate,
        )  # fmt: skip
        submitted = LATE_SUBMITTED if outcome == "pending" else LISTS_SUBMITTED
        entry = permits.submit_entry(by=officer, organisation=org, row=row, clock=at(submitted))
        tally.entries += entry.created
        if outcome == "rejected" and entry.entry.status == entry.entry.Status.PENDING:
            permits.decide_entry(
                by=officer, entry=entry.entry, approve=False, reason=REJECTION, clock=at(LISTS_DECIDED)
            )
            tally.rejected += 1
        elif outcome == "approved":
            permit = _issue(tally, signer, officer, entry.entry, LISTS_DECIDED)
            # The logistics company's first driver has left: the permit is withdrawn on the 22nd.
            if plan.drivers and index == 0 and permit.status == permit.Status.ACTIVE:
                permits.revoke_permit(by=officer, permit=permit, reason=REVOCATION, clock=at(REVOKED_AT))
                tally.revoked += 1


def _applications(tally: Tally, signer: Signer, officer: Any, residents: list[Any]) -> None:
    for person, (purpose, paper, day, approved) in zip(residents, APPLICATIONS, strict=False):
        application = permits.Application(
            purpose=purpose, valid_from=day, valid_to=day, supporting_paper=paper
        )
        submitted = permits.file_application(
            by=officer, person=person, application=application, clock=at(APPLIED)
        )
        tally.entries += submitted.created
        if approved:
            _issue(tally, signer, officer, submitted.entry, APPLICATION_DECIDED)


# Declarations -------------------------------------------------------------------------------------


def _declaration(person: Any, answers: set[str], travel_from: str) -> declaring.DeclarationInput:
    household = person.household
    return declaring.DeclarationInput(
        full_name=person.full_name, id_kind="cccd", id_number=cccd_of(person),
        birth_year=person.birth_date.year, gender=person.sex, nationality="Việt Nam", province="001",
        district=LONG_BIEN, ward=BO_DE,
        house=household.address if household else "Phường Bồ Đề (demo)",
        phone=person.phone or "0900000999", answers={code: code in answers for code in QUESTIONS},
        acknowledged=True, travel_from=travel_from, travel_to="Hà Nội" if travel_from else "",
    )  # fmt: skip


def _declarations(tally: Tally, signer: Signer, residents: list[Any], rng: random.Random) -> None:
    """One declaration each: the first expired, the next ones flagged (21/9), the rest clean."""
    worker = official(Role.HEALTH_WORKER, BO_DE)
    span = int((DECLARED_UNTIL - DECLARED_FROM).total_seconds() // 60)
    for index, person in enumerate(residents):
        answers, travel_from = FLAGGED[index - 1] if 1 <= index <= len(FLAGGED) else (set(), "")
        if index == 0:
            moment = EXPIRED_AT
        elif answers:
            moment = hanoi(2021, 9, 21, 8 + index, rng.randrange(60))
        else:
            moment = DECLARED_FROM + timedelta(minutes=rng.randrange(span))
        filer = worker if index % 5 == 0 else None  # some filed on their behalf at the health station
        data = _declaration(person, answers, travel_from)
        if declarations.search(worker, declarations.Filters(id_number=data.id_number)).rows:
            continue
        signer()
        declaration, created = declaring.submit_declaration(
            data=data, by=filer, idempotency_key=IDEMPOTENCY_KEY, clock=at(moment)
        )
        tally.declarations += created
        tally.flagged += created and declaration.flagged
        if created and index == len(FLAGGED):
            declaring.follow_up(declaration=declaration, by=worker, note=FOLLOW_UP, clock=at(FOLLOWED_UP_AT))


def seed_passes(ctx: DemoContext) -> str:
    """Keys, Bồ Đề's organisations, staff lists, permits and applications, and declarations."""
    signer, tally = Signer(), Tally()
    bundle_keys = ensure_bundle_key()
    rng = random.Random(f"{ctx.seed}:passes")
    officer = official(Role.WARD_OFFICER, BO_DE)
    workers = workers_of_long_bien(ctx.seed)
    for plan in ORGANISATIONS:
        staff, workers = workers[: plan.size], workers[plan.size :]
        if staff:
            _staff_list(tally, signer, officer, plan, staff, rng)
    residents = adults(BO_DE)
    random.Random(f"{ctx.seed}:residents").shuffle(residents)
    _applications(tally, signer, officer, residents[: len(APPLICATIONS)])
    _declarations(tally, signer, residents[len(APPLICATIONS) : len(APPLICATIONS) + DECLARATIONS], rng)
    keys = signer.made + bundle_keys
    return (
        f"{keys} signing keys made; {tally.organisations} organisations, {tally.entries} permit entries "
        f"({tally.approved} approved, {tally.rejected} rejected), {tally.issued} permits issued, "
        f"{tally.revoked} revoked; {tally.declarations} declarations ({tally.flagged} flagged)"
    )


def seed_checkpoint_rules(ctx: DemoContext) -> str:
    """The checkpoints' rule bundle (S23) and the market gates' bundle signed today, with today's revoked
    passes: what a checkpoint or market-gate page downloads and keeps offline. Publishing again without
    a change makes no new version."""
    shown = []
    for scope, name in (("checkpoints", "checkpoint"), ("markets", "market gate")):
        bundle, published = signing.publish_scope(by=official(Role.CITY_COMMANDER, CITY), scope=scope)
        shown.append(f"{name} rule bundle v{bundle.version} {'published' if published else 'unchanged'}")
    return "; ".join(shown)
