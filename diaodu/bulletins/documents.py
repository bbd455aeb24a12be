"""The bulletin (通报) of a month or a quarter: what it says, and the Word file offices send.

`build_content` gathers everything the bulletin says, in a fixed number of queries: the
portfolio's figures for the year up to the period's end, the rankings of both groups (read
through `services.read`, so the published ranking when there is one: the bulletin and the
ranking page agree), the units praised and those to be summoned with their strongest and
weakest indicators, the red projects with their reasons, and the tasks overdue at the period's
end by lead unit. `bulletin_docx` writes it in the form of a government bulletin.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from docx.shared import Twips

from diaodu.assessment import live, services
from diaodu.assessment.choices import Group, Method, PeriodKind, Standing
from diaodu.assessment.explain import indicator_label, number, value_text
from diaodu.assessment.indicators import period_end, rate
from diaodu.assessment.periods import Window
from diaodu.core.choices import Light
from diaodu.core.dates import end_of
from diaodu.core.docx import (
    LINE_PITCH,
    addressee,
    body,
    date_text,
    heading,
    imprint,
    issuer_name,
    masthead,
    new_document,
    none,
    paragraph,
    section,
    signature,
    subsection,
    table,
    title,
    to_bytes,
)
from diaodu.core.money import in_yi
from diaodu.problems.models import Problem, Task
from diaodu.projects.choices import Stage
from diaodu.projects.models import Project
from diaodu.reporting import snapshots
from diaodu.reporting.models import ProjectSnapshot

ZERO = Decimal("0")
# How many indicators a praise or a criticism names.
NAMED_INDICATORS = 2
QUARTERS = {
    1: gettext_lazy("the first quarter of %(year)d"),
    2: gettext_lazy("the second quarter of %(year)d"),
    3: gettext_lazy("the third quarter of %(year)d"),
    4: gettext_lazy("the fourth quarter of %(year)d"),
}


# -- what the bulletin says --------------------------------------------------------------


@dataclass
class Figures:
    """The whole portfolio for the year up to the period's end (money in 万元)."""

    projects: int = 0
    total_investment: Decimal = ZERO
    # Projects in no region (city-level): counted above, not in the ranked figures below.
    city_level: int = 0
    planned: Decimal = ZERO
    planned_to_date: Decimal = ZERO
    invested: Decimal = ZERO
    starts_planned: int = 0
    started: int = 0
    red: int = 0
    yellow: int = 0
    green: int = 0
    problems_open: int = 0
    problems_overdue: int = 0
    tasks_open: int = 0
    tasks_overdue: int = 0

    @property
    def rate(self) -> Decimal | None:
        """Investment completed against the year's plan, in %."""
        return rate(self.invested, self.planned)

    @property
    def schedule_rate(self) -> Decimal | None:
        """Investment completed against the plan of the months up to the end (序时进度), in %."""
        return rate(self.invested, self.planned_to_date)


@dataclass
class Row:
    """One line of a ranking table."""

    rank: int
    unit: str
    score: str
    change: str
    standing: str


@dataclass
class Mention:
    """A unit praised or to be summoned, and why, in one sentence."""

    unit: str
    sentence: str


@dataclass
class GroupPart:
    """One group's ranking, the units praised and the units to be summoned."""

    group: str
    label: str
    rows: list[Row]
    praised: list[Mention]
    summoned: list[Mention]
    published: bool


@dataclass
class RedProject:
    region: str
    project: str
    reasons: str


@dataclass
class OverdueTask:
    content: str
    project: str
    deadline: date


@dataclass
class OverdueUnit:
    unit: str
    tasks: list[OverdueTask] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.tasks)


