"""Page units: CSS pixels (WeasyPrint's layout) and PDF points, per millimetre."""

PX_PER_MM = 96 / 25.4
PT_PER_MM = 72 / 25.4
