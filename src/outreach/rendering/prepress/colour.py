"""RGB → CMYK for a print master: the theme's exact table first, neutral greys on black ink only,
everything else through the output ICC profile (littleCMS via Pillow's ImageCms, relative
colorimetric with black point compensation)."""

from __future__ import annotations

import io
from bisect import bisect_left

from PIL import Image, ImageCms

from outreach.rendering.prepress.profile import OutputProfile

CMYK = tuple[float, float, float, float]   # percentages 0–100, as shops and the config write them

# Neutral greys this dark (#333333 and darker: body text #1a1a1a) print as solid black ink. A
# four-colour black smears small type as soon as the plates are off by a hair, and costs ink.
NEAR_BLACK = 0x33

# The starter theme's colours ([theme] defaults) in CMYK, chosen for coated offset: the red and the
# yellow as a shop would mix them, everything grey on black ink alone (text stays sharp), the dark
# footer as a blue-black carried mostly by K (white text knocked out of it shows no colour fringes
# when the plates shift). outreach.toml's [print.cmyk] overrides any of them by name.
THEME_CMYK: dict[str, tuple[str, CMYK]] = {
    "primary": ("#c8102e", (0, 100, 80, 5)),
    "accent": ("#ffd400", (0, 15, 100, 0)),
    "ink": ("#1a1a1a", (0, 0, 0, 100)),
    "paper": ("#ffffff", (0, 0, 0, 0)),
    "inverse": ("#ffffff", (0, 0, 0, 0)),
    "inverse_muted": ("#d1d5db", (0, 0, 0, 20)),
    "dark": ("#111827", (60, 40, 0, 90)),
    "muted": ("#374151", (0, 0, 0, 80)),
    "faint": ("#6b7280", (0, 0, 0, 60)),
    "rule": ("#9ca3af", (0, 0, 0, 40)),
    "surface": ("#f3f4f6", (0, 0, 0, 5)),
    "good": ("#0b6b3a", (90, 25, 100, 20)),
    "good_surface": ("#e3f5ea", (10, 0, 10, 0)),
    "bad": ("#b00020", (0, 100, 90, 25)),
    "bad_surface": ("#fdeaea", (0, 10, 5, 0)),
    "highlight": ("#fef3c7", (0, 4, 25, 0)),
    "highlight_edge": ("#d97706", (0, 60, 100, 10)),
    "focus": ("#1d4ed8", (85, 70, 0, 0)),
    "focus_surface": ("#e8efff", (8, 4, 0, 0)),
}


def theme_cmyk_table(theme_colours: dict[str, str], overrides: dict[str, CMYK]) -> dict[str, CMYK]:
    """"#rrggbb" → CMYK for a project: its theme colours by name (`theme_colours`: "primary" →
    "#c8102e"), each from `overrides` (by name or by "#rrggbb"), else from THEME_CMYK when the
    project kept the default colour. A changed colour without an override goes through the profile."""
    table: dict[str, CMYK] = {}
    for name, hex_colour in theme_colours.items():
        hex_colour = hex_colour.lower()
        if name in overrides:
            table[hex_colour] = overrides[name]
        elif name in THEME_CMYK and THEME_CMYK[name][0] == hex_colour:
            table.setdefault(hex_colour, THEME_CMYK[name][1])
    table.update({key.lower(): value for key, value in overrides.items() if key.startswith("#")})
    return table


def default_cmyk_table() -> dict[str, CMYK]:
    return {hex_colour: cmyk for hex_colour, cmyk in THEME_CMYK.values()}