@dataclass
class Content:
    """Everything a bulletin says. `issue` and `document_number` are set when it is issued
    (None for a draft)."""

    window: Window
    title: str
    period: str
    as_of: date
    figures: Figures
    groups: list[GroupPart]
    red_projects: list[RedProject]
    overdue: list[OverdueUnit]
    issued_on: date
    # The month whose snapshot gave the lights (a month that has closed), or None: the lights
    # of the day of issue.
    lights_month: date | None = None
    issue: int | None = None
    # 焦重办〔2026〕7号, when issued.
    document_number: str | None = None


# -- gathering it ------------------------------------------------------------------------


def period_text(window: Window) -> str:
    """The period as a bulletin writes it: 2024年3月, 2024年第一季度."""
    if window.kind == PeriodKind.MONTH:
        return formats.date_format(window.start, "YEAR_MONTH_FORMAT")
    return str(QUARTERS[window.number]) % {"year": window.year}


def bulletin_title(window: Window) -> str:
    return _("Bulletin on the construction of the city's key projects in %(period)s") % {
        "period": period_text(window)
    }


def issue_text(year: int, issue: int) -> str:
    """第N期 of a year: 2024年第3期."""
    return _("%(year)d, issue %(issue)d") % {"year": year, "issue": issue}


def check_period(window: Window, today: date | None = None):
    """A bulletin covers a month or a quarter that has started."""
    if window.kind == PeriodKind.YEAR:
        raise ValidationError(
            _("A bulletin covers a month or a quarter, not a whole year: give 2024-03 or 2024Q1.")
        )
    services.check_window(window, today)


def build_content(
    window: Window, today: date | None = None, on_step: Callable[[str], None] | None = None
) -> Content:
    """What the bulletin of a month or a quarter says, read now (a ValidationError if it cannot
    be written: a year, a period not yet started, no scoring scheme in force). `on_step` is told
    of each step as it starts ("figures", "lists": diaodu/bulletins/progress.py)."""
    step = on_step or (lambda _name: None)
    today = today or timezone.localdate()
    check_period(window, today)
    results = [services.read(window, group, today) for group in Group.values]
    # The day the ranking was read at: the period's end, or the day it was published while
    # the period was under way.
    as_of = results[0].as_of or period_end(window, today)
    lights_month = _lights_month(as_of, today)
    step("figures")
    figures = _figures(window, as_of, lights_month)
    step("lists")
    return Content(
        window=window,
        title=bulletin_title(window),
        period=period_text(window),
        as_of=as_of,
        figures=figures,
        groups=[_group_part(result) for result in results],
        red_projects=_red_projects(lights_month),
        overdue=_overdue_tasks(as_of),
        issued_on=today,
        lights_month=lights_month,
    )


def _lights_month(as_of: date, today: date) -> date | None:
    """The month whose snapshot holds the lights as they were at the period's end: its last
    month, once closed and kept; else None (the lights of today)."""
    month = snapshots.first_of(as_of)
    if month >= snapshots.first_of(today) or snapshots.snapshot_of(month) is None:
        return None
    return month


