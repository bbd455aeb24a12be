"""The dashboard: the picture of the user's scope at a glance."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from rest_framework.decorators import api_view
from rest_framework.response import Response

from diaodu.dashboard.figures import figures
from diaodu.projects.models import Program, Project


def _params(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    programs = Program.objects.visible_to(request.user).filter(year=year)
    program = programs.filter(pk=request.GET.get("program") or 0).first()
    return year, program, programs


@login_required
def dashboard(request):
    year, program, programs = _params(request)
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
        },
    )


@api_view(["GET"])
def dashboard_api(request):
    """The dashboard's figures (?year=, ?program=) for the caller's scope."""
    year, program, _programs = _params(request)
    data = figures(request.user, year, program)
    data["stages"] = [
        {"stage": v, "label": str(label), "count": n} for v, label, n in data["stages"]
    ]
    data["lights"] = [
        {"light": v, "label": str(label), "count": n} for v, label, n in data["lights"]
    ]
    return Response(json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str)))


@login_required
def project_map(request):
    """Projects on a map, coloured by light; tiles from DIAODU_MAP_TILES, or a plain background."""
    projects = (
        Project.objects.visible_to(request.user)
        .exclude(latitude=None)
        .select_related("region")
        .order_by()
    )
    points = [
        {
            "id": p.pk,
            "name": p.name,
            "lat": float(p.latitude),
            "lng": float(p.longitude),
            "light": p.light,
            "region": str(p.region or ""),
            "stage": str(p.get_stage_display()),
            "url": reverse("projects:detail", args=[p.pk]),
        }
        for p in projects
    ]
    return render(
        request,
        "dashboard/map.html",
        {
            "points": points,
            "tiles": settings.DIAODU_MAP_TILES,
            "attribution": settings.DIAODU_MAP_ATTRIBUTION,
        },
    )
