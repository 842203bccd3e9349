"""One module per output kind, registered through the `outreach.outputs` entry-point group."""
