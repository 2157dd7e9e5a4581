"""Vietnamese for the texts Qt itself shows (Qt ships no qtbase_vi.qm): buttons, file dialog, context menus.

The app builds its own Vietnamese menus and message boxes; this translator is the safety net for every
string Qt draws on its own (the non-native file dialog, scroll bar menus, standard buttons).
"""

from __future__ import annotations

from PySide6.QtCore import QTranslator

_BUTTONS = {
    "OK": "Đồng ý", "&OK": "Đồng ý", "Save": "Lưu", "&Save": "Lưu", "Save All": "Lưu tất cả", "Open": "Mở",
    "&Open": "Mở", "&Yes": "Có", "Yes": "Có", "Yes to &All": "Có với tất cả", "&No": "Không", "No": "Không",
    "N&o to All": "Không với tất cả", "Abort": "Dừng", "Retry": "Thử lại", "Ignore": "Bỏ qua", "Close": "Đóng",
    "&Close": "Đóng", "Cancel": "Hủy", "&Cancel": "Hủy", "Discard": "Bỏ", "Don't Save": "Không lưu",
    "Close without Saving": "Đóng không lưu", "Help": "Trợ giúp", "Apply": "Áp dụng", "Reset": "Đặt lại",
    "Restore Defaults": "Khôi phục mặc định",
}

_EDIT_MENU = {
    "&Undo": "Hoàn tác", "&Redo": "Làm lại", "Cu&t": "Cắt", "&Copy": "Sao chép", "&Paste": "Dán", "Delete": "Xóa",
    "Select All": "Chọn tất cả", "&Select All": "Chọn tất cả", "Copy &Link Location": "Sao chép địa chỉ liên kết",
    "&Step up": "Tăng", "Step &down": "Giảm",
}

_FILE_DIALOG = {
    "Look in:": "Tìm trong:", "File &name:": "Tên tệp:", "File name:": "Tên tệp:", "Files of type:": "Loại tệp:",
    "&Choose": "Chọn", "Back": "Lùi", "Forward": "Tiến", "Parent Directory": "Thư mục cha",
    "Create New Folder": "Tạo thư mục mới", "List View": "Xem danh sách", "Detail View": "Xem chi tiết",
    "Sidebar": "Thanh bên", "Files": "Tệp", "Save As": "Lưu thành", "Directory:": "Thư mục:",
    "File Folder": "Thư mục", "Folder": "Thư mục", "Alias": "Bí danh", "Shortcut": "Lối tắt",
    "Show &hidden files": "Hiện tệp ẩn", "&Rename": "Đổi tên", "&Delete": "Xóa", "&New Folder": "Thư mục mới",
    "New Folder": "Thư mục mới", "Find Directory": "Tìm thư mục", "Directories": "Thư mục",
    "All Files (*)": "Mọi tệp (*)", "My Computer": "Máy tính", "Computer": "Máy tính",
    "Recent Places": "Nơi mở gần đây", "Go back": "Lùi lại", "Go forward": "Tiến tới",
    "Go to the parent directory": "Lên thư mục cha", "Create a New Folder": "Tạo thư mục mới",
    "Change to list view mode": "Xem dạng danh sách", "Change to detail view mode": "Xem dạng chi tiết",
    "%1 already exists.\nDo you want to replace it?": "%1 đã có.\nGhi đè lên tệp này?",
    "Are you sure you want to delete '%1'?": "Xóa «%1»?", "Could not delete directory.": "Không xóa được thư mục.",
    "%1\nFile not found.\nPlease verify the correct file name was given.":
        "%1\nKhông thấy tệp.\nHãy kiểm tra lại tên tệp.",
    "%1\nDirectory not found.\nPlease verify the correct directory name was given.":
        "%1\nKhông thấy thư mục.\nHãy kiểm tra lại tên thư mục.",
    "'%1' is write protected.\nDo you want to delete it anyway?": "«%1» đang được bảo vệ chống ghi.\nVẫn xóa?",
    "Drive": "Ổ đĩa", "File": "Tệp", "Unknown": "Không rõ", "Name": "Tên", "Size": "Cỡ", "Type": "Loại",
    "Kind": "Loại", "Date Modified": "Ngày sửa", "%1 KB": "%1 KB", "%1 bytes": "%1 byte", "%1 MB": "%1 MB",
    "%1 GB": "%1 GB", "%1 TB": "%1 TB", "Invalid filename": "Tên tệp không hợp lệ",
    "<b>The name \"%1\" cannot be used.</b><p>Try using another name, with fewer characters or no punctuation marks.":
        "<b>Không dùng được tên «%1».</b><p>Hãy đặt tên khác, ngắn hơn hoặc không có dấu câu.",
    "Open File": "Mở tệp", "Save File": "Lưu tệp",
}

