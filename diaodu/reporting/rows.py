"""The rows of the filing page, written in Python.

An owner's filing page is fifty rows of a form each, and it is half the requests of the
deadline surge. Through a template each row cost some twenty tags (translations, URLs, the
token, filters), about four fifths of the page's CPU; here the labels are translated and the
URLs reversed once a page, and every value is escaped and localised as the template did.
The HTML is the same as reporting/_fill_row.html wrote (a test keeps that template's text and
compares them); static/diaodu/js/fill.js reads its data-draft-* hooks. A row is one
project's: below 576 px wide a card with its fields stacked (field.css).
"""

import re
from collections.abc import Iterable

from django.urls import reverse
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from diaodu.core.widgets import template_value
from diaodu.reporting.forms import ReportForm
from diaodu.reporting.models import ProgressReport, ReportingPeriod

# The id the row's URLs are reversed with once a page (no project or report has it).
_ID = 987654321987
# Where, in the inputs written once a page, a row's own parts go: its prefix (in names and ids),
# an input's value attribute (left out for no value) and a text area's text.
_MARK = "__fillslot_{}__"
_SLOTS = re.compile(rf'p{_ID}| value="__fillslot_(\w+)__"|__fillslot_(\w+)__')

_ERROR = '<div class="text-danger small">{}</div>'


def _shown(value) -> str:
    """`{{ value|default_if_none:"—" }}`."""
    return "—" if value is None else template_value(value)


def _cut(text: str, length: int) -> str:
    """`{{ text|truncatechars:length }}`."""
    return escape(Truncator(text).chars(length))


