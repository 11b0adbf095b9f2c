from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import db, utcnow

from .roles import Permission, Role, role_permissions, sees_every_queue


class StaffUser(db.Model):
    """A member of staff who signs in to the workbench. The password is kept only as an Argon2 hash."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(30))
    # The service groups a service officer works; empty for roles that see every queue.
    service_groups: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    active: Mapped[bool] = mapped_column(default=True)
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    # Changed when the password or second factor changes, so every other session of the account ends.
    session_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.CheckConstraint(sa.column("role").in_([r.value for r in Role]), name="role"),)

    # Flask-Login's user protocol, without importing Flask here.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def can(self, permission: Permission) -> bool:
        return self.active and permission in role_permissions(self.role)

    @property
    def sees_every_queue(self) -> bool:
        return sees_every_queue(self.role)

    def case_scope(self) -> list[str] | None:
        """The service groups whose cases this user may see: None means every group."""
        return None if self.sees_every_queue else list(self.service_groups or [])

    def may_see_service_group(self, service_group: str) -> bool:
        scope = self.case_scope()
        return scope is None or service_group in scope
