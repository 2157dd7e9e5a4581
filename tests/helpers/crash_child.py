"""Child for the crash test: saves edits in a loop and reports each one saved, until it is killed."""

import sys

from nq57desk.services import Desk

data_dir, rid = sys.argv[1], int(sys.argv[2])
desk = Desk(data_dir, start_backup=False)
doc = desk.document(rid)
n = int(doc["values"].get("hs_total") or 0)
while True:
    n += 1
    doc = desk.document(rid)
    doc["values"]["hs_total"] = n
    doc["values"]["hs_online"] = n
    desk.save_document(rid, doc, author=f"a{n % 3}")  # alternate authors: new revisions and in-place updates
    sys.stdout.write(f"{n}\n")
    sys.stdout.flush()
