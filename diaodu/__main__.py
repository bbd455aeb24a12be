"""The `diaodu` console command: runs any management command (`diaodu migrate`, `diaodu demo`)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diaodu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["diaodu", *sys.argv[1:]])


if __name__ == "__main__":
    main()
