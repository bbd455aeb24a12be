"""The ledger (台账) with its totals and export, the dashboard, the map and the battle map: the
picture of the user's scope."""

import json
from functools import lru_cache
from html import escape

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Cast, Round
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from diaodu.core.choices import Light
from diaodu.core.limits import YEARS, year_or_none
from diaodu.core.templatetags.diaodu import wan
from diaodu.core.widgets import template_value
from diaodu.exchange.importer import can_import
from diaodu.monitoring import exports
from diaodu.monitoring.battle_map import battle_map as battle_map_of
from diaodu.monitoring.figures import figures
from diaodu.monitoring.forecast import forecasts
from diaodu.monitoring.forms import BattleMapForm, ScheduleForm
from diaodu.monitoring.ledger import (
    COLUMNS,
    LATE,
    ledger,
    page_of,
    totals,
)
from diaodu.org.models import Unit
from diaodu.projects.choices import Stage
from diaodu.projects.models import Program, Project
from diaodu.projects.permissions import can_create, can_schedule
from diaodu.projects.schedule import (
    TEMPLATE_NAMES,
    derive,
    do_apply_schedule,
    template_for,
)


def _year(request) -> int:
    """The year asked for (?year=), or this year when none, or none within the years."""
    return year_or_none(request.GET.get("year")) or timezone.localdate().year


@login_required
def project_list(request):
    year = _year(request)
    filterset, queryset, sort = ledger(request.user, request.GET, year)
    number, size = request.GET.get("page"), settings.DIAODU_PAGE_SIZE
    page = page_of(queryset, number, size)
    known = forecasts(page.object_list)
    for project in page.object_list:
        project.forecast = known.get(project.pk)
    return render(
        request,
        "projects/project_list.html",
        {
            "filterset": filterset,
            "page": page,
            "ledger": queryset,  # the whole filtered set (lazy), for the tests and tools
            "year": year,
            "sort": sort,
            "columns": COLUMNS,
            "late_only": request.GET.get("forecast") == LATE,
            "totals": totals(queryset, year),
            "can_import": can_import(request.user),
            "can_create": can_create(request.user),
        },
    )


@login_required
def project_export(request):
    """Exactly the filtered ledger on screen, every row, with the same totals."""
    return exports.ledger_download(request.user, request.GET)


# The years the dashboard shows, and the ids a programme can have (a 64-bit key).
DASHBOARD_YEARS = YEARS
MAX_ID = 2**63 - 1


def _whole_number(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def dashboard_params(request):
    """The year (this year if none is given, or not one of DASHBOARD_YEARS), the programme
    chosen (or None) and the programmes of that year the user sees."""
    year = _whole_number(request.GET.get("year"))
    if year is None or year not in DASHBOARD_YEARS:
        year = timezone.localdate().year
    programs = Program.objects.visible_to(request.user).filter(year=year)
    program_id = _whole_number(request.GET.get("program"))
    program = programs.filter(pk=program_id).first() if 0 < (program_id or 0) <= MAX_ID else None
    return year, program, programs


@login_required
def dashboard(request):
    year, program, programs = dashboard_params(request)
    data = figures(request.user, year, program)
    chart = {
        "stages": [[label, n] for _v, label, n in data["stages"]],
        "lights": [[value, str(label), n] for value, label, n in data["lights"]],
        "curve": data["curve"],
    }
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "data": data,
            "program": program,
            "programs": programs,
            "chart_json": json.dumps(chart, cls=DjangoJSONEncoder, ensure_ascii=False, default=str),
            "gap_limit": settings.DIAODU_PROGRESS_GAP,
            "region_rows": region_rows(data["regions"]),
            "department_rows": department_rows(data["departments"]),
        },
    )


# What a region's row shows, in its order.
REGION_COLUMNS = ("region__name", "n", "investment", "planned", "invested", "red", "yellow")


