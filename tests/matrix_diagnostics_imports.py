"""The lab-result import rows of the authorization matrix: upload, jobs, reports, the matching queue.

Imports are for those who may import results (the CDC lab technician, bound to the city); a job of a
unit outside the city (path /79/, as another province's instance would hold) is 404 for them. The
matching queue's page is for those who take samples (ward, district, city officials and health
workers), but a result waits under its laboratory's unit: one under the CDC (the city) or a Hà Đông
laboratory is 404 for every sampler below the city.

Wiring (in tests/test_authorization_matrix.py):
    LAZY_BUILDERS["diagnostics_imports"] = build_diagnostics_imports
    MATRIX.update(diagnostics_imports_matrix(Req))
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

IMPORTERS = {"lab_tech_cdc"}
SAMPLERS = {
    "city_commander",
    "district_officer_long_bien",
    "ward_officer_bo_de",
    "ward_officer_phuc_xa",
    "health_worker_bo_de",
}
# Samplers below the city: a result waiting under the CDC's or Hà Đông's laboratory is 404 for them.
SAMPLERS_OUTSIDE_HA_DONG = SAMPLERS - {"city_commander"}
CSV = (
    "sample_code,cccd,full_name,collected_at,resulted_at,method,result,lab\r\n"
    "HN-0001,001085012345,Nguyễn Văn An,10/09/2021 08:00,11/09/2021 08:00,pcr,âm tính,CDC-HN\r\n"
).encode()


class ResultFile:
    """A multipart file the matrix can post again and again (each request reads it whole)."""

    name = "ket-qua.csv"

    def read(self, *_args: Any) -> bytes:
        return CSV


def statuses(allowed: set[str], ok: int, *, anon: int, elsewhere: set[str] = set()) -> dict[str, int]:  # noqa: B006
    result = {ANON: anon}
    for persona in PERSONAS:
        result[persona] = ok if persona in allowed else 404 if persona in elsewhere else 403
    return result


@dataclass
class ImportObjects:
    job: Any
    ha_dong_job: Any
    waiting: Any
    ha_dong_waiting: Any


def build_diagnostics_imports(request: Any) -> ImportObjects:
    """A CDC job and one outside the city; a result waiting under the CDC lab and one under Hà Đông's."""
    from phaodai.core.clock import hanoi
    from phaodai.core.models import ImportJob
    from phaodai.diagnostics.models import Lab, UnmatchedResult
    from phaodai.territory.models import Unit

    tech = request.getfixturevalue("lab_tech_cdc")
    city, ha_dong = Unit.objects.get(code="01"), Unit.objects.get(code="268")
    cdc = Lab.objects.get_or_create(
        code="CDC-HN", defaults={"name": "CDC Hà Nội", "unit": city, "path": city.path}
    )[0]
    hd_lab = Lab.objects.create(code="BV-HD", name="Bệnh viện Hà Đông", unit=ha_dong, path=ha_dong.path)

    def job(path: str, by: Any) -> Any:
        return ImportJob.objects.create(
            kind=ImportJob.Kind.LAB_RESULTS, stored_name="missing.csv", original_name="kq.csv", size_bytes=10,
            sha256="0" * 64, uploaded_by=by, unit_path=path, status=ImportJob.Status.DONE,
        )  # fmt: skip

    def waiting(lab: Any, code: str, import_job: Any) -> Any:
        return UnmatchedResult.objects.create(
            import_job=import_job, row_number=2, sample_code=code, full_name="Lê Văn Chưa", method="pcr",
            collected_at=hanoi(2021, 9, 10, 8), outcome="negative", resulted_at=hanoi(2021, 9, 11, 8),
            lab=lab, path=lab.path,
        )  # fmt: skip

    mine, other = job(city.path, tech), job("/79/", None)
    return ImportObjects(mine, other, waiting(cdc, "HN-W001", mine), waiting(hd_lab, "HD-W001", other))


def diagnostics_imports_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    def objects(world: Any) -> ImportObjects:
        return world.lazy("diagnostics_imports")

    def job_url(suffix: str = "", other: bool = False) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            found = objects(world)
            return f"/diagnostics/imports/{(found.ha_dong_job if other else found.job).pk}/{suffix}"

        return url

    def api_url(suffix: str = "", other: bool = False) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            found = objects(world)
            return f"/api/v1/diagnostics/imports/{(found.ha_dong_job if other else found.job).pk}{suffix}"

        return url

    def queue_url(action: str, other: bool = False) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            found = objects(world)
            return (
                f"/diagnostics/unmatched/{(found.ha_dong_waiting if other else found.waiting).pk}/{action}/"
            )

        return url

    outside = dict.fromkeys([ANON, *PERSONAS], 0)
    outside.update(statuses(IMPORTERS, 404, anon=302))
    outside_api = {**outside, ANON: 401}
    match = {"cccd": "001085012345"}
    return {
        "diagnostics:imports": [req("/diagnostics/imports/", statuses(IMPORTERS, 200, anon=302))],
        "diagnostics:import_new": [
            req("/diagnostics/imports/new/", statuses(IMPORTERS, 200, anon=302)),
            req(
                "/diagnostics/imports/new/",
                statuses(IMPORTERS, 302, anon=302),
                method="post",
                data={"file": ResultFile()},
            ),
        ],
        "diagnostics:import_detail": [
            req(job_url(), statuses(IMPORTERS, 200, anon=302)),
            req(job_url(other=True), outside),
        ],
        "diagnostics:import_report": [
            req(job_url("report.csv"), statuses(IMPORTERS, 200, anon=302)),
            req(job_url("report.csv", other=True), outside),
        ],
        "diagnostics:unmatched": [req("/diagnostics/unmatched/", statuses(SAMPLERS, 200, anon=302))],
        "diagnostics:unmatched_match": [
            req(
                queue_url("match"),
                statuses({"city_commander"}, 302, anon=302, elsewhere=SAMPLERS_OUTSIDE_HA_DONG),
                method="post",
                data=match,
            ),
            req(
                queue_url("match", other=True),
                statuses({"city_commander"}, 302, anon=302, elsewhere=SAMPLERS_OUTSIDE_HA_DONG),
                method="post",
                data=match,
            ),
        ],
        "diagnostics:unmatched_dismiss": [
            req(
                queue_url("dismiss"),
                statuses({"city_commander"}, 302, anon=302, elsewhere=SAMPLERS_OUTSIDE_HA_DONG),
                method="post",
            ),
            req(
                queue_url("dismiss", other=True),
                statuses({"city_commander"}, 302, anon=302, elsewhere=SAMPLERS_OUTSIDE_HA_DONG),
                method="post",
            ),
        ],
        "api-v1:diagnostics_import_create": [
            req(
                "/api/v1/diagnostics/imports",
                statuses(IMPORTERS, 202, anon=401),
                method="post",
                data={"file": ResultFile()},
            ),
        ],
        "api-v1:diagnostics_import_list": [
            req("/api/v1/diagnostics/imports", statuses(IMPORTERS, 200, anon=401)),
        ],
        "api-v1:diagnostics_import_detail": [
            req(api_url(), statuses(IMPORTERS, 200, anon=401)),
            req(api_url(other=True), outside_api),
        ],
        "api-v1:diagnostics_import_report": [
            req(api_url("/report"), statuses(IMPORTERS, 200, anon=401)),
            req(api_url("/report", other=True), outside_api),
        ],
    }
