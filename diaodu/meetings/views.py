"""Pages of meetings. Every query starts from Meeting.objects.visible_to(user)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from diaodu.core import pdf
from diaodu.core.pdf import document_response, page_document
from diaodu.meetings import documents, services
from diaodu.meetings.agenda import build_agenda, task_item
from diaodu.meetings.forms import AliasForm, DraftTaskFormSet, MeetingForm, MinutesForm
from diaodu.meetings.minutes import read_minutes
from diaodu.meetings.models import Meeting
from diaodu.meetings.services import extract
from diaodu.org.models import Unit
from diaodu.org.permissions import is_headquarters
from diaodu.problems.models import Task
from diaodu.projects.models import Project

PAGE_SIZE = 30


def _meetings(user):
    return Meeting.objects.visible_to(user).select_related("chair")


def _get(request, pk):
    return get_object_or_404(_meetings(request.user), pk=pk)


def _require_manager(user):
    if not services.can_manage(user):
        raise PermissionDenied(_("Only headquarters and leaders manage meetings."))


@login_required
def meeting_list(request):
    meetings = _meetings(request.user).annotate(task_count=Count("tasks")).order_by("-date", "-id")
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/meeting_list.html",
        {"page": page, "can_manage": services.can_manage(request.user)},
    )


def _form_page(request, form, meeting=None):
    title = _("Edit the meeting") if meeting else _("New meeting")
    return render(request, "meetings/form.html", {"form": form, "meeting": meeting, "title": title})


def _save_errors(form, error):
    for field, messages_ in getattr(error, "message_dict", {"__all__": error.messages}).items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
def meeting_new(request):
    _require_manager(request.user)
    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.do_create_meeting(request.user, **form.cleaned_data)
        except ValidationError as error:
            _save_errors(form, error)
        else:
            messages.success(request, _("Meeting created."))
            return redirect("meetings:detail", pk=meeting.pk)
    return _form_page(request, form)


@login_required
def meeting_edit(request, pk):
    meeting = _get(request, pk)
    _require_manager(request.user)
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        meeting.refresh_from_db()  # the form changed the instance; the service records the change
        try:
            services.do_update_meeting(request.user, meeting, **data)
        except ValidationError as error:
            _save_errors(form, error)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("meetings:detail", pk=meeting.pk)
    return _form_page(request, form, meeting)


def _detail_meeting(request, pk):
    return get_object_or_404(
        _meetings(request.user).prefetch_related(
            "programs", "regions", "projects", "attending_units", "attending_leaders"
        ),
        pk=pk,
    )


def _meeting_tasks(meeting, user):
    return (
        Task.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("project", "lead_unit")
        .order_by("deadline", "id")
    )


@login_required
def meeting_detail(request, pk):
    meeting = _detail_meeting(request, pk)
    agenda = build_agenda(meeting, request.user)
    tasks = [task_item(task, agenda.today) for task in _meeting_tasks(meeting, request.user)]
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "tasks": tasks,
            "can_manage": services.can_manage(request.user),
            "minutes_form": MinutesForm(initial={"text": meeting.minutes}),
            "alias_offers": (
                services.alias_offers(meeting) if is_headquarters(request.user) else []
            ),
            "pdf_available": pdf.available(),
        },
    )


def _document(request, meeting, content: bytes, filename: str) -> HttpResponse:
    """The meeting's Word file, or (?format=pdf) its PDF; back to the meeting if it cannot be."""
    return page_document(
        request,
        lambda as_pdf: document_response(content, filename, filename, as_pdf),
        reverse("meetings:detail", args=[meeting.pk]),
    )


@login_required
def agenda_download(request, pk):
    meeting = _detail_meeting(request, pk)
    content = documents.agenda_docx(meeting, build_agenda(meeting, request.user))
    return _document(request, meeting, content, f"agenda-{meeting.date:%Y%m%d}-{meeting.pk}.docx")


@login_required
def minutes_download(request, pk):
    meeting = _detail_meeting(request, pk)
    content = documents.minutes_docx(meeting, _meeting_tasks(meeting, request.user), request.user)
    filename = f"minutes-{meeting.date:%Y%m%d}-{meeting.pk}.docx"
    return _document(request, meeting, content, filename)


def _choices(meeting, user):
    """The projects (of the meeting's scope) and units a draft may name, as select choices."""
    projects = [(p.pk, p.name) for p in meeting.covered_projects(user).only("pk", "name")]
    units = [(u.pk, str(u)) for u in Unit.objects.all()]
    return projects, units


def _review(request, meeting, formset, status=200):
    return render(
        request,
        "meetings/review.html",
        {"meeting": meeting, "formset": formset},
        status=status,
    )


