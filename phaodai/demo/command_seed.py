"""Demo directives and tasks (S8, S9, S13), replayed through the command services at their dates (09/2021).

- 06-CT/TU (01/9/2021) and 495-TB/TU (20/9/2021) of the city party standing committee, public;
- Long Biên's plan implementing 06-CT/TU: a steering committee and command center in each of the
  14 wards before 07/9 (12 done, one late and still in progress: overdue), each ward's plan to the
  district by 07/9 (13 on time, Phúc Lợi in the evening), and the daily report before 16:30 (recurring);
- 788-CV/BCSD (21/9/2021): the directions of sections 1–4 as parent tasks for the vice-chairs, with
  the tasks of the named departments and of the 30 districts under them.

The due dates of 788's tasks are the demo's (the letter says "khẩn trương" without dates). Safe to
run again: a document already registered is left with its tasks as they are.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.command import selectors as command
from phaodai.command import services
from phaodai.core.clock import Clock, hanoi, now
from phaodai.demo.scenarios import CITY, LONG_BIEN, LONG_BIEN_WARDS, at, official
from phaodai.territory import selectors as territory

LATE_WARD = "00136"  # Phúc Lợi: its committees are still being completed, its plan went in the evening
CT06_SUMMARY = (
    "Chỉ thị của Ban Thường vụ Thành ủy về tiếp tục nâng cao hiệu quả công tác phòng, chống dịch Covid-19 "
    "trên địa bàn Thành phố; các quận, huyện, thị xã xây dựng kế hoạch thực hiện."
)
LB_PLAN_SUMMARY = (
    "Ban Thường vụ Quận ủy Long Biên ban hành Kế hoạch thực hiện "
    "Chỉ thị số 06-CT/TU, Thông báo số 477-TB/TU, "
    "Công văn số 190-CV/TU, Chỉ thị số 20/CT-UBND và Kết luận của Ban Thường vụ Quận ủy ngày 05/9/2021. "
    "Bản lưu là bản quét mờ: số hiệu chỉ đọc được phần “-KH/QU” (phần số không đọc rõ) và ngày ký đọc "
    "như “08/…/2021”; ghi ngày 05/9/2021 theo Kết luận cùng ngày và các mốc 06–08/9/2021 trong kế hoạch."
)


@dataclass(frozen=True)
class Sub:
    """One task of a direction in 788-CV/BCSD."""

    title: str
    lead: tuple[str, str | None]
    due: datetime
    cooperating: Sequence[tuple[str, str | None]] = ()
    priority: str = "normal"
    # (progress, done, note) reported by the lead; None: not started.
    report: tuple[int, bool, str] | None = None


def seed_directives_and_tasks(*, by_city: Any, by_district: Any, clock: Clock = now) -> str:
    """Register the seeds' directives and replay their tasks; returns a one-line summary."""
    city, district = territory.city(), territory.unit_by_code(LONG_BIEN)
    assert district is not None
    _register(
        by_city,
        city,
        "06-CT/TU",
        "chi_thi",
        "Ban Thường vụ Thành ủy",
        date(2021, 9, 1),
        "Về tiếp tục nâng cao hiệu quả công tác phòng, chống dịch Covid-19 trên địa bàn Thành phố Hà Nội",
        CT06_SUMMARY,
        hanoi(2021, 9, 1, 17, 0),
        public=True,
    )
    plan, fresh_plan = _register(
        by_district,
        district,
        "…-KH/QU",
        "ke_hoach",
        "Ban Thường vụ Quận ủy Long Biên",
        date(2021, 9, 5),
        "Kế hoạch thực hiện Chỉ thị số 06-CT/TU ngày 01/9/2021 của Ban Thường vụ Thành ủy về “tiếp tục nâng "
        "cao hiệu quả công tác phòng, chống dịch Covid-19 trên địa bàn Thành phố Hà Nội”",
        LB_PLAN_SUMMARY,
        hanoi(2021, 9, 5, 20, 0),
    )
    if fresh_plan:
        _long_bien_tasks(by_district, district, plan, clock)
    _register(
        by_city,
        city,
        "495-TB/TU",
        "thong_bao",
        "Ban Thường vụ Thành ủy",
        date(2021, 9, 20),
        "Kết luận của Ban Thường vụ Thành ủy về tăng cường công tác phòng, chống dịch bệnh Covid-19 "
        "trên địa bàn Thành phố",
        "Thống nhất phương án phòng, chống dịch thực hiện từ 6h00 ngày 21/9/2021.",
        hanoi(2021, 9, 20, 21, 0),
        public=True,
    )
    letter, fresh_letter = _register(
        by_city,
        city,
        "788-CV/BCSD",
        "cong_van",
        "Ban cán sự đảng UBND Thành phố",
        date(2021, 9, 21),
        "V/v phân công nhiệm vụ thực hiện Thông báo số 495-TB/TU của Ban Thường vụ Thành ủy",
        "Phân công các đồng chí Phó Chủ tịch UBND Thành phố, Phó Chỉ huy trưởng Sở Chỉ huy chỉ đạo các sở, "
        "ngành, quận, huyện, thị xã thực hiện Thông báo số 495-TB/TU.",
        hanoi(2021, 9, 21, 16, 0),
    )
    if fresh_letter:
        _city_tasks(by_city, city, letter)
    rolled = services.roll_recurring(clock=clock)
    tasks = command.tasks_visible_to(by_city).count()
    return f"4 directives, {tasks} tasks ({len(rolled)} recurring occurrence(s) rolled)"


