"""Words of police and government news: ranks, titles, units, place types, people's
cues. Lists only (no patterns), so each can be read and extended on its own."""

from __future__ import annotations

RANKS = (
    "Đại tướng", "Thượng tướng", "Trung tướng", "Thiếu tướng", "Đại tá", "Thượng tá",
    "Trung tá", "Thiếu tá", "Đại úy", "Thượng úy", "Trung úy", "Thiếu úy", "Thượng sĩ",
    "Trung sĩ", "Hạ sĩ", "Binh nhất", "Binh nhì", "Chuẩn úy",
)  # fmt: skip

# Heads of a role phrase; "Trưởng" and "Phó" combine with unit words ("Phó Trưởng phòng").
TITLE_HEADS = (
    "Tổng Bí thư", "Thủ tướng Chính phủ", "Thủ tướng", "Phó Thủ tướng", "Chủ tịch nước",
    "Phó Chủ tịch nước", "Chủ tịch", "Phó Chủ tịch", "Bí thư", "Phó Bí thư", "Bộ trưởng",
    "Thứ trưởng", "Tổng Giám đốc", "Phó Tổng Giám đốc", "Giám đốc", "Phó Giám đốc",
    "Tổng cục trưởng", "Phó Tổng cục trưởng", "Cục trưởng", "Phó Cục trưởng", "Vụ trưởng",
    "Phó Vụ trưởng", "Trưởng phòng", "Phó Trưởng phòng", "Đội trưởng", "Phó Đội trưởng",
    "Trưởng ban", "Phó Trưởng ban", "Trưởng", "Phó Trưởng", "Chánh Văn phòng",
    "Phó Chánh Văn phòng", "Chánh án", "Phó Chánh án", "Chánh Thanh tra", "Viện trưởng",
    "Phó Viện trưởng", "Chủ nhiệm", "Phó Chủ nhiệm", "Ủy viên", "Tư lệnh", "Phó Tư lệnh",
    "Chính ủy", "Phó Chính ủy", "Thủ trưởng", "Phó Thủ trưởng", "Chỉ huy trưởng",
    "Phó Chỉ huy trưởng", "Đồn trưởng", "Phó Đồn trưởng", "Trạm trưởng", "Giám thị",
    "Phó Giám thị", "Hiệu trưởng", "Phó Hiệu trưởng", "Tổng Thư ký", "Người phát ngôn",
    "Đại sứ", "Tổng thống", "Phó Tổng thống", "Thường trực", "Đại biểu Quốc hội",
    "Trưởng đoàn", "HLV trưởng", "HLV", "Huấn luyện viên trưởng", "Huấn luyện viên", "CEO",
    "Thống đốc", "Quốc vương", "Nhà vua", "Nữ hoàng", "Hoàng tử", "Trợ lý", "Phó Thống đốc",
    "Tổng thư ký", "Chủ tịch Hội đồng quản trị", "Chủ tịch HĐQT", "Ngoại trưởng",
    "Chính trị viên", "Phó Chính trị viên", "Thẩm phán", "Kiểm sát viên", "Điều tra viên",
    "Chấp hành viên", "Thanh tra viên", "Đội phó", "Tỉnh ủy viên", "Thành ủy viên",
    "Huyện ủy viên", "Đảng ủy viên", "Cảnh sát khu vực",
)  # fmt: skip
# Titles that name one office on their own, with no organisation after them.
STANDALONE_TITLES = ("Tổng Bí thư", "Thủ tướng Chính phủ", "Chủ tịch nước", "Đại biểu Quốc hội")

