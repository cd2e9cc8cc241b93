"""Jam sessions: a chat builds one piece together."""
