"""What the upper level's services hand back: plain data for the CLI and the GUI."""

from __future__ import annotations

from dataclasses import dataclass, field

from nq57desk.aggregate.decide import CommuneStatus, Line, completeness_counts


@dataclass
class ImportResult:
    """What one import did (or, with dry_run, would do): one line per input, in input order."""

    lines: list[Line]
    dry_run: bool = False
    cancelled: bool = False
    backup: str | None = None  # the backup made before storing ("truoc-nhap"), if any
    groups: list[tuple[str, str]] = field(default_factory=list)  # (template id, period code) the inputs belong to
    province: str | None = None

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for x in self.lines:
            out[x.status] = out.get(x.status, 0) + 1
        return out

    @property
    def bundles(self) -> int:
        """Inputs that were bundles (whatever became of them): 0 means nothing importable was found."""
        return sum(1 for x in self.lines if x.status in ("accepted", "duplicate", "replaced", "conflict", "held"))

    @property
    def ok(self) -> bool:
        """Every input accepted (a duplicate or an older revision is fine; a rejection, a conflict or a bundle whose
        key waits for confirmation is not)."""
        c = self.counts()
        return self.bundles > 0 and not c.get("rejected") and not c.get("conflict") and not c.get("held") \
            and not self.cancelled

    def summary(self) -> str:
        c = self.counts()
        text = (f"Nhận {c.get('accepted', 0)}, trùng {c.get('duplicate', 0)}, bản cũ {c.get('replaced', 0)}, "
                f"xung đột {c.get('conflict', 0)}, từ chối {c.get('rejected', 0)}, bỏ qua {c.get('skipped', 0)}"
                + (f", chờ xác nhận khóa {c['held']}" if c.get("held") else "") + ".")
        if self.cancelled:
            text += " Đã hủy giữa chừng: các tệp đã nhập vẫn được giữ, các tệp sau chưa nhập."
        if self.dry_run:
            text += " (Chạy thử: chưa lưu gì.)"
        return text


@dataclass(frozen=True)
class GroupInfo:
    """A template + period for which bundles were received (for the choice lists)."""

    template: str
    template_title: str
    period: str
    period_label: str
    reports: int  # communes whose report is used
    provinces: tuple[str, ...]


def completeness_line(rows: list[CommuneStatus]) -> str:
    c = completeness_counts(rows)
    return (f"{c['all']} xã: đã nộp {c.get('submitted', 0)}, nộp muộn {c.get('late', 0)}, có lỗi {c.get('errors', 0)}, "
            f"xung đột {c.get('conflict', 0)}, chưa nộp {c.get('missing', 0)}; bản nháp {c['draft']}"
            + (f"; {n} xã có lỗi đã giải trình" if (n := sum(1 for r in rows if r.explained)) else "") + ".")
