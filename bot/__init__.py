"""Bandmate's bot: chat adapters, understanding of requests, conversation state."""
