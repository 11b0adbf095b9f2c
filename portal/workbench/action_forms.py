"""The forms the case page shows for working the case (filled in by the case-actions work)."""

from __future__ import annotations


def forms_for(case, user) -> dict:
    """Template context for workbench/_actions.html: the action forms this user may use on this case."""
    return {}