def region_rows(regions) -> str:
    """The dashboard's regions side by side, as rows of its table. Written here rather than in
    the template, as the lead units' are, and once a process for the same figures in the same
    language: a province has a thousand regions, whose rows took some 40 ms to write on every
    visit to its dashboard (the figures themselves are kept: diaodu/core/kept.py)."""
    if not regions:
        return mark_safe('<tr><td colspan="7" class="text-secondary">—</td></tr>')
    rows = tuple(tuple(region[name] for name in REGION_COLUMNS) for region in regions)
    return _written_region_rows(get_language(), rows)


@lru_cache(maxsize=32)
def _written_region_rows(language: str, rows: tuple) -> SafeString:
    return mark_safe(  # noqa: S308 (every value escaped)
        "".join(
            f"<tr><td>{template_value(name)}</td>"
            f'<td class="text-end">{template_value(n)}</td>'
            f'<td class="text-end num">{conditional_escape(wan(investment))}</td>'
            f'<td class="text-end num">{conditional_escape(wan(planned))}</td>'
            f'<td class="text-end num">{conditional_escape(wan(invested))}</td>'
            f'<td class="text-end text-danger">{template_value(red)}</td>'
            f'<td class="text-end text-warning">{template_value(yellow)}</td></tr>'
            for name, n, investment, planned, invested, red, yellow in rows
        )
    )


def department_rows(departments) -> str:
    """The dashboard's lead units, each with its projects and red ones, as rows of its table."""
    return mark_safe(  # noqa: S308 (every value escaped)
        "".join(
            f"<tr><td>{template_value(d['lead_unit__name'])}</td>"
            f'<td class="text-end">{template_value(d["n"])}</td>'
            f'<td class="text-end text-danger">{template_value(d["red"])}</td></tr>'
            for d in departments
        )
    )


@login_required
def dashboard_forecast_late(request):
    """The dashboard's card of projects forecast to finish late: a count of the forecasts stored
    with the lights (docs/forecast.md)."""
    _year, program, _programs = dashboard_params(request)
    projects = Project.objects.visible_to(request.user)
    if program is not None:
        projects = projects.filter(programs=program)
    return render(
        request,
        "dashboard/_forecast_late.html",
        {
            "count": projects.filter(
                forecast_late_days__gt=settings.DIAODU_FORECAST_LATE_DAYS
            ).count(),
            "program": program,
            "limit": settings.DIAODU_FORECAST_LATE_DAYS,
        },
    )


@login_required
def project_map(request):
    """Projects on a map, coloured by light; tiles from DIAODU_MAP_TILES, or a plain background.

    The page carries every located project of the scope as one compact JSON array (id,
    latitude and longitude in millionths of a degree, light, region, stage, name: the light and
    the stage as indexes into the lists sent alongside, the region as a key of their names),
    read in one query of plain values and written to JSON as the database gives them, so that
    50,000 projects cost no model instance, no URL reversed and no label looked up per project;
    the script builds each popup when it is opened."""
    projects = (
        Project.objects.visible_to(request.user)
        .exclude(latitude=None)
        .exclude(longitude=None)
        .order_by()
        .values_list(
            "pk",
            _micro("latitude"),
            _micro("longitude"),
            _index_of("light", Light.values),
            "region_id",
            _index_of("stage", Stage.values),
            "name",
        )
    )
    # The rows as the database gives them (ints, floats and strings: nothing to convert), so
    # that they go to JSON as they are, without a Python object per project.
    try:
        sql = projects.query.sql_with_params()
    except EmptyResultSet:  # a user who sees nothing
        points = []
    else:
        with connection.cursor() as cursor:
            cursor.execute(*sql)
            points = cursor.fetchall()
    regions = Unit.objects.filter(pk__in={point[4] for point in points} - {None})
    data = {
        "lights": Light.values,
        "stages": [str(label) for label in Stage.labels],
        "regions": {unit.pk: str(unit) for unit in regions.only("name", "short_name")},
        # A project's page: the placeholder's digits are replaced by the project's id.
        "url": reverse("projects:detail", args=[MAP_URL_ID]),
        "placeholder": str(MAP_URL_ID),
        "micro": MICRO,
        "points": points,
    }
    return render(
        request,
        "dashboard/map.html",
        {
            "points": _json_script(data, "map-points"),
            "count": len(points),
            "tiles": settings.DIAODU_MAP_TILES,
            "attribution": settings.DIAODU_MAP_ATTRIBUTION,
        },
    )


