"""The plain data the services hand to the GUI and the CLI: no database objects ever leave nq57desk.services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nq57desk.report.document import STATUS_VI


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


@dataclass(frozen=True)
class TemplateInfo:
    id: str
    version: int
    title: str
    period_kinds: tuple[str, ...]
    builtin: bool
    provinces: tuple[str, ...] = ()  # a province's own outline (templates.for_province orders by it)


@dataclass(frozen=True)
class ReportInfo:
    id: int
    commune_code: str
    commune_name: str
    period_label: str
    period_code: str
    period_year: int
    template_id: str
    template_title: str
    status: str
    revision: int
    updated_at: str
    deleted: bool
    demo: bool = False  # the app's demo report: marked in every list, never sent

    @property
    def status_vi(self) -> str:
        return STATUS_VI.get(self.status, self.status)


@dataclass(frozen=True)
class RevisionInfo:
    number: int
    status: str
    frozen: bool
    replaces: int | None
    author: str
    summary: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class SaveResult:
    revision: int
    saved_at: str
    new_revision: bool
    status: str = ""  # the status stored with this save
    reopened: bool = False  # a «Hoàn thành» report went back to «Nháp»: its content was edited
    notice: str = ""  # what to tell the officer about it (Vietnamese), "" when nothing happened
    replaces: dict | None = None  # the report's «replaces» after this save (a sent report edited → a replacement)


REOPENED_NOTICE = ("Báo cáo đã trở lại «Nháp» vì nội dung vừa sửa có lỗi; sửa hết lỗi rồi đánh dấu «Hoàn thành» "
                   "lại.")
EDITED_NOTICE = ("Báo cáo đã trở lại «Nháp» vì vừa được sửa sau khi «Hoàn thành»; xem lại rồi đánh dấu «Hoàn thành» "
                 "lại.")
STATUS_SUMMARY = "Chuyển trạng thái: "  # how a status change begins in the history (such a revision is never extended)