_SCROLL = {
    "Scroll here": "Cuộn tới đây", "Left edge": "Mép trái", "Top": "Đầu", "Right edge": "Mép phải",
    "Bottom": "Cuối", "Page left": "Trang trái", "Page up": "Trang trên", "Page right": "Trang phải",
    "Page down": "Trang dưới", "Scroll left": "Cuộn trái", "Scroll up": "Cuộn lên", "Scroll right": "Cuộn phải",
    "Scroll down": "Cuộn xuống",
}

_OTHER = {
    "Show Details...": "Xem chi tiết…", "Hide Details...": "Ẩn chi tiết…", "Float": "Tách ra",
    "Undocks and re-attaches the dock widget": "Tách hoặc gắn lại bảng", "Closes the dock widget": "Đóng bảng",
    "More...": "Thêm…", "Close Tab": "Đóng thẻ", "Previous Month": "Tháng trước", "Next Month": "Tháng sau",
    "Month": "Tháng", "Year": "Năm", "Week": "Tuần",
}

# Qt's print preview and print dialogs. The app never opens them (gui/printpreview.py and gui/printdialog.py are
# its own), so this is only the safety net should one ever appear.
_PRINT = {
    "Print Preview": "Xem trước khi in", "Next page": "Trang sau", "Previous page": "Trang trước",
    "First page": "Trang đầu", "Last page": "Trang cuối", "Fit width": "Vừa chiều rộng", "Fit page": "Cả trang",
    "Zoom in": "Phóng to", "Zoom out": "Thu nhỏ", "Portrait": "Khổ dọc", "Landscape": "Khổ ngang",
    "Show single page": "Xem từng trang", "Show facing pages": "Hai trang đối diện", "Show overview of all pages":
    "Xem tất cả các trang", "Print": "In", "&Print": "In", "Page setup": "Thiết lập trang", "Export to PDF":
    "Xuất PDF", "Printer": "Máy in", "&Name:": "Tên:", "P&roperties": "Thuộc tính", "Location:": "Vị trí:",
    "Preview": "Xem trước", "Type:": "Loại:", "Output &file:": "Tệp ra:", "Local file": "Tệp trên máy",
    "Write PDF file": "Ghi tệp PDF", "Print to File (PDF)": "In ra tệp (PDF)", "&Options >>": "Tùy chọn >>",
    "&Options <<": "Tùy chọn <<", "Print range": "Phạm vi in", "Print all": "In tất cả", "Pages from": "Từ trang",
    "to": "đến", "Selection": "Phần đã chọn", "Current Page": "Trang hiện tại", "Pages": "Trang",
    "Page &Set:": "Nhóm trang:", "Copies:": "Số bản:", "Copies": "Số bản", "Collate": "Xếp theo bộ",
    "Reverse": "In ngược", "Color Mode": "Chế độ màu", "Color": "Màu", "Grayscale": "Thang xám",
    "Double Sided Printing": "In hai mặt", "Off": "Tắt", "Long side binding": "Đóng gáy cạnh dài",
    "Short side binding": "Đóng gáy cạnh ngắn", "Output Settings": "Thiết lập đầu ra", "Options": "Tùy chọn",
    "Scroll Left": "Cuộn trái", "Scroll Right": "Cuộn phải", "Print To File ...": "In ra tệp…",
    "Specify pages or ranges separated by commas. Ranges are specified by two numbers separated by a hyphen. "
    "E.g: 3,5-7,9 prints pages 3, 5, 6, 7 and 9.":
        "Ghi các trang hoặc khoảng trang, cách nhau bằng dấu phẩy; khoảng trang là hai số nối bằng dấu gạch ngang. "
        "Ví dụ: 3,5-7,9 in các trang 3, 5, 6, 7 và 9.",
    "All Pages": "Tất cả các trang", "Odd Pages": "Trang lẻ", "Even Pages": "Trang chẵn",
    "Print to File": "In ra tệp", "Paper": "Giấy", "Page size:": "Khổ giấy:", "Orientation": "Hướng giấy",
    "Margins": "Lề", "top margin": "lề trên", "left margin": "lề trái", "right margin": "lề phải",
    "bottom margin": "lề dưới", "Page Setup": "Thiết lập trang", "Custom": "Tùy chỉnh",
}

TEXTS: dict[str, str] = {**_BUTTONS, **_EDIT_MENU, **_FILE_DIALOG, **_SCROLL, **_OTHER, **_PRINT}


class VietnameseQt(QTranslator):
    """Answers Qt's own contexts (QPlatformTheme, QFileDialog, QLineEdit …) in Vietnamese."""

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: D401 - Qt API
        if not source_text or not context or not context.startswith("Q"):
            return None  # the app's own .ui texts are Vietnamese already
        return TEXTS.get(source_text)

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        return False
