"""Draw the home-screen icons from the design of diaodu/core/static/diaodu/favicon.svg.

The favicon is a red (#c0392b) square with rounded corners and the character 调 in white. Pillow
draws the same at the sizes the web app manifest and iOS ask for, with the Noto Sans CJK font
(Debian: fonts-noto-cjk), so that no SVG renderer is needed:

- icon-192.png, icon-512.png: the favicon as it is (rounded corners, transparent outside);
- maskable-512.png: the red fills the whole square and the character keeps within the central
  80 % that every launcher's mask leaves visible;
- apple-touch-icon.png (180 px): full square, iOS rounds the corners itself.

Run from the repository's root: `.venv/bin/python scripts/make_icons.py`, then commit the PNGs.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

RED = "#c0392b"
WHITE = "#ffffff"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_INDEX = 2  # Noto Sans CJK SC in the collection
OUT = Path(__file__).resolve().parent.parent / "diaodu" / "core" / "static" / "diaodu" / "icons"


def draw(size: int, *, rounded: bool, glyph_scale: float) -> Image.Image:
    """The favicon at `size` pixels; the glyph's height is `glyph_scale` of the side."""
    scale = 4  # drawn large, then reduced, for smooth edges
    side = size * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    canvas = ImageDraw.Draw(image)
    radius = side * 6 // 32 if rounded else 0
    canvas.rounded_rectangle((0, 0, side - 1, side - 1), radius=radius, fill=RED)
    font = ImageFont.truetype(FONT, int(side * glyph_scale), index=FONT_INDEX)
    canvas.text((side / 2, side / 2), "调", font=font, fill=WHITE, anchor="mm")
    return image.resize((size, size), Image.LANCZOS)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    # The favicon's character is 18/32 of the side.
    draw(192, rounded=True, glyph_scale=18 / 32).save(OUT / "icon-192.png", optimize=True)
    draw(512, rounded=True, glyph_scale=18 / 32).save(OUT / "icon-512.png", optimize=True)
    draw(512, rounded=False, glyph_scale=0.45).save(OUT / "maskable-512.png", optimize=True)
    draw(180, rounded=False, glyph_scale=18 / 32).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
