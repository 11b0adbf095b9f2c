"""Ending a visit at the kiosk: what one visitor left on the server goes before the next one arrives.

No Flask request machinery here: the view hands over what the visitor's session pointed at (the chat's
token, the drafts' keys) and the folder photos are kept in, then clears the session itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from crm_bridge.photos import photo_path
from portal.chat.models import ChatSession
from portal.db import db
from portal.eforms.models import FormDraft

# Session keys that are machinery (the kiosk's visit id, CSRF, Flask-Login's), not something a visitor did.
MACHINERY_KEYS = frozenset({"csrf_token", "kiosk_visit", "_fresh", "_id", "_permanent"})


@dataclass(frozen=True)
class Wiped:
    chats: int = 0
    drafts: int = 0
    photos: int = 0


def visit_in_progress(session_keys: Iterable[str]) -> bool:
    """Has the visitor done anything yet (chosen a language, searched, asked, started a form...)?"""
    return any(key not in MACHINERY_KEYS for key in session_keys)


def draft_keys_of(drafts: dict | None) -> list[str]:
    """The draft keys a session's "drafts" entry ({form code: draft key}) holds."""
    return [key for key in (drafts or {}).values() if isinstance(key, str) and key]


def wipe_visit(chat_token: str | None, draft_keys: Iterable[str], upload_folder: Path) -> Wiped:
    """Delete the visit's conversation (its messages go with it) and the drafts it had not sent, with their
    photos on disk. A draft that became a case is left alone: its photos are now the case's attachments."""
    chats = 0
    if chat_token:
        chat = db.session.scalar(sa.select(ChatSession).where(ChatSession.token == chat_token))
        if chat is not None:
            db.session.delete(chat)
            chats = 1
    keys = [key for key in draft_keys if key]
    drafts = (
        list(
            db.session.scalars(
                sa.select(FormDraft).where(FormDraft.key.in_(keys), FormDraft.case_reference.is_(None))
            )
        )
        if keys
        else []
    )
    stored_names = [photo["stored_name"] for draft in drafts for photo in draft.photos or []]
    for draft in drafts:
        db.session.delete(draft)
    db.session.commit()
    # Files after the commit: a failed commit must not leave drafts pointing at photos that are gone.
    photos = 0
    for name in stored_names:
        path = photo_path(upload_folder, name)
        if path is not None:
            path.unlink(missing_ok=True)
            photos += 1
    return Wiped(chats=chats, drafts=len(drafts), photos=photos)