def _figures(window: Window, as_of: date, lights_month: date | None = None) -> Figures:
    """The whole portfolio's figures, city-level projects included, read as the ranking
    reads each unit's."""
    figures = Figures()
    facts = live.portfolio(window, as_of)["facts"]
    figures.planned = Decimal(facts["planned"])
    figures.planned_to_date = Decimal(facts["planned_to_date"])
    figures.invested = Decimal(facts["invested"])
    figures.starts_planned, figures.started = facts["starts_planned"], facts["started"]
    portfolio = (
        Project.objects.exclude(stage=Stage.CANCELLED)
        .order_by()
        .aggregate(
            n=Count("pk"),
            investment=Sum("total_investment"),
            city_level=Count("pk", filter=Q(region__isnull=True)),
            red=Count("pk", filter=Q(light=Light.RED)),
            yellow=Count("pk", filter=Q(light=Light.YELLOW)),
            green=Count("pk", filter=Q(light=Light.GREEN)),
        )
    )
    figures.projects, figures.city_level = portfolio["n"], portfolio["city_level"]
    figures.total_investment = portfolio["investment"] or ZERO
    figures.red, figures.yellow, figures.green = (
        portfolio["red"],
        portfolio["yellow"],
        portfolio["green"],
    )
    if lights_month is not None:  # as they were at the close of the month
        kept = (
            ProjectSnapshot.objects.filter(snapshot__month=lights_month)
            .exclude(stage=Stage.CANCELLED)
            .aggregate(
                red=Count("pk", filter=Q(light=Light.RED)),
                yellow=Count("pk", filter=Q(light=Light.YELLOW)),
                green=Count("pk", filter=Q(light=Light.GREEN)),
            )
        )
        figures.red, figures.yellow, figures.green = kept["red"], kept["yellow"], kept["green"]
    cutoff = end_of(as_of)
    for model, done_field, prefix in (
        (Problem, "solved_at", "problems"),
        (Task, "done_at", "tasks"),
    ):
        # Open at the end of the day read: raised by then (or due by then, like the ranking's
        # overdue items, even if entered later), and not done by then.
        open_then = (Q(created_at__lt=cutoff) | Q(deadline__lte=as_of)) & (
            Q(**{f"{done_field}__isnull": True}) | Q(**{f"{done_field}__gte": cutoff})
        )
        counts = model.objects.order_by().aggregate(
            open=Count("pk", filter=open_then),
            overdue=Count("pk", filter=open_then & Q(deadline__lt=as_of)),
        )
        setattr(figures, f"{prefix}_open", counts["open"])
        setattr(figures, f"{prefix}_overdue", counts["overdue"])
    return figures


def change_text(change) -> str:
    """Places gained since the previous period, as the ranking page shows them."""
    if change is None:
        return "—"
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "→"


def _group_part(result) -> GroupPart:
    rows = [
        Row(
            rank=entry.rank,
            unit=entry.unit.name,
            score=number(entry.score),
            change=change_text(entry.change),
            standing=entry.get_standing_display() if entry.standing != Standing.MIDDLE else "",
        )
        for entry in result.entries
    ]
    return GroupPart(
        group=result.group,
        label=str(result.group_label),
        rows=rows,
        praised=[Mention(entry.unit.name, praise(entry)) for entry in result.top],
        summoned=[Mention(entry.unit.name, criticism(entry)) for entry in result.bottom],
        published=result.published is not None,
    )


def _share(line) -> Decimal | None:
    """The share of a rate's full points earned (None for a count or nothing measured)."""
    if line.get("method") != Method.RATIO or line.get("missing"):
        return None
    weight = Decimal(line.get("weight") or 0)
    return Decimal(line["points"]) / weight if weight else None


def strongest(lines: list[dict]) -> list[dict]:
    """The rates that earned the largest share of their points (bonuses too), best first."""
    scored = []
    for line in lines:
        points = Decimal(line["points"])
        if points <= 0:
            continue
        share = _share(line)
        if share is None and line.get("method") == Method.RATIO:
            continue  # full points for nothing to measure is no achievement
        scored.append((-(share if share is not None else Decimal(1)), -points, line))
    scored.sort(key=lambda item: item[:2])
    return [line for *_key, line in scored[:NAMED_INDICATORS]]


def weakest(lines: list[dict]) -> list[dict]:
    """The indicators that lost the most points (rates short of target, deductions)."""
    lost = []
    for line in lines:
        points = Decimal(line["points"])
        if line.get("method") == Method.RATIO:
            if line.get("missing"):
                continue
            loss = Decimal(line.get("weight") or 0) - points
        else:
            loss = -points
        if loss > 0:
            lost.append((-loss, line))
    lost.sort(key=lambda item: item[0])
    return [line for _loss, line in lost[:NAMED_INDICATORS]]


def _indicator_name(code) -> str:
    """An indicator's label without its unit: "… (%)" → "…"."""
    return re.sub(r"\s*[（(]%[)）]\s*$", "", indicator_label(code))


