"""Deleting a meeting: through one service, for whoever may edit meetings, recorded."""

import pytest
from django.core.exceptions import PermissionDenied

from diaodu.core.models import Action, ChangeRecord
from diaodu.factories import UserFactory
from diaodu.meetings import services
from diaodu.meetings.models import Meeting
from diaodu.org.choices import Role
from diaodu.problems.models import Task
from diaodu.projects.tests.test_api import api

URL = "/api/meetings/"


def deletions(meeting_pk):
    return ChangeRecord.objects.filter(
        content_type__model="meeting", object_id=str(meeting_pk), action=Action.DELETE
    )


def test_a_deletion_is_recorded_with_what_the_meeting_held(city, ledger):
    meeting = ledger.meeting
    response = api(city.users.leader).delete(f"{URL}{meeting.pk}/")
    assert response.status_code == 204
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    record = deletions(meeting.pk).get()
    assert record.actor == city.users.leader
    assert record.changes["title"] == [meeting.title, None]
    assert record.changes["programs"] == [[str(city.program)], None]
    assert record.changes["regions"] == [[str(city.jiefang)], None]


def test_the_tasks_set_at_a_deleted_meeting_stay(city, ledger):
    previous = ledger.previous
    tasks = set(Task.objects.filter(meeting=previous).values_list("pk", flat=True))
    assert tasks
    services.do_delete_meeting(city.users.hq, previous)
    assert set(Task.objects.filter(pk__in=tasks, meeting=None).values_list("pk", flat=True)) == (
        tasks
    )


@pytest.mark.parametrize("who", ["jiefang", "owner", "inspector", "retired"])
def test_only_who_may_edit_meetings_deletes_them(city, ledger, who):
    user = (
        UserFactory(username="retired", role=Role.HEADQUARTERS, is_active=False)
        if who == "retired"
        else getattr(city.users, who)
    )
    with pytest.raises(PermissionDenied):
        services.do_delete_meeting(user, ledger.meeting)
    assert Meeting.objects.filter(pk=ledger.meeting.pk).exists()
    assert not deletions(ledger.meeting.pk).exists()


def test_the_api_refuses_a_deletion_as_before(city, ledger):
    assert api(city.users.jiefang).delete(f"{URL}{ledger.meeting.pk}/").status_code == 403
    assert api(city.users.gaoxin).delete(f"{URL}{ledger.meeting.pk}/").status_code == 404
    assert api().delete(f"{URL}{ledger.meeting.pk}/").status_code in {401, 403}
    assert Meeting.objects.filter(pk=ledger.meeting.pk).exists()