def _register(
    by: Any,
    unit: Any,
    number: str,
    kind: str,
    issuer: str,
    issued_on: date,
    title: str,
    summary: str,
    moment: datetime,
    *,
    public: bool = False,
) -> tuple[Any, bool]:
    existing = [
        d for d in command.search_documents(by, number) if d.unit_id == unit.pk and d.issued_on == issued_on
    ]
    if existing:
        return existing[0], False
    document = services.register_document(
        by=by,
        unit=unit,
        number=number,
        kind=kind,
        issuer=issuer,
        issued_on=issued_on,
        title=title,
        summary=summary,
        public=public,
        clock=at(moment),
    )
    return document, True


def _officer(code: str) -> Any:
    return official(Role.WARD_OFFICER, code)


def _task(by: Any, assigned_by: Any, moment: datetime, **fields: Any) -> Any:
    return services.create_task(by=by, assigned_by=assigned_by, clock=at(moment), **fields)


def _report(
    task: Any, by: Any, moment: datetime, progress: int, *, done: bool = False, note: str = ""
) -> None:
    services.post_progress(
        task=command.task_for(by, task.pk),
        by=by,
        progress=progress,
        status="done" if done else "in_progress",
        note=note,
        clock=at(moment),
    )


def _long_bien_tasks(district_officer: Any, district: Any, plan: Any, clock: Clock) -> None:
    assigned = hanoi(2021, 9, 5, 21, 0)
    committees = _task(
        district_officer,
        district,
        assigned,
        title="Thành lập/kiện toàn Ban Chỉ đạo và Sở Chỉ huy phòng, chống dịch ở 14 phường, "
        "xong trước ngày 07/9/2021",
        description=(
            "Ban Chỉ đạo do cấp ủy ban hành quyết định, đồng chí Bí thư "
            "cấp ủy làm Trưởng Ban Chỉ đạo; Sở Chỉ huy "
            "do UBND ban hành quyết định, đồng chí Chủ tịch UBND là Chỉ huy trưởng (mục II.2.1 của Kế hoạch)."
        ),
        due_at=hanoi(2021, 9, 7, 0, 0),
        lead=services.assignee(LONG_BIEN),
        document=plan,
        priority="urgent",
        responsible_person="Thường trực Quận ủy",
    )
    plans = _task(
        district_officer,
        district,
        assigned,
        title="UBND phường xây dựng kế hoạch thực hiện (chia khu vực dân cư theo 03 mức độ nguy cơ), "
        "trình UBND Quận phê duyệt trong ngày 07/9/2021",
        due_at=hanoi(2021, 9, 7, 17, 0),
        lead=services.assignee(LONG_BIEN),
        document=plan,
        priority="high",
        responsible_person="Chủ tịch UBND Quận",
    )
    for code in LONG_BIEN_WARDS:
        ward = territory.unit_by_code(code)
        assert ward is not None
        officer = _officer(code)
        own = _task(
            district_officer,
            district,
            assigned,
            parent=committees,
            title=f"{committees.title} — {ward.full_name}",
            due_at=committees.due_at,
            lead=services.assignee(code),
            priority="urgent",
            responsible_person=f"Bí thư Đảng ủy, Chủ tịch UBND {ward.full_name}",
        )
        if code == LATE_WARD:
            _report(
                own,
                officer,
                hanoi(2021, 9, 6, 17, 0),
                70,
                note="Đã có quyết định thành lập Ban Chỉ đạo; "
                "Sở Chỉ huy đang hoàn thiện danh sách thành viên.",
            )
        else:
            _report(
                own,
                officer,
                hanoi(2021, 9, 6, 9, 0),
                50,
                note="Đảng ủy phường đã ban hành quyết định thành lập Ban Chỉ đạo.",
            )
            _report(
                own,
                officer,
                hanoi(2021, 9, 6, 16, 0),
                100,
                done=True,
                note="UBND phường đã ban hành quyết định thành lập Sở Chỉ huy; đã phân công trực 24/7.",
            )
        ward_plan = _task(
            district_officer,
            district,
            assigned,
            parent=plans,
            title=f"{plans.title} — {ward.full_name}",
            due_at=plans.due_at,
            lead=services.assignee(code),
            priority="high",
        )
        submitted = hanoi(2021, 9, 7, 20, 15) if code == LATE_WARD else hanoi(2021, 9, 7, 15, 30)
        _report(
            ward_plan,
            officer,
            submitted,
            100,
            done=True,
            note="Đã trình UBND Quận kế hoạch và bảng phân loại khu vực.",
        )
    _report(committees, district_officer, hanoi(2021, 9, 7, 8, 0), 93, note="13/14 phường đã hoàn thành.")
    _report(
        plans,
        district_officer,
        hanoi(2021, 9, 7, 21, 0),
        100,
        done=True,
        note="14/14 phường đã trình kế hoạch.",
    )
    daily = _task(
        district_officer,
        district,
        assigned,
        title="Báo cáo về Thường trực Quận ủy (qua Văn phòng Quận ủy) trước 16h30 hằng ngày",
        description="Nội dung đột xuất, phát sinh báo cáo ngay bằng điện thoại với Thường trực Quận ủy.",
        due_at=hanoi(2021, 9, 6, 16, 30),
        lead=services.assignee(LONG_BIEN),
        document=plan,
        recurrence="daily",
        responsible_person="Các đồng chí Ủy viên Ban Thường vụ Quận ủy phụ trách tổ chức cơ sở Đảng",
    )
    _report(daily, district_officer, hanoi(2021, 9, 6, 16, 10), 100, done=True, note="Đã báo cáo.")


