"""Content rules that need no layout: spacing, review dates, personal data, region facts, script forms."""