def indicators_text(lines: list[dict]) -> str:
    return "、".join(
        _("%(indicator)s (%(value)s)")
        % {
            "indicator": _indicator_name(line["indicator"]),
            "value": value_text(line["indicator"], line["value"]),
        }
        for line in lines
    )


def praise(entry) -> str:
    """Why a unit is praised, in one sentence."""
    data = {"unit": entry.unit.name, "score": number(entry.score), "rank": entry.rank}
    best = strongest(entry.lines)
    if not best:
        return _("%(unit)s (%(score)s points, ranked %(rank)d) is praised.") % data
    return _("%(unit)s (%(score)s points, ranked %(rank)d) did best in %(indicators)s.") % {
        **data,
        "indicators": indicators_text(best),
    }


def criticism(entry) -> str:
    """Why a unit's head is summoned (约谈), in one sentence."""
    data = {"unit": entry.unit.name, "score": number(entry.score), "rank": entry.rank}
    worst = weakest(entry.lines)
    if not worst:
        return _("%(unit)s (%(score)s points, ranked %(rank)d): its head is to be summoned.") % data
    return _(
        "%(unit)s (%(score)s points, ranked %(rank)d) fell behind in %(indicators)s: "
        "its head is to be summoned."
    ) % {**data, "indicators": indicators_text(worst)}


def _reasons(pairs) -> str:
    # light_reasons is a list of [light, reason] pairs; a red project's red reasons first.
    pairs = pairs or []
    reasons = [reason for light, reason in pairs if light == Light.RED] or [
        reason for _light, reason in pairs
    ]
    # Each reason is a sentence; joined, they end with one full stop.
    text = "；".join(reason.strip().rstrip("。；;.") for reason in reasons if reason.strip())
    return f"{text}。" if text else "—"


def _red_projects(lights_month: date | None = None) -> list[RedProject]:
    if lights_month is not None:
        rows = (
            ProjectSnapshot.objects.filter(snapshot__month=lights_month, light=Light.RED)
            .exclude(stage=Stage.CANCELLED)
            .select_related("project", "region")
            .only("light_reasons", "project__name", "region__name", "region__sort_order")
            .order_by(F("region__sort_order").asc(nulls_last=True), "project__name", "pk")
        )
        return [
            RedProject(
                region=row.region.name if row.region else _("City-level"),
                project=row.project.name,
                reasons=_reasons(row.light_reasons),
            )
            for row in rows
        ]
    projects = (
        Project.objects.filter(light=Light.RED)
        .exclude(stage=Stage.CANCELLED)
        .select_related("region")
        .only("name", "light_reasons", "region__name", "region__sort_order")
    )
    return [
        RedProject(
            region=project.region.name if project.region else _("City-level"),
            project=project.name,
            reasons=_reasons(project.light_reasons),
        )
        for project in projects
    ]


def _overdue_tasks(as_of: date) -> list[OverdueUnit]:
    """Tasks not done by the end of `as_of` whose deadline had passed, by lead unit (the
    tasks the ranking counts as overdue)."""
    cutoff = end_of(as_of)
    tasks = (
        Task.objects.filter(deadline__lt=as_of)
        .filter(Q(done_at__isnull=True) | Q(done_at__gte=cutoff))
        .select_related("lead_unit", "project")
        .only("content", "deadline", "lead_unit__name", "lead_unit__sort_order", "project__name")
        .order_by("lead_unit__sort_order", "lead_unit__name", "lead_unit_id", "deadline", "id")
    )
    units: dict[int, OverdueUnit] = {}
    for task in tasks:
        unit = units.setdefault(task.lead_unit_id, OverdueUnit(task.lead_unit.name))
        unit.tasks.append(
            OverdueTask(
                content=task.content,
                project=task.project.name if task.project else "—",
                deadline=task.deadline,
            )
        )
    return sorted(units.values(), key=lambda unit: -unit.count)  # stable: unit order kept


# -- the Word file -----------------------------------------------------------------------


