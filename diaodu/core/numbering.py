"""Document numbers (发文字号): 焦重办〔2026〕7号, given once to each official document.

`number_for(obj, kind, year, actor)` returns the number of `obj` as a document of `kind`,
giving it the next number of that kind and year the first time; asked again, it returns the
same number (whatever the year asked). `reissue=True` gives the object the next number, keeps
the old one in the number's history and records the change (who, when, before, after).

Two documents numbered at the same moment get different numbers: the database refuses a second
row with the same kind, year and sequence, or a second number for the same object, and the
loser of such a race reads again (the winner's number for the same object, or the next free
number) inside a savepoint.
"""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone

from diaodu.core.choices import DocumentKind
from diaodu.core.history import record
from diaodu.core.models import Action, DocumentNumber

# How many times a number is tried again when another document took it at the same moment.
ATTEMPTS = 10


def abbreviation() -> str:
    """The issuer's abbreviation numbers start with (DIAODU_DOCUMENT_ABBREVIATION)."""
    return settings.DIAODU_DOCUMENT_ABBREVIATION


def _next_sequence(kind: str, year: int) -> int:
    latest = DocumentNumber.objects.filter(kind=kind, year=year).aggregate(n=Max("sequence"))["n"]
    return (latest or 0) + 1


def existing(obj: models.Model, kind: DocumentKind | str) -> DocumentNumber | None:
    """The number `obj` has as a document of `kind`, if any."""
    return DocumentNumber.objects.filter(
        kind=kind,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
    ).first()


def number_for(
    obj: models.Model,
    kind: DocumentKind | str,
    year: int,
    actor: Any = None,
    *,
    reissue: bool = False,
) -> DocumentNumber:
    """The document number of `obj` as a document of `kind`, given now if it has none (the
    next number of `kind` in `year`); with `reissue`, a new number, the old one kept in its
    history and the change recorded."""
    kind = DocumentKind(kind)
    content_type = ContentType.objects.get_for_model(type(obj))
    for _attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                number = (
                    DocumentNumber.objects.select_for_update()
                    .filter(kind=kind, content_type=content_type, object_id=str(obj.pk))
                    .first()
                )
                if number is not None and not reissue:
                    return number
                if number is None:
                    return DocumentNumber.objects.create(
                        kind=kind,
                        year=year,
                        sequence=_next_sequence(kind, year),
                        abbreviation=abbreviation(),
                        content_type=content_type,
                        object_id=str(obj.pk),
                    )
                return _reissue(obj, number, year, actor)
        except IntegrityError:
            continue  # another document took the number, or numbered this one: read again
    raise RuntimeError(f"no {kind} number could be given in {year} after {ATTEMPTS} attempts")


def _reissue(obj: models.Model, number: DocumentNumber, year: int, actor: Any) -> DocumentNumber:
    before = number.text
    number.history = [
        *number.history,
        {
            "year": number.year,
            "sequence": number.sequence,
            "text": before,
            "issued_at": number.issued_at.isoformat(),
        },
    ]
    number.year, number.sequence = year, _next_sequence(number.kind, year)
    number.abbreviation = abbreviation()
    number.issued_at = timezone.now()
    number.save(update_fields=["year", "sequence", "abbreviation", "issued_at", "history"])
    # In the document's own history: "document number: 焦重办〔2026〕7号 → 焦重办〔2026〕9号".
    record(actor, obj, Action.UPDATE, {"document_number": [before, number.text]})
    return number
