"""`diaodu backtest_forecast`: how well the forecast of physical progress did over the history."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from diaodu.monitoring.backtest import WITHIN, backtest
from diaodu.monitoring.forecast import TREND_REPORTS


class Command(BaseCommand):
    help = _(
        "Forecast each project's physical progress from what was known at the end of every "
        "month, and compare it with the progress reported some months later."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--horizon",
            type=int,
            default=3,
            help=_("Months between the forecast and the report it is checked against (default 3)."),
        )

    def handle(self, *args, horizon, **options):
        if not 1 <= horizon <= 24:
            raise CommandError(_("--horizon must be from 1 to 24 months."))
        scores = backtest(horizon)
        if not scores:
            self.stdout.write(_("No approved monthly reports to check a forecast against."))
            return
        self.stdout.write(
            _(
                "Forecast at the end of month m, checked against the progress reported for "
                "month m+%(horizon)d (the forecast uses the trend over %(reports)d reports):"
            )
            % {"horizon": horizon, "reports": TREND_REPORTS}
        )
        header = [
            _("Way"),
            _("Cases"),
            _("Mean error"),
            _("Bias"),
            _("Within %(n)d points") % {"n": WITHIN},
            _("Finishes"),
            _("Finish error (days)"),
        ]
        self.stdout.write("  ".join(f"{h:>14}" for h in header))
        for score in scores:
            values = [
                score.way,
                f"{score.cases:,}",
                f"{score.mean_error}",
                f"{score.bias:+}",
                f"{score.within}%",
                f"{score.finish_cases:,}",
                "—" if score.finish_error is None else f"{score.finish_error}",
            ]
            self.stdout.write("  ".join(f"{v:>14}" for v in values))
