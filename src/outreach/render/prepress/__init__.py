"""Print masters for a print shop.

    print_master(pdf: bytes, spec: PrintSpec) -> bytes

takes a PDF laid out with its bleed (each page = trimmed size + `spec.bleed_mm` on every side, as
WeasyPrint writes it with `@page { bleed: 3mm }`; a TrimBox on the input marks the trim, else the
trim is taken as centred) and returns a PDF/X-4 print master:

- every colour in DeviceCMYK through the output ICC profile (`spec.output_profile`, default: the one
  `make build` installs), theme colours from the exact table `spec.cmyk` ("#rrggbb" → C, M, Y, K in
  percent; `colour_table(config)` builds it from outreach.toml), neutral dark greys (#333 and
  darker: body text) on black ink alone, other greys as a black tint; images converted, soft masks
  kept; shadings, transparency groups, patterns and forms at any depth;
- MediaBox = trim + bleed + room for the marks (+ slug band), TrimBox and BleedBox, the same on
  every page; the artwork clipped to the BleedBox;
- crop marks over everything, in the registration colour (/Separation /All), 0.25 pt, 5 mm long,
  starting at the bleed (3 mm outside each cut of `spec.cuts_for(page)`; a card sheet's inner cuts
  are marked at the sheet's edges);
- PDF 1.6, OutputIntent /GTS_PDFX with the profile embedded, XMP with pdfxid:GTS_PDFXVersion
  "PDF/X-4", /Trapped /False, links and form fields removed.

A page whose trimmed size is not `spec.trim_mm` raises PrepressError (every page of a print master
has one size). The same input gives the same bytes.
"""

from outreach.render.prepress.colour import THEME_CMYK, default_cmyk_table, theme_cmyk_table
from outreach.render.prepress.master import print_master
from outreach.render.prepress.profile import DEFAULT_PROFILE, OutputProfile, icc_problem, load_profile
from outreach.render.prepress.spec import BLEED_MM, Box, PrepressError, PrintSpec

__all__ = ["BLEED_MM", "DEFAULT_PROFILE", "THEME_CMYK", "Box", "OutputProfile", "PrepressError", "PrintSpec",
           "default_cmyk_table", "icc_problem", "load_profile", "print_master", "theme_cmyk_table"]
