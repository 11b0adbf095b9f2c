"""The reports' routes."""

from __future__ import annotations
