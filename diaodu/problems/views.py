"""Pages of problems and tasks. Every query starts from Problem/Task.objects.visible_to(user)."""

from collections.abc import Callable
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from diaodu.core import pdf
from diaodu.core.models import ChangeRecord
from diaodu.core.pdf import page_document
from diaodu.org.models import Unit
from diaodu.problems import exports, notices, permissions, services, transitions
from diaodu.problems.choices import ProblemStatus, TaskStatus
from diaodu.problems.filters import ProblemFilterSet, TaskFilterSet
from diaodu.problems.forms import ProblemForm, TaskForm, TextForm
from diaodu.problems.models import Problem, ProblemFollowUp, Task, TaskFeedback
from diaodu.problems.stats import counts_by_unit
from diaodu.problems.warnings import light_list, light_of
from diaodu.projects.models import Project

PAGE_SIZE = 50


def _problems(user):
    return Problem.objects.visible_to(user).select_related(
        "project__region", "responsible_unit", "coordinating_leader"
    )


def _tasks(user):
    return (
        Task.objects.visible_to(user)
        .select_related("project__region", "lead_unit")
        .prefetch_related("responsible_units")
    )


def _list(request, filterset_class, queryset, statuses, template, **context):
    filterset = filterset_class(request.GET, queryset=queryset)
    board = request.GET.get("view") == "board"
    context.update(filterset=filterset, board=board)
    if board:
        items = light_list(list(filterset.qs[:500]))
        context["columns"] = [
            (status, [i for i in items if i.status == status.value]) for status in statuses
        ]
    else:
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = light_list(page.object_list)
        context["page"] = page
    return render(request, template, context)


@login_required
def problem_list(request):
    return _list(
        request,
        ProblemFilterSet,
        _problems(request.user),
        ProblemStatus,
        "problems/problem_list.html",
    )


@login_required
def task_list(request):
    return _list(
        request,
        TaskFilterSet,
        _tasks(request.user),
        TaskStatus,
        "problems/task_list.html",
        can_assign=permissions.can_assign(request.user),
        pdf_available=pdf.available(),
    )


@login_required
def problem_export(request):
    """Every problem of the list as filtered on the page, not only the page shown."""
    filterset = ProblemFilterSet(request.GET, queryset=_problems(request.user))
    return exports.problem_response(filterset.qs)


@login_required
def task_export(request):
    """Every task of the list as filtered on the page, not only the page shown."""
    filterset = TaskFilterSet(request.GET, queryset=_tasks(request.user))
    return exports.task_response(filterset.qs)


def _history(obj):
    return ChangeRecord.objects.filter(
        content_type__app_label="problems",
        content_type__model=obj._meta.model_name,
        object_id=str(obj.pk),
    ).select_related("actor", "content_type")


@login_required
def problem_detail(request, pk):
    problem = get_object_or_404(
        _problems(request.user).prefetch_related(
            Prefetch("follow_ups", queryset=ProblemFollowUp.objects.select_related("author")),
            "project__leaders",
            "tasks",
        ),
        pk=pk,
    )
    problem.light, problem.light_reason = light_of(problem)
    return render(
        request,
        "problems/problem_detail.html",
        {
            "problem": problem,
            "history": _history(problem),
            "text_form": TextForm(),
            "actions": _offered(request.user, problem, "problems:problem-action"),
        },
    )


@login_required
def task_detail(request, pk):
    task = get_object_or_404(
        _tasks(request.user).prefetch_related(
            Prefetch("feedback", queryset=TaskFeedback.objects.select_related("author"))
        ),
        pk=pk,
    )
    task.light, task.light_reason = light_of(task)
    return render(
        request,
        "problems/task_detail.html",
        {
            "task": task,
            "history": _history(task),
            "text_form": TextForm(),
            "actions": _offered(request.user, task, "problems:task-action"),
            "can_issue_notice": permissions.can_issue_notice(request.user),
            "pdf_available": pdf.available(),
        },
    )


