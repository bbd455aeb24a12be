"""`diaodu generate --projects N`: fill the database with a synthetic province, for benchmarks."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from diaodu.bench import generator


class Command(BaseCommand):
    help = _(
        "Fill the database with a synthetic province of N projects and years of reports, "
        "for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--projects", type=int, default=1000, help=_("Number of projects (default 1000).")
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=generator.SEED,
            help=_(
                "Seed of the random choices: the same seed on the same day gives the same data."
            ),
        )
        parser.add_argument(
            "--years",
            type=int,
            default=3,
            help=_("Years of programmes and reports, up to the current one (default 3)."),
        )
        parser.add_argument(
            "--wipe",
            action="store_true",
            help=_("Delete all projects, units, users, reports, problems and tasks first."),
        )

    def handle(self, *args, projects, seed, years, wipe, **options):
        if projects < 1 or not 1 <= years <= 10:
            raise CommandError(_("--projects must be at least 1 and --years from 1 to 10."))
        if not wipe and generator.has_data():
            raise CommandError(
                _(
                    "The database already holds projects or units. "
                    "Run with --wipe to delete them first."
                )
            )
        result = generator.generate(
            projects=projects, seed=seed, years=years, wipe_first=wipe, out=self.stdout.write
        )
        self.stdout.write(
            self.style.SUCCESS(_("Generated in %(seconds).1f s:") % {"seconds": result.seconds})
        )
        width = max(len(label) for label in result.counts)
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<{width}}  {count:>12,}")
        self.stdout.write(
            _("Sign in as %(accounts)s with the password %(password)s.")
            % {"accounts": ", ".join(generator.ACCOUNTS), "password": generator.PASSWORD}
        )