VICE_CHAIRS = {
    "dung": "đ/c Chử Xuân Dũng, Ủy viên Ban cán sự đảng, Phó Chủ tịch UBND Thành phố, "
    "Phó Chỉ huy trưởng Sở Chỉ huy",
    "son": "đ/c Lê Hồng Sơn, Phó Bí thư Ban cán sự đảng, Phó Chủ tịch Thường trực UBND Thành phố, "
    "Phó Chỉ huy trưởng Sở Chỉ huy",
    "quyen": "đ/c Nguyễn Mạnh Quyền, Ủy viên Ban cán sự đảng, Phó Chủ tịch UBND Thành phố, "
    "Phó Chỉ huy trưởng Sở Chỉ huy",
}
ALL_VICE_CHAIRS = (
    "Các đồng chí thành viên Ban cán sự đảng, Phó Chủ tịch UBND Thành phố, Phó Chỉ huy trưởng Sở Chỉ huy"
)
DISTRICTS = "districts"  # stands for the 30 districts as cooperating units
SYT, SLD, SGD, STT = (CITY, "SYT"), (CITY, "SLDTBXH"), (CITY, "SGDDT"), (CITY, "STTTT")
CATP, SGTVT, SCT = (CITY, "CATP"), (CITY, "SGTVT"), (CITY, "SCT")
CITY_ITSELF: tuple[str, str | None] = (CITY, None)


