"""Document numbers (发文字号): in sequence per kind and year, given once, reissued on purpose."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from diaodu.core.choices import DocumentKind
from diaodu.core.models import ChangeRecord, DocumentNumber, JobRun
from diaodu.core.numbering import number_for
from diaodu.factories import UserFactory
from diaodu.tests.concurrency import at_once, on_postgresql

PATTERN = re.compile(r"^焦重办〔\d{4}〕[1-9]\d*号$")


def documents(count):
    """Objects to number (any model will do: numbers name their object by content type)."""
    return [JobRun.objects.create(name=f"document {i}") for i in range(count)]


@pytest.mark.django_db
def test_numbers_run_per_kind_and_year(settings):
    settings.DIAODU_DOCUMENT_ABBREVIATION = "焦重办"
    a, b, c, d = documents(4)
    assert number_for(a, DocumentKind.BULLETIN, 2026).text == "焦重办〔2026〕1号"
    assert number_for(b, DocumentKind.BULLETIN, 2026).text == "焦重办〔2026〕2号"
    # Another kind, another year: their own sequences.
    assert number_for(c, DocumentKind.SUPERVISION, 2026).text == "焦重办〔2026〕1号"
    assert number_for(d, DocumentKind.BULLETIN, 2027).text == "焦重办〔2027〕1号"
    assert all(PATTERN.match(n.text) for n in DocumentNumber.objects.all())


@pytest.mark.django_db
def test_numbering_again_gives_the_same_number(settings):
    settings.DIAODU_DOCUMENT_ABBREVIATION = "焦重办"
    (a,) = documents(1)
    first = number_for(a, DocumentKind.MINUTES, 2026)
    again = number_for(a, DocumentKind.MINUTES, 2027)  # whatever year: it has its number
    assert (again.pk, again.text) == (first.pk, "焦重办〔2026〕1号")
    assert DocumentNumber.objects.count() == 1
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_a_reissue_gives_the_next_number_and_is_recorded(settings):
    settings.DIAODU_DOCUMENT_ABBREVIATION = "焦重办"
    hq = UserFactory(role="hq")
    a, b = documents(2)
    number_for(a, DocumentKind.SUMMONS, 2026, hq)
    number_for(b, DocumentKind.SUMMONS, 2026, hq)
    reissued = number_for(a, DocumentKind.SUMMONS, 2026, hq, reissue=True)
    assert reissued.text == "焦重办〔2026〕3号"
    assert [h["text"] for h in reissued.history] == ["焦重办〔2026〕1号"]
    change = ChangeRecord.objects.get(
        content_type=ContentType.objects.get_for_model(JobRun), object_id=str(a.pk)
    )
    assert change.changes == {"document_number": ["焦重办〔2026〕1号", "焦重办〔2026〕3号"]}
    assert change.actor == hq
    # Asked again, the reissued number.
    assert number_for(a, DocumentKind.SUMMONS, 2026).text == "焦重办〔2026〕3号"


@pytest.mark.django_db
def test_the_database_refuses_a_number_twice(settings):
    (a, b) = documents(2)
    number_for(a, DocumentKind.BULLETIN, 2026)
    content_type = ContentType.objects.get_for_model(JobRun)
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentNumber.objects.create(
            kind=DocumentKind.BULLETIN,
            year=2026,
            sequence=1,
            abbreviation="焦重办",
            content_type=content_type,
            object_id=str(b.pk),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentNumber.objects.create(
            kind=DocumentKind.BULLETIN,
            year=2026,
            sequence=2,
            abbreviation="焦重办",
            content_type=content_type,
            object_id=str(a.pk),
        )


@pytest.mark.django_db(transaction=True)
@on_postgresql
@pytest.mark.parametrize("attempt", range(10))
def test_two_documents_numbered_at_once_get_two_numbers(attempt):
    a, b = documents(2)
    outcomes = at_once(
        lambda: number_for(a, DocumentKind.BULLETIN, 2026).sequence,
        lambda: number_for(b, DocumentKind.BULLETIN, 2026).sequence,
        atomic=True,
    )
    assert sorted(outcomes, key=str) == [1, 2]


@pytest.mark.django_db(transaction=True)
@on_postgresql
@pytest.mark.parametrize("attempt", range(10))
def test_one_document_numbered_twice_at_once_gets_one_number(attempt):
    (a,) = documents(1)
    outcomes = at_once(
        lambda: number_for(a, DocumentKind.BULLETIN, 2026).sequence,
        lambda: number_for(a, DocumentKind.BULLETIN, 2026).sequence,
        atomic=True,
    )
    assert outcomes == [1, 1]
    assert DocumentNumber.objects.count() == 1
