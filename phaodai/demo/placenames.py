"""Place names for the demo's areas and addresses: streets, villages, urban areas, industrial parks."""

# Real streets of the three showcase districts (district GSO code -> street names).
DISTRICT_STREETS: dict[str, tuple[str, ...]] = {
    "001": ("Phúc Xá", "Nghĩa Dũng", "Hòe Nhai", "Hàng Bún", "Quán Thánh", "Phan Đình Phùng", "Châu Long",
            "Trấn Vũ", "Đội Cấn", "Liễu Giai", "Kim Mã", "Ngọc Hà", "Hoàng Hoa Thám", "Văn Cao", "Đào Tấn",
            "Giảng Võ", "Nguyễn Thái Học", "Điện Biên Phủ", "Cống Vị", "Vĩnh Phúc", "Đốc Ngữ", "Ngọc Khánh",
            "Nguyễn Chí Thanh", "Thành Công", "Láng Hạ", "La Thành", "Nguyễn Trung Trực", "Yên Phụ"),
    "004": ("Ngọc Lâm", "Nguyễn Văn Cừ", "Bồ Đề", "Nguyễn Sơn", "Ngọc Thụy", "Gia Thụy", "Hồng Tiến",
            "Ái Mộ", "Lâm Du", "Thạch Bàn", "Sài Đồng", "Phúc Lợi", "Việt Hưng", "Ngô Gia Tự", "Đức Giang",
            "Cổ Linh", "Nguyễn Văn Linh", "Trường Lâm", "Thanh Am", "Lâm Hạ", "Hoàng Như Tiếp", "Phú Viên",
            "Tư Đình", "Gia Quất", "Vũ Xuân Thiều", "Lưu Khánh Đàm", "Long Biên 1", "Thượng Thanh"),
    "268": ("Quang Trung", "Tô Hiệu", "Nguyễn Trãi", "Trần Phú", "Lê Trọng Tấn", "Tố Hữu", "Phùng Hưng",
            "Nguyễn Khuyến", "Văn Quán", "Chiến Thắng", "Lê Lợi", "Bà Triệu", "Ngô Quyền", "Xa La",
            "Phúc La", "Vạn Phúc", "Yết Kiêu", "Mậu Lương", "Ba La", "Nguyễn Viết Xuân", "Lê Văn Lương",
            "Dương Nội", "Yên Nghĩa", "Phú Lãm", "Kiến Hưng", "Đa Sỹ", "Vũ Trọng Khánh", "Văn Khê"),
}  # fmt: skip

# Names found in most Vietnamese towns, for wards outside the showcase districts.
COMMON_STREETS: tuple[str, ...] = (
    "Lê Lợi", "Trần Hưng Đạo", "Quang Trung", "Nguyễn Trãi", "Lý Thường Kiệt", "Hai Bà Trưng",
    "Lê Thánh Tông", "Ngô Quyền", "Phan Chu Trinh", "Phan Bội Châu", "Nguyễn Du", "Trần Phú",
    "Lê Hồng Phong", "Hoàng Diệu", "Nguyễn Huệ", "Lý Thái Tổ", "Chu Văn An", "Tô Hiến Thành",
    "Nguyễn Thái Học", "Đinh Tiên Hoàng", "Hùng Vương", "Trần Quốc Toản", "Yết Kiêu", "Bà Triệu",
)  # fmt: skip

# Wide roads are "đường"; other streets are "phố".
ROADS = frozenset(
    {"Nguyễn Văn Cừ", "Nguyễn Văn Linh", "Ngô Gia Tự", "Nguyễn Trãi", "Quang Trung", "Lê Văn Lương", "Tố Hữu",
     "Kim Mã", "Hoàng Hoa Thám", "Nguyễn Chí Thanh", "La Thành", "Lê Trọng Tấn", "Hùng Vương",
     "Điện Biên Phủ", "Cổ Linh", "Long Biên 1", "Chiến Thắng"}
)  # fmt: skip

