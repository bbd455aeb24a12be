"""The bell, each person's channels beyond it, and headquarters' outbox."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from diaodu.notifications.filters import OutboxFilterSet
from diaodu.notifications.models import (
    ChannelChoice,
    Delivery,
    DeliveryStatus,
    Notification,
    UnitRobot,
)
from diaodu.notifications.services import do_resend, mark_read
from diaodu.org.permissions import is_headquarters, require


@login_required
def notification_list(request):
    notifications = Notification.objects.visible_to(request.user)
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def notification_open(request, pk):
    """Mark one notification read and follow its link."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    mark_read(request.user, notification)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    mark_read(request.user)
    return redirect("notifications:list")


# -- beyond the bell: each person's channels, and headquarters' outbox ------------------------


class ChannelChoiceForm(forms.ModelForm):
    """A person's e-mail address and phone, and how they want to be told."""

    email_address = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.RegexField(
        label=_("Mobile phone"),
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": _("Give an 11-digit mobile number, e.g. 13800000000.")},
    )

    class Meta:
        model = ChannelChoice
        fields = ["email", "sms", "quiet_from", "quiet_until", "digest"]
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}),
        }

    def clean(self):
        data = super().clean()
        if (data.get("quiet_from") is None) != (data.get("quiet_until") is None):
            self.add_error("quiet_until", _("Give both ends of the quiet hours, or neither."))
        if data.get("sms") and not data.get("phone"):
            self.add_error("phone", _("Give a mobile number to be told by SMS."))
        if data.get("email") and not data.get("email_address"):
            self.add_error("email_address", _("Give an e-mail address to be told by e-mail."))
        return data


@login_required
def channel_settings(request):
    """How the signed-in person is told beyond the bell."""
    user = request.user
    choice = ChannelChoice.objects.filter(user=user).first() or ChannelChoice(
        user=user, email=bool(user.email)
    )
    initial = {"email_address": user.email, "phone": user.phone}
    form = ChannelChoiceForm(request.POST or None, instance=choice, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            user.email = form.cleaned_data["email_address"]
            user.phone = form.cleaned_data["phone"]
            user.save(update_fields=["email", "phone"])
        messages.success(request, _("Your channels are saved."))
        return redirect("notifications:settings")
    robots = UnitRobot.objects.filter(unit_id=user.unit_id, active=True) if user.unit_id else []
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "robots": robots, "sms_available": bool(settings.DIAODU_SMS_PROVIDER)},
    )


@login_required
def outbox(request):
    """Every delivery beyond the bell: queued, sent or failed with its error (headquarters)."""
    require(is_headquarters(request.user), _("Only headquarters manages the outbox."))
    filterset = OutboxFilterSet(request.GET, queryset=Delivery.objects.visible_to(request.user))
    for field in filterset.form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    counts = dict(
        Delivery.objects.visible_to(request.user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return render(
        request,
        "notifications/outbox.html",
        {
            "filter": filterset,
            "page": page,
            "cards": [
                (value, label, counts.get(value, 0)) for value, label in DeliveryStatus.choices
            ],
        },
    )


@login_required
@require_POST
def outbox_resend(request, pk):
    delivery = get_object_or_404(Delivery.objects.visible_to(request.user), pk=pk)
    try:
        do_resend(request.user, delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Queued to be sent again."))
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:outbox")
