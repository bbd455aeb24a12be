"""Forms of the reporting pages. Validation itself lives in the services."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from diaodu.reporting.models import ProgressReport

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


class ReportForm(forms.ModelForm):
    """The typed fields of a report, and the version the user loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ProgressReport
        fields = [
            "invested",
            "physical_percent",
            "workers",
            "physical_progress",
            "next_steps",
            "problems",
        ]
        widgets = {
            "physical_progress": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
            "problems": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invested"].required = False
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def values(self) -> dict:
        """The raw typed values, for the service to check and keep as typed on error."""
        return {name: self.data.get(self.add_prefix(name), "") for name in self.Meta.fields}


class PhotoForm(forms.Form):
    image = forms.ImageField(label=_("Photo"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def clean_image(self):
        image = self.cleaned_data["image"]
        limit = settings.DIAODU_PHOTO_MAX_MB * 1024 * 1024
        if image.size > limit:
            raise ValidationError(
                _("The photo is %(size).1f MB; the limit is %(limit)d MB.")
                % {"size": image.size / 1024 / 1024, "limit": settings.DIAODU_PHOTO_MAX_MB}
            )
        content_type = getattr(image, "content_type", None)
        if content_type and content_type not in IMAGE_TYPES:
            raise ValidationError(_("Only JPEG, PNG, WebP or GIF photos are accepted."))
        return image


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