def _micro(field: str) -> Cast:
    """Degrees as a whole number of millionths (the six decimals stored, exactly): an integer
    is written to JSON several times faster than a float."""
    return Cast(Round(F(field) * MICRO), IntegerField())


def _index_of(field: str, values: list[str]) -> Case:
    """The position of the field's value among `values` (-1 for another), computed in SQL."""
    whens = [When(**{field: value}, then=Value(index)) for index, value in enumerate(values)]
    return Case(*whens, default=Value(-1), output_field=IntegerField())


# Millionths of a degree.
MICRO = 1_000_000

# The project id the map's URL template is reversed with (no project has it: ids stay below).
MAP_URL_ID = 987654321987

# What json_script escapes, so that the JSON cannot close its <script> element.
_JSON_SCRIPT_ESCAPES = ((">", "\\u003E"), ("<", "\\u003C"), ("&", "\\u0026"))


def _json_script(value, element_id: str) -> str:
    """Django's json_script, with the text as UTF-8 rather than escaped to ASCII (a Chinese
    name is 3 bytes a character instead of 6) and no spaces between items."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for character, escaped in _JSON_SCRIPT_ESCAPES:
        text = text.replace(character, escaped)  # str.translate is ten times slower here
    return format_html(
        '<script id="{}" type="application/json">{}</script>',
        element_id,
        mark_safe(text),  # noqa: S308 (escaped above)
    )


@login_required
def battle_map(request):
    """Every project of the user's scope, filtered and grouped, as a Gantt row: planned, actual,
    forecast, milestones, today. A filter that is no choice is answered 400, named, in words."""
    today = timezone.localdate()
    form = BattleMapForm(request.GET, request.user)
    drawn = None
    if form.is_valid():
        projects = form.filter(Project.objects.visible_to(request.user))
        data = form.cleaned_data
        drawn = battle_map_of(projects, data["group"], data["page"], today)
    return render(
        request,
        "dashboard/battle_map.html",
        {
            "form": form,
            "problems": form.problems(),
            "map": drawn,
            "rows": drawn.rows if drawn else [],
            "listed": _listed(drawn.rows) if drawn else "",
            "chart": drawn.as_dict() if drawn else None,
            "pages": _page_links(request, drawn.page) if drawn else {},
            "showing": _showing(drawn.page) if drawn else "",
        },
        status=200 if drawn else 400,
    )


def _day(day) -> str:
    """A date as the list writes it (`|date:"Y-m-d"`), or nothing."""
    return day.isoformat() if day else ""


def _listed(rows: list[dict]) -> str:
    """The rows as the list a phone shows instead of the chart, each group headed by its name.

    Written here rather than by the template, every value escaped as the template would: a page
    is 500 rows of some 40 values each, which Django's template engine takes about a second to
    write and this a few hundredths."""
    planned, actual, finish, following, not_started = (
        escape(_(text))
        for text in (
            gettext_noop("Planned"),
            gettext_noop("Actual"),
            gettext_noop("Forecast finish"),
            gettext_noop("Next milestone"),
            gettext_noop("not started"),
        )
    )
    items, group = [], None
    for index, row in enumerate(rows):
        if row["group"] and (index == 0 or row["group"] != group):
            items.append(
                '<li class="list-group-item list-group-item-secondary fw-bold py-1">'
                f"{escape(row['group'])}</li>"
            )
        group = row["group"]
        bars, done, ahead, upcoming = row["planned"], row["actual"], row["forecast"], row["next"]
        bars = f"{_day(bars[0])} – {_day(bars[1])}" if bars else "—"
        done = f"{_day(done[0])} – {_day(done[1])}" if done else not_started
        forecast = ""
        if ahead:
            late = ' class="text-orange"' if ahead["late"] else ""
            forecast = f" · {finish} <b{late}>{_day(ahead['finish'])}</b>"
        upcoming = f"{escape(upcoming['name'])} {_day(upcoming['date'])}" if upcoming else "—"
        dots = "".join(
            f'<span class="milestone-{escape(m["state"])}" title="{escape(m["name"])} '
            f'{_day(m["date"])} {escape(m["state_label"])}">●</span>'
            for m in row["milestones"]
        )
        items.append(
            '<li class="list-group-item py-2">\n'
            f'<div><span class="status-dot status-{escape(row["light"])} me-1"></span>'
            f'<a href="{escape(row["url"])}">{escape(row["name"])}</a> '
            f'<span class="small text-secondary">{escape(row["light_label"])}</span></div>\n'
            f'<div class="bar">{planned} <b>{bars}</b></div>\n'
            f'<div class="bar">{actual} <b>{done}</b>{forecast}</div>\n'
            f'<div class="bar">{following} <b>{upcoming}</b>\n{dots}</div>\n</li>'
        )
    return mark_safe("\n".join(items))  # noqa: S308 (every value escaped above)


def _showing(page) -> str:
    """Which rows of how many: "showing 1–500 of 2,340"."""
    if not page.count:
        return _("No project matches.")
    return _("Showing %(first)s–%(last)s of %(count)s projects.") % {
        "first": f"{page.first:,}",
        "last": f"{page.last:,}",
        "count": f"{page.count:,}",
    }


def _page_links(request, page) -> dict:
    """The query strings of the previous and next pages, the filters kept."""
    links = {}
    for name, present, number in (
        ("previous", page.has_previous, page.number - 1),
        ("next", page.has_next, page.number + 1),
    ):
        if present:
            query = request.GET.copy()
            query["page"] = number
            links[name] = "?" + query.urlencode()
    return links


@login_required
def project_schedule(request, pk):
    """Backward scheduling for one project: preview the derived dates, then apply them.

    The preview reads the form from the query string (what is left out is the project's own:
    its template and planned completion); applying reads it from the body, whole. Either way
    a date that is no date, a year out of range or an unknown template is answered 400 with
    the field named, and nothing is applied."""
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    today = timezone.localdate()
    if request.method == "POST":
        if not can_schedule(request.user):
            raise PermissionDenied(_("Only headquarters applies backward scheduling."))
        form = ScheduleForm(request.POST)
    else:
        defaults = {
            "target": (project.planned_completion or today).isoformat(),
            "template": template_for(project),
        }
        asked = {name: value for name, value in request.GET.items() if name in defaults and value}
        form = ScheduleForm(defaults | asked)
    if form.is_valid():
        target, template = form.cleaned_data["target"], form.cleaned_data["template"]
        if request.method == "POST":
            try:
                changed = do_apply_schedule(request.user, project, template, target, today)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("%(count)d milestones set by backward scheduling.") % {"count": changed},
                )
                return redirect("projects:detail", pk=project.pk)
    valid = form.is_valid()
    return render(
        request,
        "dashboard/schedule.html",
        {
            "project": project,
            "form": form,
            "errors": [
                f"{form.fields[name].label}：{message}" if name in form.fields else message
                for name, messages_ in form.errors.items()
                for message in messages_
            ],
            "steps": derive(template, target, today) if valid else [],
            "target": form["target"].value(),
            "template": form["template"].value(),
            "templates": TEMPLATE_NAMES,
            "can_apply": valid and can_schedule(request.user),
        },
        status=200 if valid else 400,
    )
