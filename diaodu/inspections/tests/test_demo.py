"""The demo city's inspections: recorded through the service, some finding progress overstated."""

from datetime import timedelta

from diaodu.inspections.choices import Rating
from diaodu.inspections.models import Inspection
from diaodu.monitoring.figures import figures
from diaodu.org.models import User
from diaodu.problems.choices import ProblemSource, TaskSource


def test_demo_inspections(demo_city):
    today = demo_city.today
    inspections = Inspection.objects.all()
    assert inspections.count() >= 8
    assert all(today - timedelta(days=92) <= i.date <= today for i in inspections)
    assert all(i.report_id and i.recorded_by.username == "inspector" for i in inspections)
    assert inspections.overstated().count() >= 2
    poor = inspections.get(rating=Rating.POOR)
    assert poor.is_overstated and "形象进度与填报" in poor.findings
    assert poor.problems.get().source == ProblemSource.INSPECTION
    assert poor.tasks.get().source == TaskSource.INSPECTION
    # A project found overstated, then put right: not on the dashboard any more.
    revisited = [p for p in {i.project for i in inspections} if p.inspections.count() > 1]
    assert len(revisited) == 1 and not revisited[0].inspections.first().is_overstated
    listed = figures(User.objects.get(username="hq"), today.year)["overstated"]
    assert len(listed) >= 2 and revisited[0].pk not in {row["project_id"] for row in listed}
