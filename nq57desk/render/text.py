"""Print a report document as plain text: `python -m nq57desk.render.text REPORT.json [TEMPLATE.yaml]`."""

from __future__ import annotations

import sys
from pathlib import Path

from nq57desk.errors import NQError
from nq57desk.render.tree import build, to_text
from nq57desk.report.document import check_document, loads
from nq57desk.templates import Registry, load_template


def report_text(tpl, doc) -> str:
    return to_text(build(tpl, doc))


def main(argv: list[str]) -> int:
    if not argv:
        print("cách dùng: python -m nq57desk.render.text BÁO_CÁO.json [MẪU.yaml]", file=sys.stderr)
        return 2
    try:
        doc = loads(Path(argv[0]).read_bytes())
        tpl = load_template(argv[1]) if len(argv) > 1 else Registry().get(doc["template"]["id"], doc["template"]["version"])
        check_document(doc, tpl)
    except (NQError, OSError, KeyError) as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 2
    sys.stdout.reconfigure(encoding="utf-8")
    sys.stdout.write(report_text(tpl, doc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
