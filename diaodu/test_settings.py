"""Settings for the test suite: development mode (no secret key needed), everything else as in
production. `pytest` uses this module (pyproject.toml)."""

import os

os.environ.setdefault("DIAODU_DEBUG", "true")

from diaodu.settings import *  # noqa: E402, F403
