"""The review page shows each draft with the sentence of the minutes it came from, marked."""

from datetime import date

from django.urls import reverse
from django.utils.html import escape

from diaodu.conftest import login
from diaodu.meetings.tests.conftest import make_meeting

MINUTES = (
    "会议要求,管网接通工程由市住建局负责,市城管局配合,于10月底前完成管网接通。"
    "各单位要进一步提高认识,压实责任。"
)


def test_each_draft_shows_its_source_sentence_marked_and_a_clean_task(city):
    meeting = make_meeting(city, date=date(2026, 6, 12))
    page = login(city.users.hq).post(
        reverse("meetings:extract", args=[meeting.pk]), {"text": MINUTES}
    )
    [form] = page.context["formset"].forms
    assert form.initial["content"] == "完成管网接通"  # not "负责,市城管局配合,于完成管网接通"
    sentence = form.initial["sentence"]
    assert sentence in MINUTES and "各单位" not in sentence
    html = page.content.decode()
    assert f'<mark class="draft-source">{escape(sentence)}</mark>' in html