class ColourMap:
    """Converts colours and images for one output profile and one table; caches each colour."""

    def __init__(self, profile: OutputProfile, table: dict[str, CMYK]) -> None:
        self.profile = profile
        self.table = {key.lower(): tuple(v / 100 for v in value) for key, value in table.items()}
        self._output = ImageCms.ImageCmsProfile(io.BytesIO(profile.data))
        self._srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        self._transform = self._build(self._srgb)
        self._cache: dict[tuple[int, int, int], tuple[float, float, float, float]] = {}
        self._k_ramp: list[float] | None = None

    def _build(self, source) -> ImageCms.ImageCmsTransform:
        return ImageCms.buildTransform(source, self._output, "RGB", "CMYK",
                                       renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                       flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)

    def rgb(self, r: float, g: float, b: float) -> tuple[float, float, float, float]:
        """An sRGB colour (components 0–1) as DeviceCMYK components (0–1)."""
        key = tuple(min(255, max(0, round(v * 255))) for v in (r, g, b))
        found = self._cache.get(key)   # type: ignore[arg-type]
        if found is None:
            found = self._cache[key] = self._convert(*key)   # type: ignore[index]
        return found

    def gray_level(self, level: float) -> tuple[float, float, float, float]:
        """A DeviceGray level (0 black – 1 white) the way `rgb` would convert the same grey."""
        return self.rgb(level, level, level)

    def _convert(self, r: int, g: int, b: int) -> tuple[float, float, float, float]:
        exact = self.table.get(f"#{r:02x}{g:02x}{b:02x}")
        if exact is not None:
            return exact   # type: ignore[return-value]
        if r == g == b:
            if r <= NEAR_BLACK:
                return (0.0, 0.0, 0.0, 1.0)
            if r == 255:
                return (0.0, 0.0, 0.0, 0.0)
            return (0.0, 0.0, 0.0, self._black_for(r))
        pixel = _apply(self._transform, Image.new("RGB", (1, 1), (r, g, b)), "CMYK")
        return tuple(round(v / 255, 4) for v in pixel.getpixel((0, 0)))   # type: ignore[return-value, union-attr]

    def _black_for(self, level: int) -> float:
        """The black-ink tint that prints as light as this sRGB grey on the output profile."""
        if self._k_ramp is None:
            tints = Image.frombytes("CMYK", (256, 1), b"".join(bytes((0, 0, 0, k)) for k in range(256)))
            lab = ImageCms.applyTransform(tints, ImageCms.buildTransform(
                self._output, ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")), "CMYK", "LAB",
                renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, flags=ImageCms.Flags.BLACKPOINTCOMPENSATION))
            assert lab is not None
            # L* falls as K rises; stored rising for bisect.
            self._k_ramp = [100 - lab.getpixel((k, 0))[0] * 100 / 255 for k in range(256)]   # type: ignore[index]
        lightness = _srgb_lightness(level)
        darkness = 100 - lightness
        index = min(255, bisect_left(self._k_ramp, darkness))
        return round(index / 255, 4)

    def image(self, image: Image.Image, source_icc: bytes | None = None) -> Image.Image:
        """An RGB image as CMYK (alpha is carried by the PDF's soft mask, not here)."""
        transform = self._transform
        if source_icc:
            try:
                transform = self._build(ImageCms.ImageCmsProfile(io.BytesIO(source_icc)))
            except (OSError, ValueError, TypeError, ImageCms.PyCMSError):
                transform = self._transform
        return _apply(transform, image.convert("RGB"), "CMYK")


def _apply(transform: ImageCms.ImageCmsTransform, image: Image.Image, mode: str) -> Image.Image:
    """The transform's pixels without Pillow's attaching the output profile to the result: some
    valid press profiles (ICC v4, e.g. Ghostscript's ps_cmyk.icc) cannot be serialised back by
    littleCMS, and the PDF embeds the profile file itself anyway."""
    out = Image.new(mode, image.size)
    transform.transform.apply(image.getim(), out.getim())
    return out


def _srgb_lightness(level: int) -> float:
    """CIE L* of an sRGB grey 0–255."""
    value = level / 255
    linear = value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    return 116 * linear ** (1 / 3) - 16 if linear > 216 / 24389 else linear * 24389 / 27
