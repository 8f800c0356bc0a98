"""The dose-import rows of the authorization matrix: upload, jobs, reports, the queue of doses to match.

Imports are for those who record doses (Perm.VACCINATE: ward and district officers, the city commander,
health workers), each for their own units: a Bồ Đề job is 404 for Phúc Xá's ward officer, and a job of a
unit outside the city (path /79/, as another province's instance would hold) is 404 for everyone. A dose
waiting to be matched waits under the uploader's unit: one of Bồ Đề is 404 for Phúc Xá's ward officer, one
of Phúc Xá for Bồ Đề's officers and health worker and for Long Biên's district officer.

Wiring (in tests/test_authorization_matrix.py):
    from tests.matrix_vaccination_imports import build_vaccination_imports, vaccination_imports_matrix
    LAZY_BUILDERS["vaccination_imports"] = build_vaccination_imports
    MATRIX.update(vaccination_imports_matrix(Req))
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

VACCINATORS = {
    "city_commander",
    "district_officer_long_bien",
    "ward_officer_bo_de",
    "ward_officer_phuc_xa",
    "health_worker_bo_de",
}
OUTSIDE_BO_DE = {"ward_officer_phuc_xa"}
OUTSIDE_PHUC_XA = {"district_officer_long_bien", "ward_officer_bo_de", "health_worker_bo_de"}
CSV = (
    "cccd,full_name,birth_date,product,lot,dose_number,given_on,site,vaccinator\r\n"
    "001085012345,Nguyễn Văn An,,pfizer,FF2589,1,01/09/2021,Trạm Y tế,Lê Thị Hoa\r\n"
).encode()


class DoseFile:
    """A multipart file the matrix can post again and again (each request reads it whole)."""

    name = "mui-tiem.csv"

    def read(self, *_args: Any) -> bytes:
        return CSV


def statuses(allowed: set[str], ok: int, *, anon: int, elsewhere: set[str] = set()) -> dict[str, int]:  # noqa: B006
    result = {ANON: anon}
    for persona in PERSONAS:
        result[persona] = (404 if persona in elsewhere else ok) if persona in allowed else 403
    return result


@dataclass
class DoseImportObjects:
    job: Any
    outside_job: Any
    waiting: Any
    phuc_xa_waiting: Any


def build_vaccination_imports(request: Any) -> DoseImportObjects:
    """A Bồ Đề job and one outside the city; a dose waiting under Bồ Đề and one under Phúc Xá."""
    from phaodai.core.crypto import field_cipher
    from phaodai.core.models import ImportJob
    from phaodai.people.cccd import cccd_index
    from phaodai.vaccination.dose_import import UNMATCHED_CCCD_AAD
    from phaodai.vaccination.models import Product, UnmatchedDose

    worker = request.getfixturevalue("health_worker_bo_de")
    pfizer = Product.objects.get(code="pfizer")

    def job(path: str, by: Any) -> Any:
        return ImportJob.objects.create(
            kind=ImportJob.Kind.DOSES, stored_name="missing.csv", original_name="mui.csv", size_bytes=10,
            sha256="0" * 64, uploaded_by=by, unit_path=path, status=ImportJob.Status.DONE,
        )  # fmt: skip

    def waiting(import_job: Any, path: str, cccd: str) -> Any:
        ciphertext = field_cipher().encrypt(cccd, UNMATCHED_CCCD_AAD)
        return UnmatchedDose.objects.create(
            import_job=import_job, row_number=2, cccd_ciphertext=ciphertext, cccd_index=cccd_index(cccd),
            full_name="Lê Văn Chưa", product=pfizer, lot="FF2589", dose_number=1, given_on=date(2021, 9, 1),
            path=path,
        )  # fmt: skip

    mine, other = job("/01/004/00139/", worker), job("/79/", None)
    return DoseImportObjects(
        mine,
        other,
        waiting(mine, "/01/004/00139/", "001085099001"),
        waiting(other, "/01/001/00001/", "001085099002"),
    )


def vaccination_imports_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    def objects(world: Any) -> DoseImportObjects:
        return world.lazy("vaccination_imports")

    def job_url(suffix: str = "", other: bool = False) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            found = objects(world)
            return f"/vaccination/imports/{(found.outside_job if other else found.job).pk}/{suffix}"

        return url

    def api_url(suffix: str = "", other: bool = False) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            found = objects(world)
            return f"/api/v1/vaccination/imports/{(found.outside_job if other else found.job).pk}{suffix}"

        return url

    def queue_url(action: str, phuc_xa: bool = False) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            found = objects(world)
            return (
                f"/vaccination/unmatched/{(found.phuc_xa_waiting if phuc_xa else found.waiting).pk}/{action}/"
            )

        return url

    mine = statuses(VACCINATORS, 200, anon=302, elsewhere=OUTSIDE_BO_DE)
    outside = statuses(VACCINATORS, 200, anon=302, elsewhere=VACCINATORS)
    outside_api = {**outside, ANON: 401}
    match = {"cccd": "001085012345"}

    def queue(action: str, data: dict[str, str] | None = None) -> list[Any]:
        bo_de = statuses(VACCINATORS, 302, anon=302, elsewhere=OUTSIDE_BO_DE)
        phuc_xa = statuses(VACCINATORS, 302, anon=302, elsewhere=OUTSIDE_PHUC_XA)
        return [
            req(queue_url(action), bo_de, method="post", data=data),
            req(queue_url(action, phuc_xa=True), phuc_xa, method="post", data=data),
        ]

    return {
        "vaccination:imports": [req("/vaccination/imports/", statuses(VACCINATORS, 200, anon=302))],
        "vaccination:import_new": [
            req("/vaccination/imports/new/", statuses(VACCINATORS, 200, anon=302)),
            req(
                "/vaccination/imports/new/",
                statuses(VACCINATORS, 302, anon=302),
                method="post",
                data={"file": DoseFile()},
            ),
        ],
        "vaccination:import_detail": [req(job_url(), mine), req(job_url(other=True), outside)],
        "vaccination:import_report": [
            req(job_url("report.csv"), mine),
            req(job_url("report.csv", other=True), outside),
        ],
        "vaccination:unmatched": [req("/vaccination/unmatched/", statuses(VACCINATORS, 200, anon=302))],
        "vaccination:unmatched_match": queue("match", match),
        "vaccination:unmatched_dismiss": queue("dismiss"),
        "api-v1:vaccination_import_create": [
            req(
                "/api/v1/vaccination/imports",
                statuses(VACCINATORS, 202, anon=401),
                method="post",
                data={"file": DoseFile()},
            ),
        ],
        "api-v1:vaccination_import_list": [
            req("/api/v1/vaccination/imports", statuses(VACCINATORS, 200, anon=401)),
        ],
        "api-v1:vaccination_import_detail": [
            req(api_url(), {**mine, ANON: 401}),
            req(api_url(other=True), outside_api),
        ],
        "api-v1:vaccination_import_report": [
            req(api_url("/report"), {**mine, ANON: 401}),
            req(api_url("/report", other=True), outside_api),
        ],
    }
