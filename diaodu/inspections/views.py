"""Pages of inspections. Every query starts from Inspection.objects.visible_to(user)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from diaodu.core.models import ChangeRecord
from diaodu.core.photos import photo_response
from diaodu.inspections import exports, services
from diaodu.inspections.filters import InspectionFilterSet
from diaodu.inspections.forms import (
    InspectionForm,
    PhotoForm,
    ProblemRowFormSet,
    TaskRowFormSet,
)
from diaodu.inspections.models import Inspection, InspectionPhoto
from diaodu.org.models import Unit
from diaodu.problems.models import Problem, Task
from diaodu.projects.models import Project

PAGE_SIZE = 30


def _inspections(user):
    return Inspection.objects.visible_to(user).select_related("project__region")


def _require_inspector(user):
    if not services.can_inspect(user):
        raise PermissionDenied(_("Only inspectors and headquarters record inspections."))


@login_required
def inspection_list(request):
    filterset = InspectionFilterSet(request.GET, queryset=_inspections(request.user).with_counts())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/inspection_list.html",
        {"filterset": filterset, "page": page},
    )


@login_required
def inspection_export(request):
    """Every inspection of the list as filtered on the page, not only the page shown."""
    filterset = InspectionFilterSet(
        request.GET, queryset=Inspection.objects.visible_to(request.user)
    )
    return exports.inspection_response(filterset.qs)


def _history(inspection):
    """The inspection's own records and those of its photos."""
    photo_ids = [str(photo.pk) for photo in inspection.photos.all()]
    return ChangeRecord.objects.filter(
        Q(content_type__model="inspection", object_id=str(inspection.pk))
        | Q(content_type__model="inspectionphoto", object_id__in=photo_ids),
        content_type__app_label="inspections",
    ).select_related("actor", "content_type")


@login_required
def inspection_detail(request, pk):
    inspection = get_object_or_404(
        _inspections(request.user)
        .select_related("project__owner", "report__period__program", "recorded_by")
        .prefetch_related("photos"),
        pk=pk,
    )
    user = request.user
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "problems": Problem.objects.visible_to(user)
            .filter(inspection=inspection)
            .select_related("responsible_unit"),
            "tasks": Task.objects.visible_to(user)
            .filter(inspection=inspection)
            .select_related("lead_unit"),
            "history": _history(inspection),
            "can_inspect": services.can_inspect(user),
            "gap_limit": settings.DIAODU_PROGRESS_GAP,
        },
    )


def _unit_choices():
    return [(unit.pk, str(unit)) for unit in Unit.objects.all()]


def _rows(formset, unit_field, units):
    """(form, row) for each row that has something typed; units resolved from their ids."""
    rows = []
    for form in formset.forms:
        if not form.has_content():
            continue
        data = dict(getattr(form, "cleaned_data", {}) or {})
        data[unit_field] = units.get(data.get(unit_field))
        rows.append((form, data))
    return rows


def _attach(form, field, messages_):
    if field in (None, NON_FIELD_ERRORS) or field not in form.fields:
        field = None
    elif field in form.errors:
        return  # what could not be read is already said
    for message in messages_:
        form.add_error(field, message)


def _attach_all(error, form, problem_rows, task_rows):
    fields, rows = services.split_errors(error)
    for field, messages_ in fields.items():
        _attach(form, field, messages_)
    for kind, typed in ((services.PROBLEMS, problem_rows), (services.TASKS, task_rows)):
        for index, by_field in rows[kind].items():
            for field, messages_ in by_field.items():
                _attach(typed[index][0], field, messages_)


@login_required
def inspection_new(request):
    _require_inspector(request.user)
    wanted = request.GET.get("project") or request.POST.get("project") or ""
    if not wanted.isdigit():
        raise Http404(_("Choose a project to inspect from its page."))
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("region"), pk=int(wanted)
    )
    today = timezone.localdate()
    report = services.last_report(project, today)
    unit_choices = _unit_choices()
    row_kwargs = {"unit_choices": unit_choices}
    if request.method == "POST":
        form = InspectionForm(request.POST, request.FILES)
        problem_set = ProblemRowFormSet(request.POST, prefix="problems", form_kwargs=row_kwargs)
        task_set = TaskRowFormSet(request.POST, prefix="tasks", form_kwargs=row_kwargs)
        valid = all([form.is_valid(), problem_set.is_valid(), task_set.is_valid()])
        units = Unit.objects.in_bulk(
            [
                row.cleaned_data.get(name)
                for formset, name in ((problem_set, "responsible_unit"), (task_set, "lead_unit"))
                for row in formset.forms
                if getattr(row, "cleaned_data", None) and row.cleaned_data.get(name)
            ]
        )
        problem_rows = _rows(problem_set, "responsible_unit", units)
        task_rows = _rows(task_set, "lead_unit", units)
        data = {name: form.cleaned_data.get(name) for name in InspectionForm.Meta.fields}
        if valid:
            try:
                with transaction.atomic():
                    inspection = services.do_record_inspection(
                        request.user,
                        project,
                        **data,
                        problems=[row for _form, row in problem_rows],
                        tasks=[row for _form, row in task_rows],
                    )
                    if form.cleaned_data.get("photo"):
                        services.do_add_inspection_photo(
                            request.user,
                            inspection,
                            form.cleaned_data["photo"],
                            form.cleaned_data.get("caption", ""),
                            form.sent(),
                        )
            except ValidationError as error:
                _attach_all(error, form, problem_rows, task_rows)
            else:
                messages.success(request, _("Inspection recorded."))
                if inspection.is_overstated:
                    messages.warning(
                        request,
                        _("The site shows %(gap)s points less progress than reported.")
                        % {"gap": inspection.progress_gap},
                    )
                return redirect("inspections:detail", pk=inspection.pk)
        else:
            # Say at once everything else that is wrong, beside what could not be read.
            probe = Inspection(project=project, **data)
            errors = services.check_inspection(
                probe,
                [row for _form, row in problem_rows],
                [row for _form, row in task_rows],
            )
            if errors:
                _attach_all(ValidationError(errors), form, problem_rows, task_rows)
        messages.error(request, _("Nothing was recorded: correct what is marked below."))
    else:
        form = InspectionForm(initial={"date": today})
        problem_set = ProblemRowFormSet(
            prefix="problems",
            form_kwargs=row_kwargs,
            initial=[{"responsible_unit": project.region_id or project.lead_unit_id}],
        )
        task_set = TaskRowFormSet(
            prefix="tasks", form_kwargs=row_kwargs, initial=[{"lead_unit": project.lead_unit_id}]
        )
    return render(
        request,
        "inspections/form.html",
        {
            "project": project,
            "report": report,
            "form": form,
            "problem_set": problem_set,
            "task_set": task_set,
        },
    )


@login_required
@require_POST
def inspection_photo(request, pk):
    inspection = get_object_or_404(_inspections(request.user), pk=pk)
    _require_inspector(request.user)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.do_add_inspection_photo(
                request.user,
                inspection,
                form.cleaned_data["image"],
                form.cleaned_data["caption"],
                form.sent(),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Photo added."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("inspections:detail", pk=inspection.pk)


@login_required
def photo_file(request, pk):
    """An inspection's photo, for whoever may see its project (nothing under /media/ is
    public)."""
    photo = get_object_or_404(
        InspectionPhoto.objects.filter(inspection__in=Inspection.objects.visible_to(request.user)),
        pk=pk,
    )
    return photo_response(request, photo)