def money(value) -> str:
    return f"{Decimal(value):,.2f}"


def percent(value) -> str:
    return "—" if value is None else f"{number(value)}%"


def issuer() -> str:
    """The issuing office (DIAODU_DOCUMENT_ISSUER)."""
    return issuer_name()


def _overview(figures: Figures, content: Content) -> list[str]:
    data = {
        "date": date_text(content.as_of),
        "projects": figures.projects,
        "total": in_yi(figures.total_investment, sep=""),
        "city_level": figures.city_level,
        "planned": in_yi(figures.planned, sep=""),
        "planned_to_date": in_yi(figures.planned_to_date, sep=""),
        "invested": in_yi(figures.invested, sep=""),
        "rate": percent(figures.rate),
        "schedule_rate": percent(figures.schedule_rate),
        "starts_planned": figures.starts_planned,
        "started": figures.started,
        "red": figures.red,
        "yellow": figures.yellow,
        "green": figures.green,
        "problems_open": figures.problems_open,
        "problems_overdue": figures.problems_overdue,
        "tasks_open": figures.tasks_open,
        "tasks_overdue": figures.tasks_overdue,
    }
    # The sentence reads amounts as leaders do (亿元 from one 亿 up); the table of figures
    # below keeps them in 万元.
    investment = _(
        "As of %(date)s the city has %(projects)d key projects with a total investment of "
        "%(total)s. They plan to invest %(planned)s this year, %(planned_to_date)s by now; "
        "they have completed %(invested)s: %(rate)s of the annual plan and %(schedule_rate)s "
        "of the plan to date."
    )
    if content.lights_month is not None:
        data["month"] = f"{content.lights_month.year}年{content.lights_month.month}月"
        lights = _(
            "Of the %(starts_planned)d projects planned to start by then, %(started)d have "
            "started. At the close of %(month)s %(red)d projects were on red, %(yellow)d on "
            "yellow and %(green)d on green; %(problems_open)d problems are unsolved "
            "(%(problems_overdue)d overdue) and %(tasks_open)d tasks unfinished "
            "(%(tasks_overdue)d overdue)."
        )
    else:
        lights = _(
            "Of the %(starts_planned)d projects planned to start by then, %(started)d have "
            "started. On the day of issue %(red)d projects are on red, %(yellow)d on yellow and "
            "%(green)d on green; %(problems_open)d problems are unsolved "
            "(%(problems_overdue)d overdue) and %(tasks_open)d tasks unfinished "
            "(%(tasks_overdue)d overdue)."
        )
    return [investment % data, lights % data]


def _figure_rows(figures: Figures, closed: bool = False) -> list[tuple[str, str]]:
    return [
        (_("Key projects"), str(figures.projects)),
        (_("Total investment (10k yuan)"), money(figures.total_investment)),
        (_("Planned investment this year (10k yuan)"), money(figures.planned)),
        (_("Planned investment to date (10k yuan)"), money(figures.planned_to_date)),
        (_("Investment completed (10k yuan)"), money(figures.invested)),
        (_("Against the annual plan"), percent(figures.rate)),
        (_("Against the plan to date"), percent(figures.schedule_rate)),
        (_("New starts planned / started"), f"{figures.starts_planned} / {figures.started}"),
        (
            _("Red / yellow / green (at the close of the month)")
            if closed
            else _("Red / yellow / green (on the day of issue)"),
            f"{figures.red} / {figures.yellow} / {figures.green}",
        ),
        (
            _("Problems unsolved (overdue)"),
            f"{figures.problems_open}（{figures.problems_overdue}）",
        ),
        (_("Tasks unfinished (overdue)"), f"{figures.tasks_open}（{figures.tasks_overdue}）"),
    ]


def _section(document, number, heading):
    return section(document, number, heading)


