"""The password-change page, open to every signed-in user."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext as _


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page, under the project's rules; a forced change is done once it succeeds."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        form.user.must_change_password = False  # saved with the new password by form.save()
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response
