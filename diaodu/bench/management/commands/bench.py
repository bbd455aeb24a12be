"""`diaodu bench`: time the key pages and operations of a generated province, with floors."""

import json
import platform
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils.translation import gettext as _

from diaodu.bench import generator
from diaodu.bench.runner import Bench
from diaodu.projects.models import Project


class Command(BaseCommand):
    help = _(
        "Generate a province of N projects (unless the database already holds one of that "
        "size), then time each key page and operation beside its floor."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=50000, help=_("Size of the province."))
        parser.add_argument("--repeat", type=int, default=5, help=_("Timed runs of each page."))
        parser.add_argument(
            "--heavy-repeat", type=int, default=3, help=_("Timed runs of the export and import.")
        )
        parser.add_argument(
            "--import-rows", type=int, default=10000, help=_("Rows of the timed import.")
        )
        parser.add_argument(
            "--regenerate", action="store_true", help=_("Generate anew even if the size matches.")
        )
        parser.add_argument(
            "--output",
            default=str(Path(settings.VAR_DIR) / "bench" / "results.json"),
            help=_("Where to write the results (JSON)."),
        )

    def handle(self, *args, projects, repeat, heavy_repeat, import_rows, regenerate, output, **o):
        call_command("migrate", verbosity=0)
        if regenerate or Project.objects.count() != projects:
            generator.generate(
                projects=projects, wipe_first=True, out=lambda line: self.stdout.write(line)
            )
        vendor = connection.vendor
        self.stdout.write(
            _("Benchmark on %(vendor)s, %(projects)d projects:")
            % {"vendor": vendor, "projects": projects}
        )
        bench = Bench(
            repeat=repeat,
            heavy_repeat=heavy_repeat,
            import_rows=import_rows,
            out=self.stdout.write,
        )
        results = bench.run()
        self.stdout.write("")
        header = f"{'name':<22} {'median':>10} {'floor':>10} {'ratio':>7} {'target':>9}  ok"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for r in results:
            floor = f"{r.floor_s * 1000:8.1f}ms" if r.floor_s else f"{'—':>10}"
            ratio = f"{r.ratio:6.2f}×" if r.ratio else f"{'—':>7}"
            target = f"{r.target_s * 1000:7.0f}ms" if r.target_s else f"{'—':>9}"
            mark = "" if r.target_s is None else ("yes" if r.meets_target else "NO")
            self.stdout.write(
                f"{r.name:<22} {r.median_s * 1000:8.1f}ms {floor} {ratio} {target}  {mark}"
            )
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [dict(r.as_dict(), database=vendor, machine=platform.machine()) for r in results]
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=2))
        self.stdout.write(_("Written to %(path)s.") % {"path": path})