def bulletin_docx(content: Content) -> bytes:
    """The bulletin as offices send it, in the official format (diaodu.core.docx): the red
    masthead and 发文字号 when issued, the title and the issue (第N期), numbered sections and
    tables, the issuer and the date, and the imprint (抄送, 印发)."""
    document = new_document()
    masthead(document, content.document_number)
    title(document, content.title)
    if content.issue is not None:
        line = issue_text(content.window.year, content.issue)
    else:
        line = _("draft, not issued")
    issue_line = paragraph(document, _("(%(issue)s)") % {"issue": line}, centre=True)
    issue_line.paragraph_format.space_after = Twips(LINE_PITCH)
    addressee(document, _("To every region and department:"))
    body(
        document,
        _("The construction of the city's key projects in %(period)s is reported as follows.")
        % {"period": content.period},
    )

    _section(document, 1, pgettext("bulletin section", "Overview"))
    for text in _overview(content.figures, content):
        body(document, text)
    table(
        document,
        [_("Figure"), _("Value")],
        _figure_rows(content.figures, content.lights_month is not None),
        widths=[9, 6.6],
    )

    _section(document, 2, pgettext("bulletin section", "Rankings"))
    for number_, part in enumerate(content.groups, start=1):
        subsection(document, number_, part.label)
        if part.rows:
            table(
                document,
                [
                    _("Rank"),
                    _("Unit"),
                    _("Score"),
                    _("Change since the last period"),
                    _("Standing"),
                ],
                [(r.rank, r.unit, r.score, r.change, r.standing) for r in part.rows],
                widths=[1.6, 7, 2.4, 2.2, 2.4],
            )
        else:
            none(document)

    _section(document, 3, pgettext("bulletin section", "Praise and summons"))
    for number_, part in enumerate(content.groups, start=1):
        subsection(document, number_, part.label)
        heading(document, 3, 1, _("Praised:"))
        for mention in part.praised or [None]:
            body(document, mention.sentence if mention else _("None."))
        heading(document, 3, 2, _("To be summoned:"))
        for mention in part.summoned or [None]:
            body(document, mention.sentence if mention else _("None."))

    _section(document, 4, pgettext("bulletin section", "Red projects"))
    body(
        document,
        _("The projects on red on %(date)s, the day of issue, with the reasons.")
        % {"date": date_text(content.issued_on)},
    )
    if content.red_projects:
        table(
            document,
            [_("No."), _("Region"), _("Project"), _("Reason")],
            [
                (i, p.region, p.project, p.reasons)
                for i, p in enumerate(content.red_projects, start=1)
            ],
            widths=[1.4, 2.6, 5, 6.6],
        )
    else:
        none(document)

    _section(document, 5, pgettext("bulletin section", "Tasks overdue"))
    if content.overdue:
        body(
            document,
            _("As of %(date)s, %(count)d tasks of %(units)d units were overdue:")
            % {
                "date": date_text(content.as_of),
                "count": sum(unit.count for unit in content.overdue),
                "units": len(content.overdue),
            },
        )
        table(
            document,
            [_("No."), _("Lead unit"), _("Overdue"), _("Tasks")],
            [
                (i, unit.unit, unit.count, "；".join(_task_text(t) for t in unit.tasks))
                for i, unit in enumerate(content.overdue, start=1)
            ],
            widths=[1.4, 4.2, 1.8, 8.2],
        )
    else:
        none(document)

    body(
        document,
        _(
            "Every unit is to compare itself with this bulletin, find where it falls behind and "
            "catch up; the heads of the units to be summoned will be notified separately."
        ),
    )
    signature(document, issuer(), content.issued_on)
    imprint(
        document,
        copied_to=settings.DIAODU_DOCUMENT_COPIED_TO,
        printed_by=issuer(),
        printed_on=content.issued_on,
    )
    return to_bytes(document)


def _task_text(task: OverdueTask) -> str:
    return _("%(task)s (%(project)s, deadline %(deadline)s)") % {
        "task": task.content,
        "project": task.project,
        "deadline": date_text(task.deadline),
    }