# Organisations written as they are, whole.
FIXED_ORGS = (
    "Bộ Công an", "Bộ Quốc phòng", "Bộ Y tế", "Bộ Tài chính", "Bộ Tư pháp", "Bộ Ngoại giao",
    "Bộ Nội vụ", "Bộ Công Thương", "Bộ Xây dựng", "Bộ Giáo dục và Đào tạo",
    "Bộ Nông nghiệp và Môi trường", "Bộ Nông nghiệp và Phát triển nông thôn",
    "Bộ Tài nguyên và Môi trường", "Bộ Khoa học và Công nghệ", "Bộ Giao thông vận tải",
    "Bộ Văn hóa, Thể thao và Du lịch", "Bộ Lao động - Thương binh và Xã hội",
    "Bộ Thông tin và Truyền thông", "Bộ Kế hoạch và Đầu tư", "Bộ Dân tộc và Tôn giáo",
    "Quốc hội", "Chính phủ", "Văn phòng Chính phủ", "Thanh tra Chính phủ", "Bộ Chính trị",
    "Ban Bí thư", "Tỉnh ủy", "Thành ủy", "Huyện ủy", "Quận ủy", "Thị ủy",
    "Đảng ủy Công an Trung ương",
    "Quân ủy Trung ương", "Ban Chấp hành Trung ương Đảng", "Ban Chấp hành Trung ương",
    "BCH Trung ương", "BCH Trung ương Đảng", "Ban TVTU", "Ban TVTƯ", "Ủy ban Kiểm tra Trung ương",
    "Mặt trận Tổ quốc Việt Nam", "Ngân hàng Nhà nước Việt Nam", "Ngân hàng Nhà nước",
    "Kiểm toán Nhà nước", "Bộ đội Biên phòng", "Tổng cục Cảnh sát", "Tổng Cục cảnh sát",
    "Liên Hợp Quốc", "Liên hợp quốc", "Zalo", "Facebook", "TikTok", "Telegram", "YouTube",
    "Shopee", "Viber", "Ủy ban Thường vụ Quốc hội", "Uỷ ban Thường vụ Quốc hội", "FIFA", "AFC",
    "VFF", "WHO", "UNESCO", "UNICEF", "ASEAN", "IMF", "WTO", "NATO", "EU", "Interpol",
    "Liên minh châu Âu", "Liên đoàn Bóng đá Việt Nam", "HoSE", "HNX",
)  # fmt: skip

