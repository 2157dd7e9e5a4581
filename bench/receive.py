"""`receive` of N messages (one bundle each) from a real Dovecot against the import of the same N files.

    .venv/bin/python bench/receive.py [--messages 500] [--reps 5] [--profile]

Issue 17's target: receive ≤ 1.3 × the import of the same files (Upper.import_bundles, what `aggregate` stores
before writing its workbook). Both into fresh data folders that trust the bundles' key, interleaved (A B, B A, …)
--reps times each; the medians, the best against the best and each pair's ratio are printed (the machine is shared:
single runs vary by ±20 %). --profile runs one aggregate and one receive under cProfile instead. Needs dovecot-imapd (the
tests' own Dovecot setup, tests/helpers/mailservers.py); the keyring is a file of the temp folder, never the real one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=500)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--profile", action="store_true",
                    help="profile one aggregate and one receive instead (where the time goes)")
    args = ap.parse_args()
    n = args.messages
    import keyring.core

    from nq57desk.bundle.package import bundle_filename
    from nq57desk.bundle.writer import write_bundle
    from nq57desk.mail.account import Account, save_account
    from nq57desk.mail.receive import receive
    from nq57desk.services import Desk
    from nq57desk.units import communes, provinces
    from tests.helpers.keys import TEST_KEY, trust
    from tests.helpers.mailservers import PASSWORD, UPPER_USER, Dovecot, FileKeyring
    from tests.test_bundle import SAMPLE_YAML, make_doc
    from tests.test_mail_receive import _mail

    tmp = Path(tempfile.mkdtemp(prefix="nq57-bench-mail-"))
    os.environ["NQ57_TEST_KEYRING"] = str(tmp / "keyring.json")
    keyring.core._keyring_backend = FileKeyring()
    units = [u for p, _ in provinces() for u in communes(p)][:n]

    def folder(name):
        d = tmp / name
        shutil.rmtree(d, ignore_errors=True)
        (d / "templates").mkdir(parents=True)
        (d / "templates" / "thu-nghiem-goi.yaml").write_text(SAMPLE_YAML, encoding="utf-8")
        dk = Desk(d)
        dk.save_profile({"commune_code": units[0].code})
        trust(dk)
        return dk

    files = tmp / "bundles"
    files.mkdir()
    dk = folder("gen")
    tpl = dk.template("thu-nghiem-goi", 1)
    t0 = time.perf_counter()
    for u in units:
        doc = make_doc(tpl, u.code)
        doc["status"] = "done"
        write_bundle(tpl, doc, files / bundle_filename(doc), key=TEST_KEY, app_version="0.1.0")
    dk.close()
    print(f"{n} bundles written in {time.perf_counter() - t0:.1f} s")

    d = Dovecot().start()
    times: dict[str, list[float]] = {"aggregate": [], "receive": []}

    def run_aggregate(prof=None):
        a = folder("aggregate")
        t0 = time.perf_counter()
        if prof is not None:
            prof.enable()
        res = a.upper().import_bundles([files])
        if prof is not None:
            prof.disable()
        t = time.perf_counter() - t0
        assert res.counts().get("accepted") == n, res.summary()
        a.close()
        return t

    def run_receive(prof=None):
        r = folder("receive")
        save_account(r, Account(user=UPPER_USER, imap_host="127.0.0.1", imap_port=d.port, imap_security="plain"),
                     PASSWORD)
        t0 = time.perf_counter()
        if prof is not None:
            prof.enable()
        got = receive(r)
        if prof is not None:
            prof.disable()
        t = time.perf_counter() - t0
        assert got.messages == n and [x.status for x in got.lines].count("accepted") == n, got.summary()
        r.close()
        m = d.client()  # the next repetition reads the same messages again
        m.select("INBOX")
        m.uid("STORE", "1:*", "-FLAGS", "($NQ57Taken)")
        m.logout()
        return t

    try:
        for p in sorted(files.iterdir()):
            d.append(_mail("vanthu@xa.gov.vn", {p.name: p.read_bytes()}))
        if args.profile:
            import cProfile
            import pstats

            for what, run in (("aggregate", run_aggregate), ("receive", run_receive)):
                prof = cProfile.Profile()
                print(f"{what} under the profiler: {run(prof):.1f} s")
                pstats.Stats(prof).sort_stats("tottime").print_stats(25)
            return 0
        for rep in range(args.reps):  # interleaved, A B A B …, so a busy spell of the machine hits both alike
            order = ("aggregate", "receive") if rep % 2 == 0 else ("receive", "aggregate")
            for what in order:
                times[what].append(run_aggregate() if what == "aggregate" else run_receive())
            print(f"  rep {rep + 1}: aggregate {times['aggregate'][-1]:.1f} s, receive {times['receive'][-1]:.1f} s")
    finally:
        d.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    ta, tr = statistics.median(times["aggregate"]), statistics.median(times["receive"])
    ba, br = min(times["aggregate"]), min(times["receive"])
    pairs = sorted(r / a for a, r in zip(times["aggregate"], times["receive"], strict=True))
    print(f"{n} messages / files, {args.reps} interleaved runs each")
    print(f"  median: aggregate {ta:.1f} s, receive {tr:.1f} s, ratio {tr / ta:.2f}")
    print(f"  best:   aggregate {ba:.1f} s, receive {br:.1f} s, ratio {br / ba:.2f}")
    print(f"  per pair: {', '.join(f'{x:.2f}' for x in pairs)} (target ≤ 1.3)")
    return 0 if max(tr / ta, br / ba) <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())