@login_required
def problem_new(request, project_pk):
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=project_pk)
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.do_raise_problem(request.user, project, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Problem raised."))
            return redirect("problems:problem", pk=problem.pk)
    return render(
        request,
        "problems/form.html",
        {
            "form": form,
            "project": project,
            "title": _("Raise a problem"),
        },
    )


@login_required
def task_new(request, project_pk=None):
    project = None
    if project_pk is not None:
        project = get_object_or_404(Project.objects.visible_to(request.user), pk=project_pk)
    if not permissions.can_assign(request.user):
        raise PermissionDenied(_("Only headquarters, leaders and inspectors assign tasks."))
    form = TaskForm(
        request.POST or None, initial={"lead_unit": project.lead_unit_id if project else None}
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = services.do_assign_task(request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Task assigned."))
            return redirect("problems:task", pk=task.pk)
    return render(
        request,
        "problems/form.html",
        {
            "form": form,
            "project": project,
            "title": _("Assign a task"),
        },
    )


class Action(NamedTuple):
    """An action of the transition tables as the page offers it."""

    service: Callable
    label: str
    placeholder: str
    colour: str
    done: str


ACTIONS = {
    Problem: {
        "accept": Action(
            services.do_accept_problem,
            gettext_lazy("Accept"),
            "",
            "primary",
            gettext_lazy("Accepted."),
        ),
        "follow-up": Action(
            services.do_add_problem_follow_up,
            gettext_lazy("Add follow-up"),
            gettext_lazy("What was done"),
            "secondary",
            gettext_lazy("Follow-up added."),
        ),
        "solved": Action(
            services.do_report_problem_solved,
            gettext_lazy("Report solved"),
            gettext_lazy("How it was solved"),
            "success",
            gettext_lazy("Reported solved."),
        ),
        "verify": Action(
            services.do_verify_problem,
            gettext_lazy("Verify and close"),
            gettext_lazy("What was checked"),
            "success",
            gettext_lazy("Verified and closed."),
        ),
        "send-back": Action(
            services.do_send_back_problem,
            gettext_lazy("Send back"),
            gettext_lazy("Why it is not solved"),
            "warning",
            gettext_lazy("Sent back."),
        ),
        "escalate": Action(
            services.do_escalate_problem,
            gettext_lazy("Escalate"),
            gettext_lazy("Why the unit cannot solve it alone"),
            "danger",
            gettext_lazy("Escalated."),
        ),
    },
    Task: {
        "accept": Action(
            services.do_accept_task,
            gettext_lazy("Accept"),
            "",
            "primary",
            gettext_lazy("Accepted."),
        ),
        "feedback": Action(
            services.do_add_task_feedback,
            gettext_lazy("Add feedback"),
            gettext_lazy("What was done"),
            "secondary",
            gettext_lazy("Feedback added."),
        ),
        "done": Action(
            services.do_report_task_done,
            gettext_lazy("Report done"),
            gettext_lazy("What was achieved"),
            "success",
            gettext_lazy("Reported done."),
        ),
        "verify": Action(
            services.do_verify_task,
            gettext_lazy("Verify and close"),
            gettext_lazy("What was checked"),
            "success",
            gettext_lazy("Verified and closed."),
        ),
        "send-back": Action(
            services.do_send_back_task,
            gettext_lazy("Send back"),
            gettext_lazy("Why it is not done"),
            "warning",
            gettext_lazy("Sent back."),
        ),
    },
}


def _offered(user, item, url_name) -> list[dict]:
    """The buttons of the actions the user may take on the item now (its transition table)."""
    table, pages = transitions.table(item), ACTIONS[type(item)]
    return [
        {
            "url": reverse(url_name, args=[item.pk, name]),
            "label": pages[name].label,
            "placeholder": pages[name].placeholder,
            "colour": pages[name].colour,
            "with_text": table[name].text != transitions.NO_TEXT,
            "text_required": table[name].text == transitions.REQUIRED,
            "seen": services.state_of(item),
        }
        for name in transitions.available(user, item)
    ]


def _act(request, obj, action):
    actions = ACTIONS[type(obj)]
    if action not in actions:
        raise PermissionDenied
    service, done = actions[action].service, actions[action].done
    takes_text = transitions.table(obj)[action].text != transitions.NO_TEXT
    text = request.POST.get("text", "")
    # The state the page showed, so that an action on a state that moved on is refused.
    seen = request.POST.get("seen", "")[:100]
    try:
        if takes_text:
            service(request.user, obj, text, seen=seen)
        else:
            service(request.user, obj, seen=seen)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)


@login_required
@require_POST
def problem_action(request, pk, action):
    problem = get_object_or_404(_problems(request.user), pk=pk)
    _act(request, problem, action)
    return redirect("problems:problem", pk=problem.pk)


@login_required
@require_POST
def task_action(request, pk, action):
    task = get_object_or_404(_tasks(request.user), pk=pk)
    _act(request, task, action)
    return redirect("problems:task", pk=task.pk)


@login_required
def unit_counts(request):
    counts = counts_by_unit(
        Problem.objects.visible_to(request.user), Task.objects.visible_to(request.user)
    )
    units = Unit.objects.in_bulk(list(counts))
    rows = sorted(
        ((units[k], v) for k, v in counts.items() if k in units),
        key=lambda row: (
            -row[1]["problems"]["overdue"] - row[1]["tasks"]["overdue"],
            row[0].sort_order,
        ),
    )
    return render(
        request,
        "problems/unit_counts.html",
        {
            "rows": rows,
            "can_issue_notice": permissions.can_issue_notice(request.user),
            "pdf_available": pdf.available(),
        },
    )


def _require_issuer(user):
    if not permissions.can_issue_notice(user):
        raise PermissionDenied(notices.NOT_AN_ISSUER)


@login_required
def task_notice(request, pk):
    """The 督办单 for one task, addressed to its lead unit."""
    task = get_object_or_404(_tasks(request.user).select_related("meeting"), pk=pk)
    _require_issuer(request.user)
    return page_document(
        request,
        lambda as_pdf: notices.notice_response(request.user, task.lead_unit, [task], as_pdf),
        reverse("problems:task", args=[task.pk]),
    )


@login_required
def unit_overdue_notice(request, pk):
    """The 督办单 for all of a unit's overdue tasks (those the user sees)."""
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    _require_issuer(request.user)
    tasks = list(notices.overdue_tasks_of(_tasks(request.user).select_related("meeting"), unit))
    if not tasks:
        messages.warning(request, notices.NOTHING_OVERDUE)
        return redirect("problems:unit-counts")
    return page_document(
        request,
        lambda as_pdf: notices.notice_response(request.user, unit, tasks, as_pdf),
        reverse("problems:unit-counts"),
    )