# Heads that need what follows: a place ("Công an xã X", "UBND tỉnh") or a unit
# ("Ban Chỉ huy Bộ đội Biên phòng ...", "Văn phòng Cơ quan CSĐT ...").
PLACE_HEADS = (
    "Công an", "UBND", "HĐND", "Ủy ban nhân dân", "Hội đồng nhân dân", "Tòa án nhân dân",
    "TAND", "VKSND", "Viện Kiểm sát nhân dân", "Viện KSND", "Bộ Chỉ huy Quân sự",
    "Ban Chỉ huy Quân sự", "Ủy ban MTTQ", "MTTQ", "Ủy ban Mặt trận Tổ quốc", "Đảng ủy Công an",
    "Tỉnh đoàn", "Đoàn Thanh niên", "Đoàn ĐBQH", "Đoàn đại biểu Quốc hội", "ĐBQH", "CA",
    "đại biểu Quốc hội", "Đại biểu Quốc hội",
)  # fmt: skip
UNIT_HEADS = (
    "Bộ Chỉ huy", "Ban Chỉ huy", "Ban Giám đốc", "Ban Giám thị", "Ban Thường vụ", "BTV",
    "Văn phòng", "Thường trực", "Ban Tuyên giáo", "Ban Tổ chức", "Ban Nội chính", "Ban Dân vận",
)  # fmt: skip
# Heads followed by the unit's own name ("Phòng Cảnh sát hình sự", "Trại giam Xuân Hà").
NAMED_HEADS = (
    "Bộ Tư lệnh", "Bộ Chỉ huy", "Ban Chỉ đạo", "Ban Quản lý", "Ban quản lý", "Ban", "Tổng cục",
    "Tổng Cục", "Cục", "Chi cục", "Vụ", "Sở", "Phòng", "Đội", "Trung tâm", "Cơ quan",
    "Học viện", "Viện", "Trường", "Bệnh viện", "Trại giam", "Trại tạm giam", "Phân trại",
    "Nhà tạm giữ", "Đồn", "Trạm", "Tiểu đoàn", "Trung đoàn", "Lữ đoàn", "Sư đoàn", "Thủy đoàn",
    "Hải đoàn", "Hải đội", "Công ty", "Tổng công ty", "Tập đoàn", "Ngân hàng", "Hội",
    "Liên đoàn", "Ủy ban", "Quỹ", "Chi nhánh", "Hợp tác xã", "Kho bạc", "Câu lạc bộ", "CLB",
    "Đại học", "Trường Đại học", "Cơ sở giáo dục", "Trường giáo dưỡng", "Chi bộ", "Đảng bộ",
    "Hội đồng", "Tổ chức", "Viện Kiểm sát", "Tòa án", "Văn phòng",
)  # fmt: skip
# Lowercase words that go on inside a unit's name; a name stops at any other lowercase
# word, which is where the sentence goes on ("Phòng Cảnh sát hình sự | phối hợp ...").
UNIT_WORDS = (
    "cảnh sát", "an ninh", "điều tra", "tội phạm", "về", "ma túy", "ma tuý", "quản lý",
    "hành chính", "trật tự", "xã hội", "môi trường", "phòng cháy", "chữa cháy", "cứu nạn",
    "cứu hộ", "phòng chống", "phòng, chống", "mạng", "công nghệ cao", "công nghệ",
    "kỹ thuật", "xuất nhập cảnh", "thi hành án", "tư pháp", "hình sự", "kinh tế",
    "giao thông", "đường bộ", "đường sắt", "đường thủy", "nội địa", "tham nhũng", "buôn lậu",
    "cơ động", "đặc nhiệm", "tham mưu", "hậu cần", "hồ sơ", "cán bộ", 
    "phong trào", "trọng án", "chỉ huy", "khu vực", "trinh sát",
    "nghiệp vụ", "trên", "trại giam",
    "tạm giam", "tạm giữ", "cơ sở", "giáo dục", "bắt buộc", "trường giáo dưỡng", "đào tạo",
    "huấn luyện", "y tế", "tài chính", "kế hoạch", "nội vụ", "quân sự", "biên phòng",
    "hải quan", "thuế", "thị trường", "thường trực", "thiên tai", "nhân dân",
    "cấp cao", "tối cao", "quốc tế", "cửa khẩu", "rừng", "phòng hộ", "lâm nghiệp", "lâm sản",
    "đối ngoại",
    "chính trị", "nội bộ", "văn hóa", "văn hoá", "thể thao", "du lịch", "lao động",
    "thương binh", "tuyên giáo", "dân vận", "kiểm sát", "thanh tra", "công nghiệp",
    "trách nhiệm hữu hạn", "cổ phần", "một thành viên", "cảnh vệ", "cảnh sát biển",
    "pháp chế", "truyền thông", "tài nguyên", "nông nghiệp", "nông thôn",
    "đầu tư", "khoa học", "ngoại giao", "dân tộc", "tôn giáo", "quốc phòng", "chữa bệnh",
    "đa khoa", "trung ương", "phụ nữ", "cựu chiến binh", "nông dân", "liên hiệp", "thanh niên",
    "lâm trường", "xuất khẩu", "nhập khẩu", "vận tải", "điện lực", "xăng dầu", "thương mại",
    "dịch vụ", "sản xuất", "bảo hiểm", "cháy", "nổ",
)  # fmt: skip

