"""`python -m nq57desk.validation REPORT.json [TEMPLATE.yaml]`: findings for a report file, one per line."""

import sys
from pathlib import Path

from nq57desk.errors import NQError
from nq57desk.report.document import check_document, loads
from nq57desk.templates import Registry, load_template
from nq57desk.validation import has_errors, validate


def main(argv):
    if not argv:
        print("cách dùng: python -m nq57desk.validation BÁO_CÁO.json [MẪU.yaml]", file=sys.stderr)
        return 2
    try:
        doc = loads(Path(argv[0]).read_bytes())
        tpl = load_template(argv[1]) if len(argv) > 1 else Registry().get(doc["template"]["id"], doc["template"]["version"])
        check_document(doc, tpl)
    except (NQError, OSError, KeyError) as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 2
    sys.stdout.reconfigure(encoding="utf-8")
    findings = validate(tpl, doc)
    for f in findings:
        print(f.line())
    print(f"# {sum(f.severity == 'error' for f in findings)} lỗi, {sum(f.severity == 'warning' for f in findings)} cảnh báo")
    return 1 if has_errors(findings) else 0


sys.exit(main(sys.argv[1:]))
