"""The writing of a bulletin is a task with the name it had when bulletins belonged to the
assessment app: a task queued under that name before an upgrade is run by the workers after it."""

from django.utils import timezone

from diaodu.assessment.defaults import create_default_scheme
from diaodu.assessment.models import ScoringRule, ScoringScheme
from diaodu.assessment.periods import Window
from diaodu.bulletins.choices import BulletinStatus
from diaodu.bulletins.models import Bulletin
from diaodu.bulletins.tasks import write_bulletin
from diaodu.celery import app
from diaodu.core.tests.test_queue import wait_for, worker  # noqa: F401 (a fixture)

QUEUED_NAME = "diaodu.assessment.tasks.write_bulletin"


def test_the_task_answers_to_the_name_it_was_queued_under():
    assert app.tasks[QUEUED_NAME].run is write_bulletin.run


def test_a_bulletin_queued_under_the_old_name_is_written_by_the_worker(city, worker):  # noqa: F811
    if not ScoringScheme.objects.exists():  # emptied by a transactional test before this one
        create_default_scheme(ScoringScheme, ScoringRule)
    today = timezone.localdate()
    window = Window.default(today)
    bulletin = Bulletin.objects.create(
        kind=window.kind, year=window.year, number=window.number, issue=1, title="通报",
        status=BulletinStatus.WRITING, created_by=city.users.hq,
    )  # fmt: skip
    # As a worker of the version before the move finds it in Redis: only the name and the args.
    app.send_task(QUEUED_NAME, args=[bulletin.pk, today.isoformat()])
    assert wait_for(lambda: Bulletin.objects.get().status != BulletinStatus.WRITING)
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.ISSUED, bulletin.error
    assert bulletin.document.name.endswith(f"bulletin-{window.code}-issue1.docx")
