"""Content gaps: what residents searched for and did not find, and answers marked not helpful."""

from __future__ import annotations
