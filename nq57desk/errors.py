"""Errors whose message is meant for the officer, in Vietnamese."""


class NQError(Exception):
    """An error the user can act on; str(err) is a Vietnamese sentence."""


class TemplateError(NQError):
    """A template file is broken: names the file, the place and the problem."""

    def __init__(self, source: str, place: str, problem: str):
        self.source, self.place, self.problem = source, place, problem
        where = f"{source}" + (f", tại {place}" if place else "")
        super().__init__(f"Mẫu báo cáo lỗi ({where}): {problem}")


class DocumentError(NQError):
    """A report document (JSON) cannot be accepted."""

    def __init__(self, problem: str, place: str = ""):
        self.place, self.problem = place, problem
        super().__init__(f"Tài liệu báo cáo không hợp lệ{f' tại {place}' if place else ''}: {problem}")


class StoreError(NQError):
    """The local database cannot be used as asked."""
