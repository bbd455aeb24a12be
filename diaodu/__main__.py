"""The `diaodu` console command: runs any management command (`diaodu migrate`, `diaodu serve`).

A setting that cannot be read (a missing secret key in production, a misspelt boolean) stops
the command with one line naming the variable, not a traceback.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diaodu.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 (read the settings now, to report them cleanly)
    except ImproperlyConfigured as error:
        sys.stderr.write(f"diaodu: {error}\n")
        sys.exit(2)
    execute_from_command_line(["diaodu", *sys.argv[1:]])


if __name__ == "__main__":
    main()