# Type words of places, written before the name ("xã Đá Mới", "quốc lộ 1A").
ADMIN_TYPES = (
    "thành phố",
    "tỉnh",
    "huyện",
    "quận",
    "thị xã",
    "thị trấn",
    "xã",
    "phường",
    "đặc khu",
)
PLACE_TYPES = (
    "tổ dân phố", "khu phố", "khu dân cư", "khu công nghiệp", "khu đô thị", "khu kinh tế",
    "thôn", "ấp", "bản", "xóm", "tổ", "khóm", "phố", "đường", "quốc lộ", "tỉnh lộ", "đường tỉnh",
    "đại lộ", "cao tốc", "sông", "suối", "kênh", "chợ", "cầu", "đèo", "núi", "đảo", "vịnh",
    "hồ", "buôn", "làng", "plei", "bến xe", "sân bay", "cảng", "ga", "cửa khẩu", "ngã ba",
    "ngã tư", "ngã 3", "ngã 4", "ngã 5", "công viên", "quảng trường", "tượng đài", "bãi biển",
    "biển", "huyện đảo",
)  # fmt: skip
# Abbreviated type words, written with or without a space before the name.
ABBREVIATED_TYPES = (
    "TP.",
    "TP",
    "Tp.",
    "TX.",
    "TX",
    "TT.",
    "H.",
    "P.",
    "Q.",
    "QL",
    "QL.",
    "KCN",
    "ĐT",
)
ADMIN_ABBREVIATIONS = ("TP.", "TP", "Tp.", "TX.", "TX", "TT.", "H.", "P.", "Q.")

COUNTRIES = (
    "Việt Nam", "Lào", "Campuchia", "Trung Quốc", "Mỹ", "Hoa Kỳ", "Nhật Bản", "Hàn Quốc",
    "Triều Tiên", "Thái Lan", "Nga", "Pháp", "Italy", "Australia", "Ấn Độ",
    "Singapore", "Malaysia", "Indonesia", "Philippines", "Myanmar", "Đài Loan", "Hồng Kông",
    "Canada", "Ukraine", "Israel", "Iran", "Iraq", "Anh Quốc", "nước Anh", "nước Đức", "nước Ý",
    "Tây Ban Nha", "Bồ Đào Nha",
    "Hà Lan", "Thụy Sĩ", "Thụy Điển", "Na Uy", "Đan Mạch", "Ba Lan", "Séc", "Hungary",
    "Brazil", "Argentina", "Mexico", "Ai Cập", "Nam Phi", "Thổ Nhĩ Kỳ", "Saudi Arabia",
    "Qatar", "UAE", "Pakistan", "Bangladesh", "Nepal", "Mông Cổ", "New Zealand", "Cuba",
    "Venezuela", "Chile", "Colombia", "Peru", "Nigeria", "Kenya", "Syria", "Lebanon",
    "Afghanistan", "Brunei", "Đông Timor", "Belarus", "Hy Lạp", "Romania",
    "Bulgaria", "Serbia", "Croatia", "Phần Lan", "Ireland", "Scotland", "Bắc Kinh", "Tokyo",
    "Seoul", "Washington", "Moscow", "Paris", "London", "Berlin", "Bangkok", "Viêng Chăn",
    "Phnom Penh", "Kuala Lumpur", "Jakarta", "Manila", "New York", "Thượng Hải", "Quảng Châu",
    "Quảng Tây", "Vân Nam", "Châu Âu", "Châu Á", "Đông Nam Á", "Trung Đông", "Biển Đông",
    "Dubai", "Los Angeles", "California", "Texas", "Florida", "Sydney", "Melbourne", "Osaka",
    "Busan", "Gaza", "Kiev", "Kyiv", "Tehran", "Geneva", "Rome", "Madrid", "Hong Kong",
    "Paraguay", "Uruguay", "Somalia", "Guinea", "Ethiopia", "Maroc", "Morocco", "Algeria",
    "Tunisia", "Libya", "Sudan", "Angola", "Mozambique", "Ghana", "Senegal", "Cameroon",
    "Estonia", "Litva", "Latvia", "Slovakia", "Slovenia", "Tajikistan", "Uzbekistan",
    "Kazakhstan", "Kyrgyzstan", "Turkmenistan", "Azerbaijan", "Armenia", "Gruzia", "Georgia",
    "Fiji", "Mauritius", "Sri Lanka", "Jordan", "Kuwait", "Oman", "Bahrain", "Yemen",
    "Palestine", "Ả Rập Xê Út", "Arab Saudi", "Matxcơva", "Nagoya", "Ecuador", "Bolivia",
    "Panama", "Costa Rica", "Jamaica", "Haiti", "Luxembourg", "Monaco", "Iceland", "Malta",
    "Síp", "Bắc Mỹ", "Nam Mỹ", "Mỹ Latinh", "châu Âu", "châu Á", "châu Phi", "châu Mỹ",
    "Đại Tây Dương", "Thái Bình Dương", "Ấn Độ Dương",
)  # fmt: skip

