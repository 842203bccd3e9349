"""The local preview server (`outreach serve`)."""
