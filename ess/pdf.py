"""What every PDF ESS writes shares: embedded Unicode fonts and the house colours.

reportlab's built-in fonts cover Latin-1 only; DejaVu Sans (Debian's fonts-dejavu-core, see
BUILD_PKGS in the Makefile) is embedded as a subset so names like Ødegård, Nicolò, Łukasz
and Şahin print and stay extractable. Register once, then use the family "ESS".
"""

from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    "ESS": "DejaVuSans.ttf",
    "ESS-Bold": "DejaVuSans-Bold.ttf",
    "ESS-Italic": "DejaVuSans-Oblique.ttf",
    "ESS-BoldItalic": "DejaVuSans-BoldOblique.ttf",
    "ESS-Mono": "DejaVuSansMono.ttf",
}
BRAND = colors.HexColor("#1d4e89")
MUTED = colors.HexColor("#555555")


@cache
def register_fonts() -> None:
    missing = [name for name in FONT_FILES.values() if not (FONT_DIR / name).is_file()]
    if missing:
        raise ImproperlyConfigured(
            f"ESS's PDFs need the DejaVu fonts in {FONT_DIR} (missing: "
            f"{', '.join(missing)}). Install them with: apt-get install fonts-dejavu-core"
        )
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    pdfmetrics.registerFontFamily(
        "ESS", normal="ESS", bold="ESS-Bold", italic="ESS-Italic", boldItalic="ESS-BoldItalic"
    )
