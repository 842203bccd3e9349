"""Posting rendered texts to group bots and webhooks, each message at most once."""
