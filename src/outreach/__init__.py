"""outreach: anti-fraud outreach material, written once in YAML, rendered to every format."""

__version__ = "0.1.0"
