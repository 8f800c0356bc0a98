"""Vietnamese personal names: family names by frequency, middle and given names by sex and era."""

# Family names (họ) with rough shares in northern Việt Nam, per cent; the tail is spread evenly.
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 36.0), ("Trần", 11.0), ("Lê", 9.0), ("Phạm", 7.0), ("Hoàng", 5.0), ("Vũ", 4.0),
    ("Đặng", 2.5), ("Bùi", 2.3), ("Đỗ", 2.0), ("Ngô", 1.4), ("Dương", 1.1), ("Đào", 1.0),
    ("Đinh", 1.0), ("Phan", 1.0), ("Trịnh", 0.9), ("Lương", 0.7), ("Mai", 0.6), ("Hà", 0.6),
    ("Tạ", 0.5), ("Cao", 0.5), ("Lưu", 0.5), ("Chu", 0.4), ("Kiều", 0.4), ("Phùng", 0.4),
    ("Nghiêm", 0.3), ("Khuất", 0.3), ("Tô", 0.3), ("Lại", 0.3), ("Đoàn", 0.3), ("Triệu", 0.2),
    ("Quách", 0.2), ("Lý", 0.2), ("Văn", 0.2), ("Thái", 0.2), ("Hồ", 0.2), ("Đồng", 0.2),
)  # fmt: skip

# Middle names (tên đệm): "Văn" and "Thị" dominate older generations and fade in younger ones.
TRADITIONAL_MIDDLE = {"M": "Văn", "F": "Thị"}
MIDDLE_NAMES = {
    "M": ("Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Tiến", "Mạnh", "Thành", "Trọng", "Đình",
          "Anh", "Hoàng", "Tuấn", "Thế", "Ngọc", "Việt", "Duy", "Gia", "Bảo", "Trung", "Hải"),
    "F": ("Ngọc", "Thu", "Thanh", "Phương", "Minh", "Hồng", "Thúy", "Kim", "Mai", "Bảo", "Khánh",
          "Diệu", "Hoài", "Quỳnh", "Hải", "Lan", "Thùy", "Hương", "Tuyết", "Bích", "Vân", "Hà"),
}  # fmt: skip

# Given names (tên): a generation born before ~1980 and one born after, overlapping.
GIVEN_NAMES_OLDER = {
    "M": ("Hùng", "Dũng", "Tuấn", "Hải", "Sơn", "Thắng", "Cường", "Hưng", "Trung", "Bình", "Hòa",
          "Toàn", "Tiến", "Chiến", "Công", "Định", "Hậu", "Hiển", "Hoan", "Lực", "Mạnh", "Nghĩa",
          "Thanh", "Thông", "Thịnh", "Vinh", "Lâm", "Quang", "Tâm", "Thái", "Tài", "Lợi", "Sáu"),
    "F": ("Hương", "Lan", "Mai", "Hạnh", "Hà", "Hằng", "Nga", "Thủy", "Yến", "Hoa", "Dung",
          "Nhung", "Oanh", "Loan", "Hiền", "Vân", "Hồng", "Thu", "Tâm", "Xuân", "Lệ", "Liên",
          "Bích", "Cúc", "Đào", "Hòa", "Lụa", "Mến", "Nhàn", "Sen", "Thơm", "Tươi", "Huệ", "Lý"),
}  # fmt: skip
GIVEN_NAMES_YOUNGER = {
    "M": ("Anh", "Nam", "Long", "Minh", "Quân", "Hiếu", "Đức", "Phong", "Huy", "Khánh", "Kiên",
          "Thành", "Tùng", "Phúc", "Đạt", "Duy", "Hoàng", "Khoa", "Việt", "An", "Bảo", "Giang",
          "Lộc", "Nhật", "Phát", "Sang", "Trí", "Tú", "Vũ", "Đăng", "Khôi", "Phú", "Hải", "Sơn"),
    "F": ("Anh", "Linh", "Trang", "Ngọc", "Huyền", "Thảo", "Phương", "Chi", "Giang", "Quỳnh",
          "Trinh", "Uyên", "Vy", "Nhi", "Châu", "Diệp", "Ly", "My", "Ngân", "Nguyệt", "Thư",
          "Tuyết", "Hà", "Khánh", "Hân", "An", "Hương", "Mai", "Lan", "Vân", "Thu", "Hằng"),
}  # fmt: skip
