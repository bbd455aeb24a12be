"""Settings for the test suite: development mode (no secret key needed), everything else as in
production. `pytest` uses this module (pyproject.toml)."""

import os

os.environ.setdefault("DIAODU_DEBUG", "true")
# The suite sends many API requests as one user; the throttling tests set their own rates.
os.environ.setdefault("DIAODU_API_RATE_USER", "off")
os.environ.setdefault("DIAODU_API_RATE_ANON", "off")

from diaodu.settings import *  # noqa: E402, F403
