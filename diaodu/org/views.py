"""The password-change page, open to every signed-in user, and the audit log (headquarters and
administrators)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from diaodu.org.filters import AuditEventFilterSet
from diaodu.org.models import AuditEvent
from diaodu.org.permissions import can_read_audit, require

PAGE_SIZE = 50


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page, under the project's rules; a forced change is done once it succeeds."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        form.user.must_change_password = False  # saved with the new password by form.save()
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


@login_required
def audit_list(request):
    """The audit log: sign-ins, failures, lockouts, password and permission changes, downloads."""
    require(
        can_read_audit(request.user), _("Only headquarters and administrators read the audit log.")
    )
    filterset = AuditEventFilterSet(
        request.GET, queryset=AuditEvent.objects.visible_to(request.user).select_related("user")
    )
    for field in filterset.form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "org/audit.html",
        {"filter": filterset, "page": page, "months": settings.DIAODU_AUDIT_MONTHS},
    )
