"""Where and when a site photo was taken, and the copy that says so on its face.

- `read_exif`: the time (DateTimeOriginal) and place (GPS latitude and longitude with their
  references) a camera wrote into the file, when they are there and make sense; anything
  unreadable or out of range is taken as absent, never as an error.
- `Sent`: what the browser sent beside the file (its location, with the user's leave, and the
  time the photo was taken), checked by `check_sent` with the reason in the user's language.
- `distance_km`: the great-circle distance between two places (haversine).
- `watermark`: a JPEG copy with a band burned in at its foot: the project, the date and time,
  the place and the uploader's unit, in Chinese, with a CJK font found on the machine
  (`cjk_font`), Pillow's own font with a warning in the log when there is none.
"""

import glob
import io
import logging
import math
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageDraw, ImageFont, ImageOps

logger = logging.getLogger(__name__)

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATE_TIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4

# The earliest and latest time a photo may say it was taken (as every date typed).
EARLIEST = datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))
# A browser's clock may run a little fast: a time this far in the future is still accepted.
CLOCK_SKEW_SECONDS = 600

# The watermarked copy: no longer than this on its long side, and never decoded from more
# pixels than this (a JPEG is decoded at a reduced scale first; a larger PNG gets no copy).
COPY_LONG_SIDE = 1600
COPY_MAX_PIXELS = 60_000_000


# What is said of a value sent that cannot be read at all, by field (forms and the API).
NOT_A_NUMBER = {
    "latitude": gettext_lazy("The latitude must be a number."),
    "longitude": gettext_lazy("The longitude must be a number."),
    "accuracy": gettext_lazy("The accuracy must be a number of metres."),
    "taken_at": gettext_lazy("The time the photo was taken could not be read."),
}


@dataclass(frozen=True)
class Found:
    """What a photo says of itself: each part None when absent or unreadable."""

    taken_at: datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass(frozen=True)
class Sent:
    """What the browser sent beside the photo (each part optional)."""

    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None  # metres
    taken_at: datetime | None = None


def check_sent(sent: Sent) -> dict[str, str]:
    """The problems of what the browser sent, by field, in the user's language."""
    errors = {}
    if sent.latitude is not None and not -90 <= sent.latitude <= 90:
        errors["latitude"] = _("The latitude must be between -90 and 90 degrees.")
    if sent.longitude is not None and not -180 <= sent.longitude <= 180:
        errors["longitude"] = _("The longitude must be between -180 and 180 degrees.")
    if (sent.latitude is None) != (sent.longitude is None):
        errors.setdefault("longitude", _("Give both latitude and longitude, or neither."))
    if sent.accuracy is not None and not 0 <= sent.accuracy <= 100_000:
        errors["accuracy"] = _("The accuracy must be between 0 and 100,000 metres.")
    if sent.taken_at is not None and sent.taken_at < EARLIEST:
        errors["taken_at"] = _(
            "The time the photo was taken must be after 2000, here %(time)s."
        ) % {"time": timezone.localtime(sent.taken_at).strftime("%Y-%m-%d %H:%M")}
    return errors


def believable_time(sent: Sent) -> datetime | None:
    """The time the browser sent, unless it is to come: a phone whose clock is wrong says
    nothing of when the photo was taken (the photo is not refused for it)."""
    if sent.taken_at is None:
        return None
    if sent.taken_at > timezone.now() + timedelta(seconds=CLOCK_SKEW_SECONDS):
        return None
    return sent.taken_at


def coordinate(value: float | None) -> Decimal | None:
    """A degree as stored (six decimals, about 0.1 m)."""
    return None if value is None else Decimal(str(round(value, 6)))


def _number(value: Any) -> float:
    """An EXIF rational (or number) as a finite float; ValueError otherwise."""
    if isinstance(value, tuple) and len(value) == 2:  # an old-style (numerator, denominator)
        value = value[0] / value[1]
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _degrees(parts: Any, reference: Any, negative: str, limit: float) -> Decimal | None:
    """Degrees, minutes, seconds and their reference (N/S, E/W) as signed degrees."""
    try:
        degrees, minutes, seconds = (_number(part) for part in parts)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not (0 <= minutes < 60 and 0 <= seconds < 60):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if isinstance(reference, bytes):
        reference = reference.decode("ascii", "replace")
    if str(reference or "").strip().upper().startswith(negative):
        value = -value
    if not -limit <= value <= limit:
        return None
    return coordinate(value)


