"""Print masters for a print shop.

    print_master(pdf: bytes, spec: PrintSpec) -> bytes

    spec = PrintSpec.for_project(config, root, trim_mm=(210, 297), cuts=[[Box(x, y, w, h), …], …],
                                 slug=Slug(file="print/posters/….pdf", date=day, review_by=date),
                                 role="poster-pdf-print", title="…")

`for_project` fills in the project's [print] settings (output_profile resolved against the
project root, the CMYK table of the theme colours and [print.cmyk], the theme font for the slug,
no slug when [print] slug = false). `cuts`: per page, the boxes cut out of it in mm from the
trimmed page's top-left corner (anything with x, y, w, h, e.g. outreach.rendering.sheets.Box); a
shorter list repeats its last entry; none: the whole trim. The input is a PDF laid out with its
bleed (each page = trimmed size + `bleed_mm` on every side, as WeasyPrint writes it with
`@page { bleed: 3mm }`; a TrimBox on the input marks the trim, else the trim is taken as
centred, or as the whole page when the page has no bleed). The result is a PDF/X-4 print master:

- every colour in DeviceCMYK through the output ICC profile (default: Ghostscript's SWOP-like
  coated profile that `make build` installs), theme colours from the exact table (`colour.THEME_CMYK`,
  overridable per colour), neutral dark greys (#333 and darker: body text) on black ink alone,
  other neutral greys as a black tint; images converted (soft masks kept), shadings, transparency
  groups, soft masks, patterns and forms at any depth; grey, CMYK, Lab and spot colours kept;
- MediaBox = trim + bleed + room for the marks (+ a 5 mm slug band), TrimBox and BleedBox, the
  same on every page; the artwork clipped to the BleedBox. The page keeps its coordinates (the
  trim stays where the input had it), so the MediaBox may have a negative origin: its size is
  [2]-[0] by [3]-[1];
- crop marks over everything in the registration colour (/Separation /All), 0.25 pt, 5 mm long,
  starting at the bleed, 3 mm outside each cut (a card sheet's inner cuts are marked at the
  sheet's edges, never over a card); the slug line below them; `folds` (per page, Fold lines):
  dashed fold marks in the same place at each end of every fold, recorded in /PieceInfo too;
- PDF 1.6, OutputIntent /GTS_PDFX with the profile embedded, XMP with pdfxid:GTS_PDFXVersion
  "PDF/X-4", /Trapped /False in Info and XMP, links and form fields removed.

A page whose trimmed size is not `spec.trim_mm` (±0.5 mm) raises PrepressError: every page of a
print master has one size. The same input gives the same bytes.
"""

from outreach.rendering.prepress.colour import THEME_CMYK, default_cmyk_table, theme_cmyk_table
from outreach.rendering.prepress.errors import PrepressError
from outreach.rendering.prepress.master import print_master
from outreach.rendering.prepress.profile import DEFAULT_PROFILE, OutputProfile, icc_problem, load_profile
from outreach.rendering.prepress.spec import BLEED_MM, Box, Fold, PrintSpec, Slug

__all__ = ["BLEED_MM", "DEFAULT_PROFILE", "THEME_CMYK", "Box", "Fold", "OutputProfile", "PrepressError", "PrintSpec", "Slug",
           "default_cmyk_table", "icc_problem", "load_profile", "print_master", "theme_cmyk_table"]