class FillRows:
    """Writes the rows of one period's filing page for one request: `row()` for each project."""

    def __init__(self, period: ReportingPeriod, csrf_token: str):
        self.period = period
        self.invests = period.carries_investment
        token = escape(csrf_token)
        self.token = token
        self.token_input = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        self.project_url = reverse("projects:detail", args=[_ID])
        self.report_url = reverse("reporting:report", args=[_ID])
        self.submit_url = reverse("reporting:action", args=[_ID, "submit"])
        self.save_url = reverse("reporting:fill-row", args=[period.pk, _ID])
        self.fill_url = escape(reverse("reporting:fill", args=[period.pk]))
        self.text = {
            key: escape(_(message) % {})  # "%%" is "%", as the templates' translate tag writes it
            for key, message in (
                ("not_reported", gettext_noop("Not reported")),
                ("saved", gettext_noop("Saved.")),
                ("overwrite", gettext_noop("Save my draft over the saved version")),
                ("discard", gettext_noop("Discard the draft on this phone")),
                ("saved_version", gettext_noop("Saved version")),
                (
                    "reload",
                    gettext_noop(
                        "Reload the page to edit the saved version; what you typed is still in "
                        "the row."
                    ),
                ),
                ("invested", gettext_noop("Investment this period (10k yuan)")),
                ("percent", gettext_noop("Physical progress (%%)")),  # the templates' msgid
                ("workers", gettext_noop("Workers on site")),
                ("progress", gettext_noop("Physical progress")),
                ("next_steps", gettext_noop("Next steps")),
                ("problems", gettext_noop("Problems encountered")),
                ("locked", gettext_noop("Locked")),
                ("save", gettext_noop("Save")),
                ("submit", gettext_noop("Submit")),
            )
        }

        self._stencil: list[tuple[str, str]] | None = None

    def _url(self, url: str, pk: int) -> str:
        return escape(url.replace(str(_ID), str(pk)))

    def row(
        self,
        project,
        report: ProgressReport | None,
        form: ReportForm | None,
        *,
        saved: bool = False,
        conflict=None,
        warnings: Iterable[str] = (),
        error: str = "",
    ) -> SafeString:
        """One project's row: its inputs while the report may change (`form`'s, or with no form
        the report's values, as an unbound ReportForm of it writes them), else the report's
        values; after a save its message, warnings, refusal or conflict with the saved
        version."""
        t, pk = self.text, project.pk
        locked = report is not None and not report.is_editable
        state = "saved" if saved else "conflict" if conflict else "clean"
        attributes = (
            f' data-current-version="{escape(conflict.current.version)}"' if conflict else ""
        )
        if locked:
            attributes += " data-locked"
        if report is not None:
            badge = (
                f'<a href="{self._url(self.report_url, report.pk)}"><span class="badge '
                f'bg-{escape(report.status_colour)}-lt">{escape(report.get_status_display())}'
                "</span></a>"
            )
        else:
            badge = f'<span class="badge bg-red-lt">{t["not_reported"]}</span>'
        said = f'<span class="text-success">{t["saved"]}</span>' if saved else ""
        clash = ""
        if conflict:
            current = conflict.current
            invested = f"{_shown(current.invested)} / " if self.invests else ""
            clash = (
                f'<div class="text-danger small">{escape(conflict)}\n'
                f"      {t['saved_version']}: {invested}{_shown(current.physical_percent)}% / "
                f"{escape(current.physical_progress)}.\n"
                f"      {t['reload']}</div>"
            )
        refusals = "".join(
            _ERROR.format(escape(e)) for e in (form.non_field_errors() if form else ())
        )
        head = (
            f'<tr id="row-{pk}" class="fill-card" data-project="{pk}" '
            f'data-draft-state="{state}"{attributes}>\n'
            '  <td class="project-name" style="min-width:12rem">\n'
            f'    <a href="{self._url(self.project_url, pk)}">{escape(project.name)}</a>\n'
            f"    <div>{badge}</div>\n"
            f'    <div class="small" id="draft-message-{pk}" data-draft-message '
            f'aria-live="polite">{said}</div>\n'
            '    <div class="draft-actions" hidden data-draft-actions>\n'
            '      <button type="button" class="btn btn-sm btn-outline-primary" '
            f'id="draft-overwrite-{pk}" data-draft-overwrite hidden>{t["overwrite"]}</button>\n'
            '      <button type="button" class="btn btn-sm btn-outline-danger" '
            f'id="draft-discard-{pk}" data-draft-discard>{t["discard"]}</button>\n'
            "    </div>\n"
            "    "
            + "".join(f'<div class="text-warning small">{escape(w)}</div>' for w in warnings)
            + "\n    "
            + (f'<div class="text-danger small">{escape(error)}</div>' if error else "")
            + f"\n    {clash}\n    {refusals}\n  </td>\n  \n  "
        )
        if locked:
            assert report is not None
            body = self._values(report)
        else:
            body = self._inputs(project, report, form)
        return mark_safe(f"{head}{body}\n  \n</tr>\n")  # noqa: S308 (every value escaped above)

    def _label(self, key: str) -> str:
        return f'<span class="form-label d-sm-none">{self.text[key]}</span>'

    def _values(self, report: ProgressReport) -> str:
        """A locked report's values, where its inputs would be."""
        label = self._label
        invested = (
            f'<td class="num">{label("invested")}{_shown(report.invested)}</td>'
            if self.invests
            else ""
        )
        return (
            f"{invested}<td>{label('percent')}{_shown(report.physical_percent)}</td>"
            f"<td>{label('workers')}{_shown(report.workers)}</td>\n"
            f"  <td>{label('progress')}{_cut(report.physical_progress, 60)}</td>"
            f"<td>{label('next_steps')}{_cut(report.next_steps, 40)}</td>"
            f"<td>{label('problems')}{_cut(report.problems, 40)}</td>\n"
            f'  <td class="text-secondary small">{self.text["locked"]}</td>'
        )

    def _unbound(self, pk: int, report: ProgressReport | None) -> str:
        """What `form.cells()` and `form["version"]` write for an unbound ReportForm of the
        report (a new one: its defaults) with the prefix p<pk>, without building that form: a
        page builds one form, whose inputs give every row's with its own prefix and values."""
        if self._stencil is None:
            form = ReportForm(
                period=self.period,
                prefix=f"p{_ID}",
                initial={name: _MARK.format(name) for name in ReportForm.base_fields},
            )
            self._fields = form.fields
            self._stencil = _split(_cells(form))
        instance = report if report is not None else ProgressReport()
        typed = {}
        for name, field in self._fields.items():
            raw = instance.version if name == "version" else getattr(instance, name)
            typed[name] = field.widget.format_value(field.prepare_value(raw))
        if report is None:
            typed["version"] = "0"
        parts = []
        for kind, text in self._stencil:
            if kind == "text":
                parts.append(text)
            elif kind == "prefix":
                parts.append(f"p{pk}")
            else:
                value = typed[text]
                if kind == "value":
                    parts.append("" if value is None else f' value="{escape(str(value))}"')
                else:  # a text area's text
                    parts.append(escape(value) if value else "")
        return "".join(parts)

    def _inputs(self, project, report: ProgressReport | None, form: ReportForm | None) -> str:
        """The row's inputs, its save (htmx) and, once saved, its submit."""
        pk, t = project.pk, self.text
        submit = ""
        if report is not None:
            submit = (
                f'<form method="post" action="{self._url(self.submit_url, report.pk)}" '
                f'class="mt-1">{self.token_input}<input type="hidden" name="next" '
                f'value="{self.fill_url}"><button class="btn btn-sm btn-success">'
                f"{t['submit']}</button></form>"
            )
        inputs = self._unbound(pk, report) if form is None else _cells(form)
        return (
            f"{inputs}\n"
            f'    <button class="btn btn-sm btn-primary" id="save-{pk}" data-fill-save '
            f'hx-post="{self._url(self.save_url, pk)}" hx-include="#row-{pk}" '
            f'hx-target="#row-{pk}" hx-swap="outerHTML" '
            f'hx-headers=\'{{"X-CSRFToken": "{self.token}"}}\'>{t["save"]}</button>\n'
            f"    {submit}\n"
            "  </td>"
        )


def _cells(form: ReportForm) -> str:
    """The form's cells, and the start of the actions' cell with its hidden version."""
    return f'{form.cells()}\n  <td class="fill-actions">{form["version"]}'


def _split(stencil: str) -> list[tuple[str, str]]:
    """The inputs written with the marks, cut into ("text", text), ("prefix", ""), ("value",
    field) and ("content", field)."""
    parts: list[tuple[str, str]] = []
    at = 0
    for found in _SLOTS.finditer(stencil):
        parts.append(("text", stencil[at : found.start()]))
        if found.group(1):
            parts.append(("value", found.group(1)))
        elif found.group(2):
            parts.append(("content", found.group(2)))
        else:
            parts.append(("prefix", ""))
        at = found.end()
    parts.append(("text", stencil[at:]))
    return parts