def _taken_at(exif_ifd: Any) -> datetime | None:
    text = exif_ifd.get(DATE_TIME_ORIGINAL)
    if not isinstance(text, str):
        return None
    try:
        naive = datetime.strptime(text.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = exif_ifd.get(OFFSET_TIME_ORIGINAL)
    zone = timezone.get_default_timezone()
    if isinstance(offset, str):
        try:
            zone = datetime.strptime(offset.strip("\x00 "), "%z").tzinfo or zone
        except ValueError:
            pass
    taken_at = naive.replace(tzinfo=zone)
    if not EARLIEST <= taken_at <= timezone.now() + timedelta(days=1):
        return None
    return taken_at


def read_exif(image: Any) -> Found:
    """The time and place the camera wrote into `image` (a file), each None when absent or
    not to be believed (a date before 2000 or in the future, a degree out of range, values
    that are not numbers). Never raises: a photo whose EXIF cannot be read is a photo without
    EXIF."""
    try:
        image.seek(0)
        with warnings.catch_warnings(), Image.open(image) as opened:
            warnings.simplefilter("ignore")  # Pillow's word on each corrupt tag: none is kept
            exif = opened.getexif()
            exif_ifd = exif.get_ifd(EXIF_IFD)
            gps = exif.get_ifd(GPS_IFD)
            taken_at = _taken_at(exif_ifd)
            latitude = _degrees(gps.get(GPS_LATITUDE), gps.get(GPS_LATITUDE_REF), "S", 90)
            longitude = _degrees(gps.get(GPS_LONGITUDE), gps.get(GPS_LONGITUDE_REF), "W", 180)
    except Exception:  # noqa: BLE001  # a camera's or a forger's EXIF: anything may be wrong
        logger.info("photo EXIF unreadable", exc_info=True)
        return Found()
    finally:
        image.seek(0)
    if latitude is None or longitude is None:
        latitude = longitude = None
    return Found(taken_at=taken_at, latitude=latitude, longitude=longitude)


EARTH_RADIUS_KM = 6371.0088


def distance_km(latitude1: Any, longitude1: Any, latitude2: Any, longitude2: Any) -> float:
    """The great-circle distance between two places given in degrees (haversine)."""
    phi1, phi2 = math.radians(float(latitude1)), math.radians(float(latitude2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(longitude2) - float(longitude1))
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# Fonts with Chinese glyphs, most wanted first; a .ttc's face for simplified Chinese by index.
FONT_PATTERNS = (
    ("/usr/share/fonts/**/NotoSansCJK*-Regular.ttc", 2),
    ("/usr/share/fonts/**/NotoSansCJK*.ttc", 2),
    ("/usr/share/fonts/**/NotoSansCJKsc-Regular.otf", 0),
    ("/usr/share/fonts/**/NotoSansSC*.otf", 0),
    ("/usr/share/fonts/**/NotoSerifCJK*.ttc", 2),
    ("/usr/share/fonts/**/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/**/wqy-zenhei.ttc", 0),
)


@cache
def cjk_font() -> tuple[str, int] | None:
    """A font file on this machine with Chinese glyphs, and the face to use in it: asked of
    fontconfig (`fc-match`) first, else looked for where Debian installs fonts-noto-cjk and
    WenQuanYi; None when there is none."""
    if shutil.which("fc-match"):
        try:
            answer = subprocess.run(
                ["fc-match", "--format=%{file}\n%{index}", "sans-serif:lang=zh-cn"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.split("\n")
            path, index = answer[0], int(answer[1] or 0)
            ImageFont.truetype(path, 12, index=index).getbbox("项目")
            if any(fragment in path for fragment in ("CJK", "wqy", "SC", "Hei", "Song")):
                return path, index
        except (OSError, ValueError, IndexError, subprocess.SubprocessError):
            pass
    for pattern, index in FONT_PATTERNS:
        for path in sorted(glob.glob(pattern, recursive=True)):
            try:
                ImageFont.truetype(path, 12, index=index)
            except OSError:
                continue
            return path, index
    return None


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    found = cjk_font()
    if found is None:
        logger.warning(
            "No font with Chinese glyphs on this machine (install fonts-noto-cjk): the "
            "watermark of photos is written with Pillow's default font."
        )
        return ImageFont.load_default(size)
    return ImageFont.truetype(found[0], size, index=found[1])


def watermark(image: Any, lines: list[str]) -> bytes | None:
    """A JPEG copy of `image` (a file), turned upright, no longer than COPY_LONG_SIDE, with
    `lines` written in a dark band across its foot; None when the image is too large to
    decode safely."""
    image.seek(0)
    try:
        with Image.open(image) as opened:
            opened.draft("RGB", (COPY_LONG_SIDE, COPY_LONG_SIDE))  # JPEG: decoded smaller
            if opened.size[0] * opened.size[1] > COPY_MAX_PIXELS:
                logger.warning("photo of %s pixels: no watermarked copy", opened.size)
                return None
            picture = ImageOps.exif_transpose(opened).convert("RGB")
    finally:
        image.seek(0)
    picture.thumbnail((COPY_LONG_SIDE, COPY_LONG_SIDE))
    width, height = picture.size
    size = max(12, round(min(width, height * 1.5) / 45))
    font = _font(size)
    margin = size // 2
    line_height = round(size * 1.35)
    band = line_height * len(lines) + 2 * margin
    stamped = Image.new("RGB", (width, height + band), (24, 24, 24))
    stamped.paste(picture, (0, 0))
    draw = ImageDraw.Draw(stamped)
    for number, line in enumerate(lines):
        draw.text(
            (margin, height + margin + number * line_height),
            _fit(draw, line, font, width - 2 * margin),
            font=font,
            fill=(255, 255, 255),
        )
    output = io.BytesIO()
    stamped.save(output, "JPEG", quality=85, optimize=True)
    return output.getvalue()


def _fit(draw: ImageDraw.ImageDraw, text: str, font: Any, room: int) -> str:
    """`text`, cut with an ellipsis where it would overflow `room` pixels."""
    if draw.textlength(text, font=font) <= room:
        return text
    while text and draw.textlength(text + "…", font=font) > room:
        text = text[:-1]
    return text + "…"


def place_text(latitude: Any, longitude: Any) -> str:
    """34.27°N, 113.65°E: a place to two decimals, as the watermark and the pages write it."""
    lat, lon = float(latitude), float(longitude)
    north, east = "N" if lat >= 0 else "S", "E" if lon >= 0 else "W"
    return f"{abs(lat):.2f}°{north}, {abs(lon):.2f}°{east}"
