"""Check the development set's labels against a local copy of its texts. Fetches nothing.

    .venv/bin/python scripts/check_eval_texts.py [--texts var/eval-texts]

The texts are other people's writing and are not in the repository: each entry of
``diaodu/meetings/extraction/eval/index.json`` names its source address and a sentence to
find it again (see that folder's README for rebuilding the local copy by hand). For every
entry whose text is present this checks that the finding sentence and every labelled
sentence are exact substrings of it, that ``deadline_text`` lies in its sentence, and that
``deadline`` and ``deadline_text`` are both set or both null. Exits 1 on any fault, 0 when
every present text agrees with its labels (missing texts are listed, not faults).
"""

import argparse
import json
import sys
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO / "diaodu" / "meetings" / "extraction" / "eval"
TEXTS = REPO / "var" / "eval-texts"
KEYS = ["sentence", "project", "content", "unit", "deadline", "deadline_text"]


def check(entry: dict, text: str) -> list[str]:
    faults = []
    if entry["find"] not in text:
        faults.append(f"finding sentence not in text: {entry['find']!r}")
    date.fromisoformat(entry["meeting_date"])
    labels = json.loads((EVAL / entry["labels"]).read_text(encoding="utf-8"))
    for n, label in enumerate(labels):
        if sorted(label) != sorted(KEYS):
            faults.append(f"label {n}: keys {sorted(label)}")
            continue
        if label["sentence"] not in text:
            faults.append(f"label {n}: sentence not in text: {label['sentence'][:40]!r}")
        if (label["deadline"] is None) != (label["deadline_text"] is None):
            faults.append(f"label {n}: deadline and deadline_text not both set or both null")
        if label["deadline_text"] and label["deadline_text"] not in label["sentence"]:
            faults.append(f"label {n}: deadline_text not in sentence")
        if label["deadline"]:
            date.fromisoformat(label["deadline"])
    return faults


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=Path, default=TEXTS)
    args = parser.parse_args()
    entries = json.loads((EVAL / "index.json").read_text(encoding="utf-8"))
    missing, bad = [], 0
    for entry in entries:
        path = args.texts / entry["text"]
        if not path.exists():
            missing.append(entry["id"])
            continue
        for fault in check(entry, path.read_text(encoding="utf-8")):
            bad += 1
            print(f"{entry['id']}: {fault}")
    print(f"{len(entries) - len(missing)} of {len(entries)} texts present, {bad} faults")
    if missing:
        print("missing: " + ", ".join(missing))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
