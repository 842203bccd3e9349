"""One module per output kind, registered through the `outreach.renderers` entry-point group."""