@login_required
@require_POST
def meeting_extract(request, pk):
    """Minutes in, draft tasks out: the reviewer corrects them before anything is created."""
    meeting = _detail_meeting(request, pk)
    _require_manager(request.user)
    form = MinutesForm(request.POST, request.FILES)
    text = ""
    if form.is_valid():
        text = form.cleaned_data["text"] or ""
        if form.cleaned_data.get("file"):
            try:
                text = read_minutes(form.cleaned_data["file"])
            except (ValidationError, ValueError, KeyError) as error:
                form.add_error("file", getattr(error, "messages", [_("Cannot read this file.")]))
    if form.errors:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("meetings:detail", pk=meeting.pk)
    services.do_save_minutes(request.user, meeting, text)
    project_choices, unit_choices = _choices(meeting, request.user)
    drafts = extract(
        text,
        meeting.date,
        projects=meeting.covered_projects(request.user),
        units=Unit.objects.all(),
    )
    known_projects = {pk for pk, _name in project_choices}
    initial = []
    for draft in drafts:
        project = draft.project_id if draft.project_id in known_projects else None
        initial.append(
            {
                "include": True,
                "content": draft.content,
                "project": project,
                "lead_unit": draft.unit_id,
                "deadline": draft.deadline,
                "sentence": draft.sentence,
                # what the draft proposed, to keep what the reviewer corrects
                "draft_project": project,
                "draft_unit": draft.unit_id,
                "draft_deadline": draft.deadline,
                "project_written": draft.project or "",
                "unit_written": draft.unit or "",
            }
        )
    if not initial:
        messages.warning(request, _("No task was found in the minutes."))
    formset = DraftTaskFormSet(
        initial=initial,
        form_kwargs={"project_choices": project_choices, "unit_choices": unit_choices},
    )
    return _review(request, meeting, formset)


@login_required
@require_POST
def meeting_confirm(request, pk):
    meeting = _detail_meeting(request, pk)
    _require_manager(request.user)
    project_choices, unit_choices = _choices(meeting, request.user)
    formset = DraftTaskFormSet(
        request.POST,
        form_kwargs={"project_choices": project_choices, "unit_choices": unit_choices},
    )
    if not formset.is_valid():
        messages.error(request, _("Nothing was created: correct the rows marked below."))
        return _review(request, meeting, formset)
    chosen = [form for form in formset.forms if form.cleaned_data.get("include")]
    left = [form for form in formset.forms if not form.cleaned_data.get("include")]
    every = [form.cleaned_data for form in formset.forms]
    projects = Project.objects.in_bulk(
        {d[key] for d in every for key in ("project", "draft_project") if d.get(key)}
    )
    units = Unit.objects.in_bulk(
        {d[key] for d in every for key in ("lead_unit", "draft_unit") if d.get(key)}
    )

    def proposed(data):
        """What the draft of a row proposed, or None for a row not drawn from the minutes."""
        if not data.get("sentence"):
            return None
        return {
            "unit": units.get(data.get("draft_unit")),
            "project": projects.get(data.get("draft_project")),
            "deadline": data.get("draft_deadline"),
            "unit_written": data.get("unit_written", ""),
            "project_written": data.get("project_written", ""),
            "sentence": data.get("sentence", ""),
        }

    rows = [
        {
            "content": form.cleaned_data["content"],
            "project": projects.get(form.cleaned_data.get("project")),
            "lead_unit": units.get(form.cleaned_data["lead_unit"]),
            "deadline": form.cleaned_data["deadline"],
            "sentence": form.cleaned_data.get("sentence", ""),
            "draft": proposed(form.cleaned_data),
        }
        for form in chosen
    ]
    rejected = [draft for draft in (proposed(form.cleaned_data) for form in left) if draft]
    try:
        tasks = services.do_confirm_tasks(request.user, meeting, rows, rejected)
    except ValidationError as error:
        by_row = getattr(error, "error_dict", None)
        if by_row is None:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.error(request, _("Nothing was created: correct the rows marked below."))
            for index, errors in by_row.items():
                for message in ValidationError(errors).messages:
                    chosen[int(index)].add_error(None, message)
        return _review(request, meeting, formset)
    messages.success(request, _("%(count)d tasks created.") % {"count": len(tasks)})
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_add_alias(request, pk):
    """Add a name the reviewers' corrections revealed to a unit of the directory."""
    meeting = _detail_meeting(request, pk)
    form = AliasForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was added: the alias was not understood."))
        return redirect("meetings:detail", pk=meeting.pk)
    unit = get_object_or_404(Unit, pk=form.cleaned_data["unit"])
    alias = form.cleaned_data["alias"]
    try:
        services.do_add_unit_alias(request.user, meeting, unit, alias)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("%(alias)s is now an alias of %(unit)s.") % {"alias": alias, "unit": unit}
        )
    return redirect("meetings:detail", pk=meeting.pk)
