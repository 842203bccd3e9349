"""Turning content into bytes: theme and templates, filters, locale, PDF and glyph checks, SMS parts, imposition."""
