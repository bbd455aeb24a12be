"""Score the task extractor on the hand-labelled seed texts.

    .venv/bin/python scripts/eval_extract.py [--verbose]

Reads ``index.json`` from the eval directory (``../shared/eval`` next to the repository,
or ``$DIAODU_EVAL_DIR``), runs ``extract(text, date, projects={}, units={})`` on each
text (no database needed) and scores as the eval README says: found tasks are paired with
labelled ones by sentence overlap (either contains the other), preferring the same project
where several labels share a sentence; precision and recall of tasks; on the pairs, exact
accuracy of deadline, unit and project after normalisation (traditional → simplified,
conversion noise such as ``(kāi)`` removed). Exits 1 when recall < 0.8, precision < 0.8
or deadline accuracy < 0.9.
"""

import argparse
import json
import os
import re
import sys
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
THRESHOLDS = {"recall": 0.8, "precision": 0.8, "deadline": 0.9}


def eval_dir() -> Path:
    override = os.environ.get("DIAODU_EVAL_DIR")
    return Path(override) if override else REPO.parent / "shared" / "eval"


def setup_django() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diaodu.settings")
    import django

    django.setup()


def _norm(value):
    from diaodu.meetings.extraction.normalize import simplify

    if value is None:
        return None
    return re.sub(r"\s", "", simplify(str(value)))


def pair(found: list[dict], labels: list[dict]) -> list[tuple[int, int]]:
    """Pairs (found index, label index): overlap and same project first, then overlap."""
    fs = [(_norm(f["sentence"]), _norm(f["project"])) for f in found]
    ls = [(_norm(lab["sentence"]), _norm(lab["project"])) for lab in labels]

    def overlap(i: int, j: int) -> bool:
        a, b = fs[i][0], ls[j][0]
        return bool(a) and bool(b) and (a in b or b in a)

    pairs: list[tuple[int, int]] = []
    used_f: set[int] = set()
    used_l: set[int] = set()
    for same_project in (True, False):
        for i in range(len(fs)):
            if i in used_f:
                continue
            for j in range(len(ls)):
                if j in used_l or not overlap(i, j):
                    continue
                if same_project and fs[i][1] != ls[j][1]:
                    continue
                pairs.append((i, j))
                used_f.add(i)
                used_l.add(j)
                break
    return pairs


def score(found: list[dict], labels: list[dict]) -> dict:
    pairs = pair(found, labels)
    same = {"deadline": 0, "unit": 0, "project": 0}
    for i, j in pairs:
        for key in same:
            if _norm(found[i][key]) == _norm(labels[j][key]):
                same[key] += 1
    return {"found": len(found), "labelled": len(labels), "paired": len(pairs), **same}


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def fmt(value: float | None) -> str:
    return "  —  " if value is None else f"{value:5.2f}"


def row(name: str, s: dict) -> str:
    cells = [
        ratio(s["paired"], s["labelled"]),
        ratio(s["paired"], s["found"]),
        ratio(s["deadline"], s["paired"]),
        ratio(s["unit"], s["paired"]),
        ratio(s["project"], s["paired"]),
    ]
    recall, precision, deadline, unit, project = (fmt(c) for c in cells)
    return (
        f"{name:<16}{s['labelled']:>7}{s['found']:>7}{s['paired']:>7}  "
        f"{recall:>6} {precision:>6}  {deadline:>6} {unit:>6} {project:>6}"
    )


def brief(task: dict) -> str:
    return f"[{task['project']}|{task['unit']}|{task['deadline']}] {task['sentence'][:70]!r}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="show unpaired tasks")
    args = parser.parse_args()

    directory = eval_dir()
    index_path = directory / "index.json"
    if not index_path.exists():
        print(f"No evaluation set at {index_path} (set DIAODU_EVAL_DIR).", file=sys.stderr)
        return 2
    setup_django()
    from diaodu.meetings.extraction import extract

    entries = json.loads(index_path.read_text(encoding="utf-8"))
    header = (
        f"{'seed':<16}{'labels':>7}{'found':>7}{'paired':>7}  "
        f"{'recall':>6} {'precis':>6}  {'deadl':>6} {'unit':>6} {'proj':>6}"
    )
    print(header)
    print("-" * len(header))
    total = {"found": 0, "labelled": 0, "paired": 0, "deadline": 0, "unit": 0, "project": 0}
    for entry in entries:
        labels = json.loads((directory / entry["labels"]).read_text(encoding="utf-8"))
        text = (directory / entry["text"]).read_text(encoding="utf-8")
        meeting = date.fromisoformat(entry["meeting_date"])
        found = [d.as_dict() for d in extract(text, meeting, projects={}, units={})]
        s = score(found, labels)
        for key in total:
            total[key] += s[key]
        name = Path(entry["labels"]).stem
        print(row(name, s))
        if args.verbose:
            pairs = pair(found, labels)
            paired_f = {i for i, _ in pairs}
            paired_l = {j for _, j in pairs}
            for i, j in pairs:
                f, lab = found[i], labels[j]
                for key in ("deadline", "unit", "project"):
                    if _norm(f[key]) != _norm(lab[key]):
                        print(f"    ≠ {key}: found {f[key]!r}, label {lab[key]!r}")
                        print(f"      in {lab['sentence'][:60]!r}")
            for i, f in enumerate(found):
                if i not in paired_f:
                    print(f"    + extra: {brief(f)}")
            for j, lab in enumerate(labels):
                if j not in paired_l:
                    print(f"    - missed: {brief(lab)}")
    print("-" * len(header))
    recall = ratio(total["paired"], total["labelled"]) or 0.0
    precision = ratio(total["paired"], total["found"]) or 0.0
    deadline = ratio(total["deadline"], total["paired"]) or 0.0
    print(row("total", total))
    failed = [
        name
        for name, value in (("recall", recall), ("precision", precision), ("deadline", deadline))
        if value < THRESHOLDS[name]
    ]
    if failed:
        print("Below target: " + ", ".join(f"{n} < {THRESHOLDS[n]}" for n in failed))
        return 1
    print("All targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
