"""Pages of approvals (联审联批): every open approval by department with its clock, one
approval, its edit page and its attachment. Every query starts from
Approval.objects.visible_to(user); every change goes through diaodu.projects.approvals."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from diaodu.core.choices import Light
from diaodu.core.downloads import protected_file_response
from diaodu.core.models import ChangeRecord
from diaodu.projects import approvals as services
from diaodu.projects.approval_exports import approval_response
from diaodu.projects.approval_filters import ApprovalFilterSet
from diaodu.projects.approval_forms import ApprovalForm
from diaodu.projects.approval_timing import light_q
from diaodu.projects.models import Approval, Project

PAGE_SIZE = 50


def _approvals(user):
    return Approval.objects.visible_to(user).select_related(
        "project__region", "responsible_department"
    )


def by_department(queryset) -> list[dict]:
    """Per department, the approvals of the (filtered) list and how many are yellow and red."""
    return list(
        queryset.order_by()
        .values(
            "responsible_department",
            "responsible_department__name",
            "responsible_department__short_name",
        )
        .annotate(
            total=Count("pk"),
            yellow=Count("pk", filter=light_q(Light.YELLOW)),
            red=Count("pk", filter=light_q(Light.RED)),
        )
        .order_by("-red", "-yellow", "-total", "responsible_department__name")
    )


@login_required
def approval_list(request):
    user = request.user
    filterset = ApprovalFilterSet(request.GET, queryset=_approvals(user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    if user.sees_everything:
        seen = {row.project_id for row in rows}
    else:  # a department's queue may hold approvals of projects it does not otherwise see
        seen = set(
            Project.objects.visible_to(user)
            .filter(pk__in={row.project_id for row in rows})
            .values_list("pk", flat=True)
        )
    for row in rows:
        row.project_visible = row.project_id in seen
        row.editable = services.can_edit(user, row)
    page.object_list = rows
    # The same filters but the department's, so the summary shows every department's share.
    others = request.GET.copy()
    others.pop("department", None)
    summary = ApprovalFilterSet(others, queryset=Approval.objects.visible_to(user))
    return render(
        request,
        "approvals/approval_list.html",
        {
            "filterset": filterset,
            "page": page,
            "departments": by_department(summary.qs) if summary.is_valid() else [],
            "warning_days": settings.DIAODU_APPROVAL_WARNING_DAYS,
        },
    )


@login_required
def approval_export(request):
    """Every approval of the list as filtered on the page, not only the page shown."""
    filterset = ApprovalFilterSet(request.GET, queryset=Approval.objects.visible_to(request.user))
    return approval_response(filterset.qs)


def _history(approval):
    return ChangeRecord.objects.filter(
        content_type__app_label="projects",
        content_type__model="approval",
        object_id=str(approval.pk),
    ).select_related("actor", "content_type")


@login_required
def approval_detail(request, pk):
    approval = get_object_or_404(_approvals(request.user), pk=pk)
    return render(
        request,
        "approvals/approval_detail.html",
        {
            "approval": approval,
            "project_visible": Project.objects.visible_to(request.user)
            .filter(pk=approval.project_id)
            .exists(),
            "history": _history(approval),
            "can_edit": services.can_edit(request.user, approval),
        },
    )


def _form_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
def approval_edit(request, pk):
    approval = get_object_or_404(_approvals(request.user), pk=pk)
    fields = services.editable_fields(request.user, approval)
    if not fields:
        raise PermissionDenied(_("You cannot change this approval."))
    form = ApprovalForm(
        request.POST or None, request.FILES or None, instance=approval, fields=fields
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_approval(request.user, approval, **form.changes())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Approval saved."))
            return redirect("approvals:detail", pk=approval.pk)
    return render(
        request,
        "approvals/approval_form.html",
        {"form": form, "approval": approval, "project": approval.project},
    )


@login_required
def approval_new(request):
    """Headquarters adds an approval to a project (?project=<id>)."""
    if not services.can_create(request.user):
        raise PermissionDenied(_("Only headquarters adds approvals to a project."))
    try:
        project_pk = int(request.GET.get("project", ""))
    except ValueError:
        raise Http404 from None
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=project_pk)
    form = ApprovalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        values = {
            name: value for name, value in form.cleaned_data.items() if value not in (None, "")
        }
        try:
            approval = services.do_create_approval(request.user, project, **values)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Approval added."))
            return redirect("approvals:detail", pk=approval.pk)
    return render(
        request,
        "approvals/approval_form.html",
        {"form": form, "approval": None, "project": project},
    )


@login_required
def approval_attachment(request, pk):
    """The approval's document, to whoever may see the approval."""
    approval = get_object_or_404(Approval.objects.visible_to(request.user), pk=pk)
    return protected_file_response(approval.attachment)