# Village names (thôn) common in the Red River delta; directions come first, as in real villages.
VILLAGE_NAMES: tuple[str, ...] = (
    "Đông", "Đoài", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "An Lạc", "An Phú", "An Thái", "Bình Minh",
    "Cao Xá", "Cổ Điển", "Đại Đồng", "Đại Phúc", "Đình Xuyên", "Đông Lai", "Đồng Nhân", "Đức Hậu",
    "Gia Lạc", "Hạ Lôi", "Hòa Bình", "Hòa Lạc", "Hưng Thịnh", "Kim Lan", "Kim Lũ", "Lai Xá", "Lạc Thị",
    "Long Phú", "Mỹ Hưng", "Nam Hồng", "Ngọc Động", "Nhân Lý", "Phú Mỹ", "Phúc Lộc", "Phượng Mao",
    "Quảng Bá", "Tân Lập", "Tân Tiến", "Thái Hòa", "Thanh Lâm", "Thượng Phúc", "Tiên Hội", "Văn Trì",
    "Vân Nội", "Xuân Dục", "Yên Bình", "Yên Thái", "Yên Vĩ", "Đồng Tâm", "Phú Thịnh", "Hậu Dưỡng",
)  # fmt: skip

# Well-known urban areas (khu đô thị), keyed by (district code, ward name) of the ward that holds them.
URBAN_AREAS: dict[tuple[str, str], str] = {
    ("004", "Việt Hưng"): "Khu đô thị Việt Hưng",
    ("004", "Sài Đồng"): "Khu đô thị Sài Đồng",
    ("004", "Thạch Bàn"): "Khu đô thị Thạch Bàn",
    ("004", "Phúc Lợi"): "Khu đô thị Vinhomes Riverside",
    ("268", "Văn Quán"): "Khu đô thị Văn Quán",
    ("268", "Mộ Lao"): "Khu đô thị Mỗ Lao",
    ("268", "Dương Nội"): "Khu đô thị Dương Nội",
    ("268", "Phúc La"): "Khu đô thị Xa La",
    ("268", "Phú La"): "Khu đô thị Văn Phú",
    ("268", "La Khê"): "Khu đô thị Văn Khê",
    ("268", "Kiến Hưng"): "Khu đô thị Kiến Hưng",
    ("005", "Trung Hoà"): "Khu đô thị Trung Hòa – Nhân Chính",
    ("008", "Hoàng Liệt"): "Khu đô thị Linh Đàm",
    ("008", "Định Công"): "Khu đô thị Định Công",
    ("021", "Xuân Đỉnh"): "Khu đô thị Ciputra",
    ("019", "Mỹ Đình 1"): "Khu đô thị Mỹ Đình",
}

# Industrial parks and clusters, keyed the same way; other wards may get a generic cluster.
INDUSTRIAL_PARKS: dict[tuple[str, str], str] = {
    ("004", "Thạch Bàn"): "Khu công nghiệp Sài Đồng B",
    ("004", "Sài Đồng"): "Khu công nghiệp Hà Nội – Đài Tư",
    ("021", "Thụy Phương"): "Khu công nghiệp Nam Thăng Long",
    ("017", "Kim Chung"): "Khu công nghiệp Thăng Long",
    ("250", "Quang Minh"): "Khu công nghiệp Quang Minh",
    ("277", "Phú Nghĩa"): "Khu công nghiệp Phú Nghĩa",
}

# Building codes of apartment blocks ("Chung cư CT1 …", "Khu tập thể Giảng Võ nhà A2").
BUILDING_CODES: tuple[str, ...] = (
    "CT1", "CT2", "CT3", "CT4", "CT5", "A1", "A2", "B1", "B2", "C1", "C2", "HH1", "HH2", "HH3",
    "N01", "N02", "N03", "17T1", "17T2", "TN1", "VP3", "OCT2",
)  # fmt: skip

# Building codes used for the old collective housing blocks (khu tập thể) of the central districts.
OLD_BLOCK_CODES: tuple[str, ...] = ("A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "D1", "D2", "E1", "G3")
