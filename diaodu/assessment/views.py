"""Pages of the ranking and the scoring scheme. Rankings and schemes are read by every
signed-in user (they are sent to all units); headquarters publishes and versions them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from diaodu.assessment import services, summons
from diaodu.assessment.choices import Group, Indicator, PeriodKind
from diaodu.assessment.explain import explain, rule_summary
from diaodu.assessment.exports import ranking_workbook
from diaodu.assessment.forms import RuleForm, RuleFormSet, SchemeForm
from diaodu.assessment.models import Ranking, ScoringScheme
from diaodu.assessment.periods import Window, period_options
from diaodu.assessment.permissions import can_manage, require_manager
from diaodu.core import pdf
from diaodu.core.exports import xlsx_response
from diaodu.core.pdf import page_document


def window_from(request, source=None) -> Window:
    source = source if source is not None else request.GET
    text = source.get("period")
    if not text:
        return Window.default()
    try:
        return Window.parse(text)
    except ValueError as error:
        messages.error(request, str(error))
        return Window.default()


def group_from(source) -> str:
    group = source.get("group")
    return group if group in Group.values else Group.REGION


def _ranking_url(window: Window, group: str) -> str:
    return reverse("assessment:rankings") + "?" + urlencode({"period": window.code, "group": group})


@login_required
def rankings(request):
    window, group = window_from(request), group_from(request.GET)
    today = timezone.localdate()
    result, error = None, None
    try:
        result = services.read(window, group)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if result is not None:
        for entry in result.entries:
            entry.explained = explain(entry.lines)
    kinds = []
    for kind, label in PeriodKind.choices:
        latest = period_options(kind, today)[0 if kind != PeriodKind.MONTH else 1]
        code = window.code if kind == window.kind else latest.code
        kinds.append((kind, label, code))
    following = window.next()
    return render(
        request,
        "assessment/ranking.html",
        {
            "window": window,
            "group": group,
            "groups": [
                (value, label, _ranking_url(window, value)) for value, label in Group.choices
            ],
            "kinds": kinds,
            "options": period_options(window.kind, today),
            "previous_url": _ranking_url(window.previous(), group),
            "next_url": _ranking_url(following, group) if following.start <= today else None,
            "result": result,
            "error": error,
            "can_manage": can_manage(request.user),
            "pdf_available": pdf.available(),
        },
    )


@login_required
@require_POST
def publish(request):
    require_manager(request.user)  # before the period is read
    group = group_from(request.POST)
    try:
        window = Window.parse(request.POST.get("period", ""))
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("assessment:rankings")
    try:
        published = services.queue_publish_period(request.user, window)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if published:
            messages.success(
                request, _("The rankings of %(period)s are published.") % {"period": window.label}
            )
        else:
            messages.info(
                request,
                _("The rankings of %(period)s are being computed; they are published shortly.")
                % {"period": window.label},
            )
    return redirect(_ranking_url(window, group))


@login_required
def ranking_export(request):
    group = group_from(request.GET)
    try:
        window = Window.parse(request.GET["period"]) if "period" in request.GET else None
        result = services.read(window or Window.default(), group)
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("assessment:rankings")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessment:rankings")
    window = result.window
    title = _("%(period)s ranking of %(group)s") % {
        "period": window.label,
        "group": result.group_label,
    }
    return xlsx_response(
        ranking_workbook(result, title), f"{title}.xlsx", f"ranking-{window.code}-{group}.xlsx"
    )


@login_required
def ranking_summons(request, pk):
    """The 约谈通知 of a published ranking, to the units it summons: headquarters issues it."""
    ranking = get_object_or_404(
        Ranking.objects.visible_to(request.user).select_related("scheme"), pk=pk
    )
    require_manager(request.user)
    scores = summons.summoned(ranking)
    window = Window(ranking.kind, ranking.year, ranking.number)
    if not scores:
        messages.warning(request, summons.NOBODY_SUMMONED)
        return redirect(_ranking_url(window, ranking.group))
    return page_document(
        request,
        lambda as_pdf: summons.summons_response(request.user, ranking, scores, as_pdf),
        _ranking_url(window, ranking.group),
    )


# -- scoring schemes ------------------------------------------------------------------------


@login_required
def schemes(request):
    versions = list(
        ScoringScheme.objects.visible_to(request.user)
        .annotate(ranking_count=Count("rankings"))
        .prefetch_related("rules")
        .order_by("-valid_from")
    )
    in_force = ScoringScheme.objects.in_force(timezone.localdate().replace(day=1))
    for scheme in versions:
        scheme.rule_rows = [(rule, rule_summary(rule)) for rule in scheme.rules.all()]
    return render(
        request,
        "assessment/schemes.html",
        {
            "versions": versions,
            "in_force": in_force,
            "indicator_choices": Indicator.choices,
            "can_manage": can_manage(request.user),
        },
    )


@login_required
def scheme_new(request):
    require_manager(request.user)  # the form is for managers only
    base = ScoringScheme.objects.in_force(timezone.localdate().replace(day=1))
    if request.method == "POST":
        form = SchemeForm(request.POST)
        rules = RuleFormSet(request.POST, prefix="rules")
        if form.is_valid() and rules.is_valid():
            chosen = [
                rule.rule()
                for rule in rules
                if rule.cleaned_data.get("indicator") and not rule.cleaned_data.get("DELETE")
            ]
            try:
                scheme = services.do_create_scheme(
                    request.user,
                    name=form.cleaned_data["name"],
                    valid_from=form.cleaned_data["valid_from"],
                    top_count=form.cleaned_data["top_count"],
                    bottom_count=form.cleaned_data["bottom_count"],
                    tie_breaks=form.tie_breaks(),
                    note=form.cleaned_data["note"],
                    rules=chosen,
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(
                    request,
                    _("Version %(name)s is in force from %(month)s.")
                    % {"name": scheme.name, "month": f"{scheme.valid_from:%Y-%m}"},
                )
                return redirect("assessment:schemes")
    else:
        next_month = Window.month_of(timezone.localdate()).next().start
        form = SchemeForm(initial={**SchemeForm.initial_from(base), "valid_from": next_month})
        rules = RuleFormSet(
            prefix="rules",
            initial=[RuleForm.initial_from(rule) for rule in base.rules.all()] if base else [],
        )
    return render(
        request, "assessment/scheme_form.html", {"form": form, "rules": rules, "base": base}
    )


@login_required
@require_POST
def scheme_delete(request, pk):
    scheme = get_object_or_404(ScoringScheme.objects.visible_to(request.user), pk=pk)
    try:
        services.do_delete_scheme(request.user, scheme)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The version is deleted."))
    return redirect("assessment:schemes")
