"""Queues and the case page (read side)."""
