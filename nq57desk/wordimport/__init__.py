"""Start from the Word files officers already have: a .docx report read into a report document.

read.py reads the file (bounded, nothing fetched, no macro run) into paragraphs and tables; place.py places them
through the report's outline operations; figures.py recognises sentences stating catalogue figures (by the
catalogue's `phrases:`). No Qt, no store: services/desk.py stores the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from nq57desk.errors import NQError
from nq57desk.templates.catalogue import Catalogue
from nq57desk.wordimport.place import (
    Review,
    choose_template,
    commune_from,
    parse,
    period_from_code,
    period_in_text,
    place,
)
from nq57desk.wordimport.read import WordError, read_word

__all__ = ["Imported", "PeriodUnknown", "WordError", "import_word", "period_from_code"]


class PeriodUnknown(NQError):
    """The subject line names no period: the window asks for it, the command line says to give --period."""


@dataclass
class Imported:
    template: object
    doc: dict
    review: Review
    catalogue: Catalogue  # the one the figures were read against: the review names them by its labels


def import_word(path, templates, cat, *, template_id: str | None = None, commune_code: str | None = None,
                period: dict | None = None, profile: dict | None = None) -> Imported:
    """The report a Word file becomes (not stored): its template, document and review.

    `templates` are the templates to choose from (their latest versions); `period` a period dict (None: from the
    subject line); `commune_code` None: from the issuer lines and place, else the profile's commune.
    """
    from nq57desk.units import commune_dict, province_of

    word = read_word(path)
    parsed = parse(word)
    review = Review()
    if period is None:
        period, words = period_in_text(parsed.subject)
        if period is None:
            raise PeriodUnknown("Không nhận ra kỳ báo cáo từ dòng trích yếu; hãy chọn kỳ (--period, ví dụ 2026-T04).")
        review.period_why = f"theo chữ «{words}» của dòng trích yếu"
    else:
        review.period_why = "theo lựa chọn"
    profile = profile or {}
    if commune_code:
        code, review.commune_why = commune_code, "theo lựa chọn"
    else:
        code, review.commune_why = commune_from(parsed, profile.get("commune_code"))
    if template_id:
        tpl = next((t for t in templates if t.id == template_id), None)
        if tpl is None:
            raise NQError(f"Không có mẫu báo cáo «{template_id}».")
        review.template_why = "theo lựa chọn"
    else:
        tpl, review.template_why = choose_template(templates, parsed, period["kind"], province_of(code))
    if period["kind"] not in tpl.period_kinds:
        raise NQError(f"Mẫu «{tpl.title}» không dùng cho kỳ báo cáo này.")
    review.template = tpl.id
    from nq57desk.report.document import check_document

    try:
        doc, review = place(word, tpl, cat, commune_dict(code), period, profile, parsed, review)
        check_document(doc, tpl)
    except NQError as e:
        if template_id or tpl.id == "chung":
            raise
        # the best-fitting template cannot hold the file as it is: the general one keeps its outline
        why = f"mẫu «{tpl.id}» khớp đề mục nhưng không chứa được tệp ({e}); dùng mẫu chung"
        tpl = next(t for t in templates if t.id == "chung")
        review = Review(template="chung", template_why=why, commune_why=review.commune_why,
                        period_why=review.period_why)
        doc, review = place(word, tpl, cat, commune_dict(code), period, profile, parsed, review)
        check_document(doc, tpl)
    return Imported(tpl, doc, review, cat)
