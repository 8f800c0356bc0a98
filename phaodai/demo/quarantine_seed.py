"""Demo quarantine facilities (S17, S38), registered through the services by their district's officer.

- Hà Đông (268), as plan 51-KH/QU (August 2021) names them [001]: the new facilities at the Phenikaa
  and Đại Nam universities' dormitories, ready to take F1 ("sẵn sàng tiếp nhận F1"), and the new ones
  being set up at the Posts and Telecommunications Institute of Technology (PTIT) and the Hà Nội
  Procuracy University, still preparing.
- Long Biên (004): two demo sites, marked "(demo)", so Long Biên's logins have facilities to work with.

The documents give no capacities and no hand-back dates: the beds per room kind and the dates on the
back-to-school roadmap (S38) below are the demo's own, chosen to be plausible (decision 0019).
Safe to run again: a facility that exists (by name, in its district) is left as it is.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.core.clock import hanoi
from phaodai.demo.context import DemoContext
from phaodai.demo.scenarios import at, official
from phaodai.quarantine import selectors, services
from phaodai.territory import selectors as territory

HA_DONG, LONG_BIEN = "268", "004"
# When the districts registered them: Hà Đông's plan 51-KH/QU of August 2021; Long Biên early September.
REGISTERED = {HA_DONG: hanoi(2021, 8, 10, 9, 0), LONG_BIEN: hanoi(2021, 9, 6, 9, 0)}
READY_FOR_F1 = "Sẵn sàng tiếp nhận công dân F1 trên địa bàn khi có yêu cầu (KH 51-KH/QU)."
BEING_SET_UP = "Khu cách ly tập trung mới đang được thành lập (KH 51-KH/QU)."


@dataclass(frozen=True)
class Site:
    district: str
    name: str
    name_en: str
    address: str
    kind: str
    beds: tuple[int, int, int]  # male, female, family — chosen for the demo, not in the documents
    ready: bool
    is_school: bool = True
    return_due: date | None = None  # the demo's back-to-school roadmap (S38)
    notes: str = ""


SITES: tuple[Site, ...] = (
    Site(
        HA_DONG, "Ký túc xá Trường Đại học Phenikaa", "Phenikaa University dormitory",
        "Phường Yên Nghĩa, quận Hà Đông", "dormitory", (300, 260, 40), True,
        return_due=date(2021, 11, 1), notes=READY_FOR_F1,
    ),
    Site(
        HA_DONG, "Ký túc xá Trường Đại học Đại Nam", "Đại Nam University dormitory",
        "Số 1 phố Xốm, phường Phú Lãm, quận Hà Đông", "dormitory", (200, 170, 30), True,
        return_due=date(2021, 11, 1), notes=READY_FOR_F1,
    ),
    Site(
        HA_DONG, "Học viện Công nghệ Bưu chính Viễn thông",
        "Posts and Telecommunications Institute of Technology",
        "Km10 đường Nguyễn Trãi, phường Mộ Lao, quận Hà Đông", "dormitory", (250, 220, 30), False,
        return_due=date(2021, 11, 15), notes=BEING_SET_UP,
    ),
    Site(
        HA_DONG, "Trường Đại học Kiểm sát Hà Nội", "Hà Nội Procuracy University",
        "Phường Dương Nội, quận Hà Đông", "dormitory", (150, 130, 20), False,
        return_due=date(2021, 11, 15), notes=BEING_SET_UP,
    ),
    Site(
        LONG_BIEN, "Khu cách ly tập trung quận Long Biên số 1 (demo)",
        "Long Biên concentrated quarantine site 1 (demo)",
        "Phường Ngọc Lâm, quận Long Biên", "other", (80, 70, 10), True, is_school=False,
    ),
    Site(
        LONG_BIEN, "Trường THCS Long Biên (demo)", "Long Biên lower secondary school (demo)",
        "Phường Bồ Đề, quận Long Biên", "school", (60, 60, 0), True, return_due=date(2021, 10, 4),
    ),
)  # fmt: skip


def _register(site: Site, by: Any) -> bool:
    """Register and, if the plan says so, make ready one site; False when it already exists."""
    unit = territory.unit_by_code(site.district)
    if unit is None:
        raise LookupError(f"unit {site.district} is missing: run the territory migrations first")
    if selectors.facility_by_name(unit, site.name) is not None:
        return False
    clock = at(REGISTERED[site.district])
    male, female, family = site.beds
    facility = services.register_facility(
        by=by, unit=unit, name=site.name, name_en=site.name_en, address=site.address, kind=site.kind,
        beds_male=male, beds_female=female, beds_family=family, is_school=site.is_school,
        return_due=site.return_due, notes=site.notes, clock=clock,
    )  # fmt: skip
    if site.ready:
        services.set_readiness(by=by, facility=facility, readiness="ready", clock=clock)
    return True


def seed_quarantine(ctx: DemoContext) -> str:
    """Hà Đông's facilities of S17 and two in Long Biên; returns a one-line summary."""
    officers = {code: official(Role.DISTRICT_OFFICER, code) for code in (HA_DONG, LONG_BIEN)}
    made = sum(_register(site, officers[site.district]) for site in SITES)
    ready = sum(site.ready for site in SITES)
    return (
        f"{made} quarantine facilities registered ({len(SITES) - made} already there); "
        f"{ready} ready, {len(SITES) - ready} preparing"
    )