def _sub(title: str, lead: tuple[str, str | None], due: datetime, **fields: Any) -> Sub:
    return Sub(title, lead, due, **fields)


# Sections 1–4 of 788-CV/BCSD: (direction, who answers for it, its tasks).
DIRECTIONS: list[tuple[str, str, list[Sub]]] = [
    (
        "Quán triệt, chỉ đạo triển khai Thông báo kết luận số 495-TB/TU theo mảng, lĩnh vực được phân công",
        ALL_VICE_CHAIRS,
        [
            _sub(
                "Chỉ đạo các sở, ngành tham mưu xây dựng quy định, tiêu "
                "chí, điều kiện bảo đảm an toàn phòng, "
                "chống dịch đối với từng lĩnh vực, đối tượng (sản xuất "
                "kinh doanh, chợ đầu mối, chợ dân sinh, "
                "siêu thị, khu công nghiệp và chế xuất); thông báo công "
                "khai trên Cổng thông tin điện tử Thành phố",
                CITY_ITSELF,
                hanoi(2021, 9, 30, 17, 0),
                cooperating=[SCT, SYT],
                priority="high",
                report=(60, False, "Đã lấy ý kiến các sở, ngành."),
            ),
            _sub(
                "Tiếp tục phân cấp, ủy quyền cho bí thư cấp ủy và chủ "
                "tịch UBND các quận, huyện, thị xã chỉ đạo "
                "trực tiếp phê duyệt phương án phòng, chống dịch ở từng "
                "điểm, từng loại hình sản xuất kinh doanh",
                CITY_ITSELF,
                hanoi(2021, 9, 24, 17, 0),
                cooperating=[(DISTRICTS, None)],
                report=(100, True, "Đã ban hành văn bản ủy quyền."),
            ),
            _sub(
                "Tăng cường kiểm tra, giám sát; chủ trì, tham gia các "
                "đoàn kiểm tra theo Quyết định 1103-QĐ/TU; "
                "các quận, huyện, thị ủy thành lập đoàn kiểm tra liên ngành tại các khu vực nguy cơ cao",
                CITY_ITSELF,
                hanoi(2021, 10, 15, 17, 0),
                cooperating=[(DISTRICTS, None)],
                report=(30, False, "15 đoàn kiểm tra đang hoạt động."),
            ),
        ],
    ),
    (
        "Chỉ đạo Sở Y tế, Sở Lao động – Thương binh và Xã hội, Sở Giáo dục và Đào tạo, "
        "Sở Thông tin và Truyền thông",
        VICE_CHAIRS["dung"],
        [
            _sub(
                "Khẩn trương tham mưu ban hành Chỉ thị của Chủ tịch Thành phố về điều chỉnh các biện pháp "
                "phòng, chống dịch Covid-19 trong tình hình mới",
                SYT,
                hanoi(2021, 9, 23, 17, 0),
                priority="urgent",
                report=(100, True, "Đã trình dự thảo Chỉ thị kèm phụ lục."),
            ),
            _sub(
                "Xét nghiệm tầm soát 2-3 ngày/lần ở các điểm còn phong tỏa "
                "và đối tượng nguy cơ cao; trả kết quả "
                "trước 24h; tiêm vắc xin tại nhà cho người tàn tật, già "
                "yếu, đi lại khó khăn; kiến nghị Trung ương "
                "phân bổ vắc xin tiêm đủ mũi 2",
                SYT,
                hanoi(2021, 9, 30, 17, 0),
                cooperating=[(DISTRICTS, None)],
                priority="high",
                report=(50, False, "Đang tầm soát tại các điểm phong tỏa; đã có văn bản kiến nghị Bộ Y tế."),
            ),
            _sub(
                "Rà soát, tăng cường đầu tư cho tuyến y tế cơ sở; kế "
                "hoạch đầu tư xây dựng các bệnh viện ở cửa "
                "ngõ Thành phố",
                SYT,
                hanoi(2021, 10, 31, 17, 0),
            ),
            _sub(
                "Nghiên cứu kỹ chỉ đạo của Thủ tướng Chính phủ tại văn bản số 6324/VPCP-KGVX ngày 10/9/2021, "
                "báo cáo UBND Thành phố",
                SLD,
                hanoi(2021, 9, 28, 17, 0),
                report=(40, False, "Đang tổng hợp ý kiến các đơn vị liên quan."),
            ),
            _sub(
                "Xây dựng lộ trình, phương án cho học sinh, sinh viên trở "
                "lại học tập khi đủ điều kiện; sắp xếp, "
                "điều chỉnh các khu cách ly tập trung tại trường học",
                SGD,
                hanoi(2021, 9, 30, 17, 0),
                report=(20, False, ""),
            ),
            _sub(
                "Tăng cường thông tin, truyền thông; phân công người phát "
                "ngôn; phối hợp các cơ quan Trung ương "
                "tổ chức họp báo về công tác phòng, chống dịch của Thành phố",
                STT,
                hanoi(2021, 9, 22, 17, 0),
                priority="high",
                report=(100, True, "Đã phân công người phát ngôn; họp báo định kỳ hằng tuần."),
            ),
        ],
    ),
    (
        "Chỉ đạo Công an Thành phố",
        VICE_CHAIRS["son"],
        [
            _sub(
                "Hoàn thiện việc tích hợp thông tin y tế vào mã số công "
                "dân theo chuẩn dữ liệu dân cư quốc gia",
                CATP,
                hanoi(2021, 10, 15, 17, 0),
                report=(30, False, ""),
            ),
            _sub(
                "Duy trì 22 chốt kiểm soát tại các cửa ngõ và 33 chốt tại "
                "các quận, huyện, thị xã; đề xuất chưa "
                "cho phép đi/về Thành phố bằng đường sắt, đường thủy, "
                "đường hàng không trừ trường hợp công vụ, "
                "phòng, chống dịch, vận chuyển hàng hóa; cho phép xe luồng xanh",
                CATP,
                hanoi(2021, 9, 27, 17, 0),
                cooperating=[(DISTRICTS, None)],
                priority="urgent",
                report=(80, False, "Các chốt duy trì 24/7."),
            ),
        ],
    ),
    (
        "Chỉ đạo Sở Giao thông vận tải, Sở Công Thương, UBND các quận, huyện, thị xã",
        VICE_CHAIRS["quyen"],
        [
            _sub(
                "Giữ nguyên quy định vận chuyển hàng hóa bằng mô tô 2 "
                "bánh (shipper); quy định cụ thể giờ hoạt "
                "động để giảm mật độ vào giờ cao điểm",
                SGTVT,
                hanoi(2021, 9, 25, 17, 0),
                cooperating=[SCT],
                report=(100, True, "Đã có văn bản hướng dẫn."),
            ),
            _sub(
                "Kiên quyết xóa bỏ chợ tạm, chợ cóc, hàng rong; bảo đảm an ninh trật tự, mỹ quan đô thị",
                SCT,
                hanoi(2021, 9, 30, 17, 0),
                cooperating=[(DISTRICTS, None)],
                priority="high",
                report=(45, False, ""),
            ),
        ],
    ),
]


