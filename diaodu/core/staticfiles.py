"""The front-end files the pages use, found in node_modules (npm, pinned in package.json).

Only the files listed here are served and collected, not whole packages: ECharts alone ships
60 MB, of which the pages load one file. A file a stylesheet or script refers to (Leaflet's
images) is listed too, since the hashed storage rewrites those references; source maps are not
published (`PublishedStaticFilesStorage`).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Public prefix under STATIC_URL → (folder in node_modules, the files used under it).
VENDOR = {
    "vendor/tabler": (
        "@tabler/core/dist",
        ["css/tabler.min.css", "js/tabler.min.js"],
    ),
    "vendor/htmx": ("htmx.org/dist", ["htmx.min.js"]),
    "vendor/echarts": ("echarts/dist", ["echarts.min.js"]),
    "vendor/leaflet": (
        "leaflet/dist",
        [
            "leaflet.css",
            "leaflet.js",
            "images/layers.png",
            "images/layers-2x.png",
            "images/marker-icon.png",
            "images/marker-icon-2x.png",
            "images/marker-shadow.png",
        ],
    ),
}


class VendorFinder(BaseFinder):
    """Finds exactly the files of `VENDOR` in node_modules."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storages = {}
        for prefix, (folder, _files) in VENDOR.items():
            storage = FileSystemStorage(location=Path(settings.NODE_MODULES) / folder)
            storage.prefix = prefix
            self.storages[prefix] = storage

    def check(self, **kwargs):
        missing = [
            str(Path(settings.NODE_MODULES) / folder / name)
            for folder, files in VENDOR.values()
            for name in files
            if not (Path(settings.NODE_MODULES) / folder / name).is_file()
        ]
        if missing:
            return [
                Error(
                    f"Front-end files are missing: {', '.join(missing[:5])}",
                    hint="Run `npm ci` (or `make setup`) to install the pinned packages.",
                    id="diaodu.E001",
                )
            ]
        return []

    def find(self, path, find_all=False, **kwargs):
        found = []
        for prefix, (_folder, files) in VENDOR.items():
            name = path.removeprefix(prefix + "/")
            if name != path and name in files:
                full = self.storages[prefix].path(name)
                if Path(full).is_file():
                    if not find_all:
                        return full
                    found.append(full)
        return found if find_all else []

    def list(self, ignore_patterns):
        for prefix, (_folder, files) in VENDOR.items():
            storage = self.storages[prefix]
            for name in files:
                if storage.exists(name):
                    yield name, storage


class PublishedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed and compressed (WhiteNoise), without source maps.

    Source maps are for debugging the libraries, not for the people using Diaodu; left out,
    their references are not rewritten (a browser's developer tools then find no map).
    """

    patterns = tuple(
        (extension, tuple(p for p in rules if "sourceMappingURL" not in str(p)))
        for extension, rules in CompressedManifestStaticFilesStorage.patterns
    )
