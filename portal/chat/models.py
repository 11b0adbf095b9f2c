from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import db, utcnow


class ChatSession(db.Model):
    """One visit's conversation with the assistant, kept server-side so a hand-off can attach it."""

    __tablename__ = "chat_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    channel: Mapped[str] = mapped_column(sa.String(20))
    kiosk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kiosk_device.id", ondelete="SET NULL"))
    lang: Mapped[str] = mapped_column(sa.String(8))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    messages: Mapped[list[ChatMessage]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="ChatMessage.id"
    )


class ChatMessage(db.Model):
    __tablename__ = "chat_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("chat_session.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    role: Mapped[str] = mapped_column(sa.String(20))  # resident or assistant
    # question, answer, more_answers, no_answer, resolved
    kind: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    results: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    awaiting_reply: Mapped[bool] = mapped_column(default=False)

    session: Mapped[ChatSession] = relationship(back_populates="messages")
