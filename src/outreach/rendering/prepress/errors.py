"""The one error of the prepress step."""

from outreach.core.errors import OutreachError


class PrepressError(OutreachError):
    """A PDF that cannot be made into a print master (wrong page size, unusable profile)."""