# Names of places written other than the gazetteer writes them, and what they are.
PLACE_ALIASES = {
    "Thừa Thiên Huế": "Huế", "Thừa Thiên - Huế": "Huế", "Sài Gòn": "Hồ Chí Minh",
    "Hồ Chí Minh": "Hồ Chí Minh", "Bà Rịa - Vũng Tàu": "Bà Rịa - Vũng Tàu",
}  # fmt: skip

# Words before a person's name that say it is one ("đối tượng Chen Haiyang").
PERSON_CUES = (
    "đồng chí", "ông", "bà", "anh", "chị", "em", "cháu", "bé", "cụ", "đối tượng", "bị can",
    "bị cáo", "nghi phạm", "nạn nhân", "phạm nhân", "tài xế", "lái xe", "chiến sĩ", "cán bộ",
    "thầy", "cô", "nghệ sĩ", "ca sĩ", "cầu thủ", "HLV", "huấn luyện viên", "tiền vệ", "tiền đạo",
    "hậu vệ", "thủ môn", "vợ", "chồng", "con", "bố", "mẹ", "Tổng thống", "Thủ tướng",
    "Chủ tịch", "Bộ trưởng", "luật sư", "bác sĩ", "TS", "PGS", "GS", "ThS", "nhà báo",
    "phóng viên", "tướng", "nguyên",
)  # fmt: skip

# Common Vietnamese family names, and those of the north's and highlands' peoples.
SURNAMES = frozenset((
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Đoàn", "Lâm", "Mai", "Trịnh", "Trương", "Cao", "Lưu",
    "Lương", "Tạ", "Hà", "Tô", "Chu", "Vương", "Quách", "Thái", "Kiều", "Hứa", "Châu", "Nông",
    "Lò", "Triệu", "Mạc", "Khổng", "Tăng", "Thân", "Phùng", "Văn", "Đào", "Đàm", "Lục", "Kim",
    "Giang", "Từ", "Âu", "Tôn", "Sùng", "Giàng", "Vàng", "Thào", "Lầu", "Mùa", "Tẩn", "Chảo",
    "Sần", "Quàng", "Cà", "Lường", "Điêu", "Bế", "Ma", "La", "Cấn", "Khuất", "Nghiêm", "Ninh",
    "Lại", "Trình", "Lã", "Bạch", "Thạch", "Danh", "Kha", "Hảng", "Hàng", "Mông", "Ly", "Vi",
    "Hầu", "Mẫn", "Diệp", "Doãn", "Khúc", "Nhữ", "Phí", "Tống", "Viên", "Thiều",
))  # fmt: skip

# The most common of them: a place's name does not go on into "Nguyễn Văn A".
COMMON_SURNAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Ngô", "Dương", "Đinh", "Trịnh", "Cao",
)  # fmt: skip

# Years of the sixty-year cycle ("Tết Bính Ngọ"): not places or people.
_STEMS = ("Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý")
_BRANCHES = ("Tý", "Sửu", "Dần", "Mão", "Mẹo", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất",
             "Hợi")  # fmt: skip