def _city_tasks(by_city: Any, city: Any, letter: Any) -> None:
    assigned = hanoi(2021, 9, 21, 17, 0)
    districts: list[tuple[str, str | None]] = [(d.code, None) for d in territory.children_of(city)]
    for order, (title, responsible, subs) in enumerate(DIRECTIONS, start=1):
        direction = _task(
            by_city,
            city,
            assigned,
            title=f"{order}. {title}",
            lead=services.assignee(CITY),
            document=letter,
            due_at=max(sub.due for sub in subs),
            responsible_person=responsible,
            priority="high",
        )
        for sub in subs:
            cooperating = [d for c in sub.cooperating for d in (districts if c[0] == DISTRICTS else [c])]
            task = _task(
                by_city,
                city,
                assigned,
                parent=direction,
                title=sub.title,
                due_at=sub.due,
                lead=services.assignee(*sub.lead),
                priority=sub.priority,
                cooperating=[services.assignee(*c, field="cooperating") for c in cooperating],
                responsible_person=responsible,
            )
            if sub.report is not None:
                progress, done, note = sub.report
                moment = min(sub.due, hanoi(2021, 9, 22, 9 + order, 0)) if done else hanoi(2021, 9, 22, 15, 0)
                _report(task, by_city, moment, progress, done=done, note=note)
