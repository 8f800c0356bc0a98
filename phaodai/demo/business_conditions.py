"""The sector conditions the city publishes in the demo (S29), from the directives of July–September 2021.

What each text says comes from POLICY.md and the seeds: 17/CT-UBND (from 06:00 24/7/2021: essential
shops, supermarkets and markets open with a QR health declaration), 20/CT-UBND (06/9–21/9: production
in "3 tại chỗ" or "1 cung đường 2 điểm đến"; takeaway only, closing before 21:00, where "15+" holds),
22/CT-UBND (from 06:00 21/9: non-essential shops reopen, offices keep 50 % on site), S26 (market passes
by day and hour), S7/S28 (production and construction only with an approved plan). Where a line is
ours, the text says so ("Suy luận" / "Inferred"), as the zoning catalogue does; in particular, that
shops, markets and restaurants need a plan approved by the ward (S28 read with S30) is an inference.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from phaodai.core.clock import hanoi
from phaodai.demo.scenarios import CT17_EFFECTIVE, CT17_ISSUED, CT22_EFFECTIVE, CT22_ISSUED

CT20_EFFECTIVE, CT20_PUBLISHED = hanoi(2021, 9, 6, 6, 0), hanoi(2021, 9, 5, 20, 0)
CT17 = "Chỉ thị 17/CT-UBND ngày 23/7/2021 của UBND thành phố Hà Nội"
CT20 = "Chỉ thị 20/CT-UBND ngày 03/9/2021 của UBND thành phố Hà Nội"
CT22 = "Chỉ thị 22/CT-UBND ngày 20/9/2021 của UBND thành phố Hà Nội"
PLAN_INFERRED = "Suy luận: cơ sở có phương án phòng, chống dịch được UBND phường phê duyệt (S28, S30)."
PLAN_INFERRED_EN = "Inferred: the shop has a COVID-safety plan approved by the ward (S28, S30)."


@dataclass(frozen=True)
class ConditionSpec:
    sector: str
    valid_from: datetime
    published_at: datetime
    title: str
    title_en: str
    criteria: str
    criteria_en: str
    basis: str
    plan_required: bool = True
    requirements: Mapping[str, Any] = field(default_factory=dict)


CONDITIONS: tuple[ConditionSpec, ...] = (
    ConditionSpec(
        "essential_shops", CT17_EFFECTIVE, CT17_ISSUED,
        "Cửa hàng tạp hóa, thực phẩm, hoa quả, nhà thuốc", "Grocery, food and fruit shops, pharmacies",
        "Chỉ bán hàng hóa thiết yếu: lương thực, thực phẩm, thuốc, vật tư y tế.\n"
        "Kiểm soát người ra vào; mọi khách hàng quét mã QR khai báo y tế.\n"
        "Đeo khẩu trang, giữ khoảng cách 2 m; khử khuẩn, bố trí nước rửa tay.\n" + PLAN_INFERRED,
        "Essential goods only: staple food, food, medicine, medical supplies.\n"
        "Entry controlled; every customer scans the QR code for the health declaration.\n"
        "Masks, 2 m apart; disinfection and hand sanitiser.\n" + PLAN_INFERRED_EN,
        CT17, requirements={"qr_checkin": True, "distance_m": 2},
    ),
    ConditionSpec(
        "supermarket", CT17_EFFECTIVE, CT17_ISSUED,
        "Trung tâm thương mại, siêu thị, cửa hàng tiện lợi", "Malls, supermarkets, convenience stores",
        "Chỉ mở quầy hàng thiết yếu.\nMọi khách hàng quét mã QR khai báo y tế; giữ khoảng cách 2 m.\n"
        "Suy luận: có phương án phòng, chống dịch được phê duyệt (S28).",
        "Essential-goods counters only.\nEvery customer scans the QR code for the health declaration; "
        "2 m apart.\nInferred: an approved COVID-safety plan (S28).",
        CT17, requirements={"qr_checkin": True, "distance_m": 2, "essential_only": True},
    ),
    ConditionSpec(
        "supermarket", CT22_EFFECTIVE, CT22_ISSUED,
        "Trung tâm thương mại, siêu thị, cửa hàng tiện lợi", "Malls, supermarkets, convenience stores",
        "Được bán các mặt hàng, không chỉ hàng thiết yếu.\n"
        "Mọi khách hàng quét mã QR khai báo y tế; giữ khoảng cách 2 m.\n"
        "Suy luận: có phương án phòng, chống dịch được phê duyệt (S28).",
        "All goods, not only essentials.\nEvery customer scans the QR code for the health declaration; "
        "2 m apart.\nInferred: an approved COVID-safety plan (S28).",
        CT22, requirements={"qr_checkin": True, "distance_m": 2},
    ),
    ConditionSpec(
        "local_market", CT17_EFFECTIVE, CT17_ISSUED,
        "Chợ dân sinh", "Local markets",
        "Người đi chợ có thẻ đi chợ theo ngày, giờ (S26).\n"
        "Thực hiện 5K; giãn cách giữa các quầy; quét mã QR khai báo y tế khi vào chợ.\n"
        "Không để thiếu hàng, tăng giá, hàng giả (S26).\n"
        "Suy luận: ban quản lý chợ có phương án phòng, chống dịch được phê duyệt (S28).",
        "Shoppers hold a market pass for a day and an hour (S26).\n"
        "5K rules; distancing between stalls; QR health declaration at the entrance.\n"
        "No shortages, price gouging or fake goods (S26).\n"
        "Inferred: the market's management has an approved COVID-safety plan (S28).",
        CT17 + "; Công văn 414-CV/QU ngày 30/7/2021 của Quận ủy Ba Đình",
        requirements={"market_pass": True, "qr_checkin": True},
    ),
    ConditionSpec(
        "factory", CT17_EFFECTIVE, CT17_ISSUED,
        "Cơ sở sản xuất, doanh nghiệp trong khu công nghiệp", "Production sites and industrial-park firms",
        "Chỉ hoạt động khi đáp ứng đầy đủ điều kiện phòng, chống dịch và có phương án phòng, chống dịch "
        "được phê duyệt (S7, S28).\n"
        "Tổ chức sản xuất theo phương án “3 tại chỗ” (sản xuất, ăn, nghỉ tại chỗ) hoặc “1 cung đường "
        "2 điểm đến”; bắt buộc ở khu vực 2 từ 06:00 ngày 06/9/2021 (Chỉ thị 20/CT-UBND).\n"
        "Số người làm việc tại chỗ không vượt số đã được duyệt; quét mã QR khai báo y tế khi vào; "
        "đeo khẩu trang, giữ khoảng cách.\n"
        "Suy luận: xét nghiệm định kỳ cho người lao động theo hướng dẫn của ngành y tế "
        "(văn bản gốc không nêu tần suất).",
        "Operates only when it meets every anti-epidemic condition and has an approved COVID-safety "
        "plan (S7, S28).\n"
        "Production in “3 on site” (work, eat, rest on site) or “1 route, 2 destinations” mode; "
        "required in level-2 areas from 06:00 06/9/2021 (Directive 20/CT-UBND).\n"
        "People on site within the approved number; QR health declaration at the gate; masks, distancing.\n"
        "Inferred: staff tested periodically as the health service directs (the sources give no cadence).",
        f"{CT17}; {CT20}",
        requirements={"modes": ["3_tai_cho", "1_cung_duong"], "qr_checkin": True},
    ),
    ConditionSpec(
        "construction", CT17_EFFECTIVE, CT17_ISSUED,
        "Công trình xây dựng công và tư, công trình giao thông", "Public and private construction sites",
        "Chỉ thi công khi có phương án phòng, chống dịch được phê duyệt; các công trình, dự án đầu tư "
        "công và công trình nhà ở tư nhân được kiểm tra, hướng dẫn (S7, S28).\n"
        "Suy luận: người lao động làm việc theo “3 tại chỗ” hoặc “1 cung đường 2 điểm đến” như cơ sở "
        "sản xuất; quét mã QR tại cổng công trình; chia ca ăn, giữ khoảng cách.",
        "Work goes on only with an approved COVID-safety plan; public investment projects and private "
        "housing sites are inspected and guided (S7, S28).\n"
        "Inferred: workers in “3 on site” or “1 route, 2 destinations” mode as in production; QR "
        "check-in at the site gate; staggered meals, distancing.",
        f"{CT17}; {CT20}",
        requirements={"modes": ["3_tai_cho", "1_cung_duong"], "qr_checkin": True},
    ),
    ConditionSpec(
        "takeaway_food", CT20_EFFECTIVE, CT20_PUBLISHED,
        "Bán đồ ăn, đồ uống mang về", "Takeaway food and drink",
        "Nơi biện pháp đang áp dụng cho phép: chỉ bán mang về, không phục vụ tại chỗ; đóng cửa trước "
        "21:00 ở khu vực áp dụng Chỉ thị 15 có biện pháp cao hơn (“15+”).\n"
        "Mọi khách hàng quét mã QR khai báo y tế; khách chờ cách nhau 2 m.\n" + PLAN_INFERRED,
        "Where the measures in force allow it: takeaway only, no dine-in; closing before 21:00 in areas "
        "under Directive 15 with stricter measures (“15+”).\n"
        "Every customer scans the QR code for the health declaration; customers wait 2 m apart.\n"
        + PLAN_INFERRED_EN,
        CT20, requirements={"takeaway_only": True, "closes_at": "21:00", "qr_checkin": True},
    ),
    ConditionSpec(
        "takeaway_food", CT22_EFFECTIVE, CT22_ISSUED,
        "Bán đồ ăn, đồ uống mang về", "Takeaway food and drink",
        "Toàn thành phố: chỉ bán mang về, không phục vụ tại chỗ; đóng cửa trước 21:00.\n"
        "Mọi khách hàng quét mã QR khai báo y tế; khách chờ cách nhau 2 m.\n" + PLAN_INFERRED,
        "City-wide: takeaway only, no dine-in; closing before 21:00.\n"
        "Every customer scans the QR code for the health declaration; customers wait 2 m apart.\n"
        + PLAN_INFERRED_EN,
        CT22, requirements={"takeaway_only": True, "closes_at": "21:00", "qr_checkin": True},
    ),
    ConditionSpec(
        "non_essential_retail", CT22_EFFECTIVE, CT22_ISSUED,
        "Cửa hàng quần áo, mỹ phẩm, văn phòng phẩm, sách; sửa chữa xe, đồ điện tử, đồ gia dụng",
        "Clothing, cosmetics, stationery and book shops; vehicle, electronics and appliance repair",
        "Được mở lại từ 06:00 ngày 21/9/2021 (S32).\n"
        "Mọi khách hàng quét mã QR khai báo y tế; giữ khoảng cách 2 m.\n" + PLAN_INFERRED,
        "May reopen from 06:00 21/9/2021 (S32).\n"
        "Every customer scans the QR code for the health declaration; 2 m apart.\n" + PLAN_INFERRED_EN,
        CT22, requirements={"qr_checkin": True, "distance_m": 2},
    ),
    ConditionSpec(
        "office", CT22_EFFECTIVE, CT22_ISSUED,
        "Cơ quan, đơn vị, văn phòng", "Agencies and offices",
        "Bố trí 50% cán bộ, nhân viên làm việc tại trụ sở; số người làm việc tại chỗ trong giới hạn "
        "(S28).\nKhông cần phương án được phê duyệt.",
        "50% of staff work at the office; people on site within the limits (S28).\n"
        "No approved plan is needed.",
        CT22, plan_required=False, requirements={"onsite_staff_pct": 50},
    ),
)  # fmt: skip
