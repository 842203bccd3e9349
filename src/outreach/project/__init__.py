"""A project on disk: outreach.toml, content sources (YAML, Markdown scripts, station sheets), the library they load into, and diagnostics."""
