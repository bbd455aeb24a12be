"""How far the writing of a bulletin has gone, for the page and the API while it is written.

The worker marks each step as it starts (`mark`); the page and the API read it (`of`). The step
is kept in the cache (shared by the web servers and the workers where DIAODU_CACHE_URL is set),
not in the bulletin's row: the writing runs in one transaction, whose writes nobody sees before
its end. Without a shared cache the page shows the status alone.
"""

from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STEPS = [
    ("rankings", _("publishing the rankings")),
    ("figures", _("reading the portfolio's figures")),
    ("lists", _("listing the red projects and overdue tasks")),
    ("document", _("writing the Word file")),
    ("saving", _("saving it and notifying the units")),
]
NAMES = [name for name, _label in STEPS]
KEPT_FOR = 3600  # seconds: a writing that takes longer is cut off by its time limit anyway


def _key(bulletin_id: int) -> str:
    return f"bulletins:progress:{bulletin_id}"


def mark(bulletin_id: int, step: str) -> None:
    """The writing of the bulletin has reached `step` (one of NAMES)."""
    cache.set(
        _key(bulletin_id),
        {"step": NAMES.index(step), "since": timezone.now().isoformat()},
        timeout=KEPT_FOR,
    )


def clear(bulletin_id: int) -> None:
    cache.delete(_key(bulletin_id))


def _shown(kept: dict[str, Any]) -> dict[str, Any]:
    index = kept["step"]
    name, label = STEPS[index]
    return {
        "step": index + 1,
        "of": len(STEPS),
        "name": name,
        "label": str(label),
        "percent": round(index * 100 / len(STEPS)),
        "since": kept["since"],
    }


def of(bulletin_id: int) -> dict[str, Any] | None:
    """{step, of, name, label, percent, since} of a bulletin being written, or None."""
    kept = cache.get(_key(bulletin_id))
    return _shown(kept) if kept else None


def of_many(bulletin_ids: list[int]) -> dict[int, dict[str, Any]]:
    """`of` for several bulletins in one read of the cache."""
    if not bulletin_ids:
        return {}
    kept = cache.get_many([_key(pk) for pk in bulletin_ids])
    return {pk: _shown(kept[_key(pk)]) for pk in bulletin_ids if _key(pk) in kept}