CYCLE_YEARS = frozenset(f"{s} {b}" for s in _STEMS for b in _BRANCHES)

# Capitalised, these words go on inside a unit's name ("Trung tâm Thông tin Chỉ huy");
# lowercase they start the sentence's verb phrase ("thông tin về vụ việc").
CAPITALISED_UNIT_WORDS = (
    "Thông tin", "Thống kê", "Tổng hợp", "Tài vụ", "Văn thư", "Lưu trữ", "Tuyên truyền",
    "Đại diện", "Quản trị", "Kế toán", "Tiếp dân", "Xét xử", "Hình sự", "Dân sự", "Hướng dẫn",
    "Kiểm tra", "Hỗ trợ", "Tuần tra", "Kiểm soát", "Bảo vệ", "Xây dựng", "Đấu tranh", "Tổ chức",
)  # fmt: skip

# Abbreviations of topics and of the force, not of one organisation.
TOPIC_ABBREVIATIONS = (
    "ANTT", "ANTQ", "TNGT", "PCCC", "CNCH", "CAND", "BTV", "TTATGT", "ATGT", "TTXH", "TTATXH",
    "ANQG", "KTXH", "GDP", "CPI", "FDI", "ODA", "AI", "TP", "VN", "TW", "CA", "QĐ", "NĐ",
)  # fmt: skip

# Words that go on the sentence after a name, never the rest of a name's word ("Bệnh viện
# Bạch Mai | tiếp nhận", where "Học viện Quân | y" is one name).
SENTENCE_WORDS = (
    "và", "với", "của", "tại", "ở", "cho", "là", "thì", "mà", "hay", "hoặc", "từ", "đến",
    "về", "theo", "trong", "ngoài", "sau", "trước", "khi", "do", "bởi", "nên", "cùng", "đã",
    "đang", "sẽ", "vừa", "được", "bị", "có", "nay", "này", "đó", "ấy", "cũng", "đều", "vẫn",
    "còn", "rất", "tiếp", "tổ", "phối", "kiểm", "triển", "thực", "phát", "đề", "yêu", "khen",
    "trao", "tuyên", "hướng", "trình", "báo", "cần", "vào", "ra", "đưa", "nhận", "xử", "bắt",
    "thuộc", "chưa", "làm", "gửi", "tặng", "mở", "đóng", "giao", "ký", "chỉ", "cho",
    "nhằm", "để", "lên", "xuống", "tới", "qua", "như", "trên", "dưới", "giữa", "vì", "nếu",
    "thông", "công", "ban", "quyết", "tham", "dự", "chủ", "đạt", "tăng", "giảm", "tiến",
    "thăm", "gặp", "họp", "nêu", "cho", "khởi", "tạm", "truy", "điều", "đánh", "đảm", "bảo",
    "nói", "cho", "biết", "lập", "sẽ", "hỗ", "hợp", "liên", "ghi", "đón", "trả", "mua", "bán",
    "tuần", "xác", "khám", "phá", "triệt", "thu", "vận", "cứu", "dập", "tìm", "giải", "ngăn",
    "xuất", "nhập", "kinh", "sản", "tiêu", "cung", "mang", "đặt", "nằm", "gây", "dùng", "hoạt",
)  # fmt: skip

# Words inside a unit's name only when more of its name follows ("tội phạm về ma túy",
# "tuần tra, kiểm soát"): at its end they are the sentence's verb ("... kiểm tra").
UNIT_CONNECTORS = (
    "về", "trên", "cấp", "tại", "kiểm tra", "hướng dẫn", "hỗ trợ", "tuần tra", "kiểm soát",
    "bảo vệ", "xây dựng", "đấu tranh", "sử dụng", "tìm kiếm", "phát triển", "tổ chức",
)  # fmt: skip
