"""Roles and the permissions each carries: plain data, checked on every staff route and every case.

Least privilege: a service officer sees only the queues of their own service groups; a manager reads
everything and may reassign (and retry failing deliveries) but changes nothing else; a knowledge-base editor
sees only the knowledge base; an admin manages accounts, reads the audit log and answers data-protection
requests. Managers and admins, who run the service, see the outbox's delivery backlog."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADVISOR = "advisor"
    SERVICE_OFFICER = "service_officer"
    MANAGER = "manager"
    KB_EDITOR = "kb_editor"
    ADMIN = "admin"


class Permission(StrEnum):
    VIEW_CASES = "view_cases"  # within the user's case scope (see `sees_every_queue`)
    WORK_CASES = "work_cases"  # claim, status, public updates, internal notes, complaint stages, merge
    ASSIGN_CASES = "assign_cases"
    VIEW_CUSTOMERS = "view_customers"
    MANAGE_CUSTOMERS = "manage_customers"  # merge records, the persistent-complainant marker
    LOG_CONTACTS = "log_contacts"  # assisted contacts, and handing them off as cases
    EDIT_KNOWLEDGE_BASE = "edit_knowledge_base"
    VIEW_REPORTS = "view_reports"
    VIEW_CONTENT_GAPS = "view_content_gaps"  # the content-gaps report: managers and knowledge-base editors
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    DATA_PROTECTION = "data_protection"  # subject access exports and erasure
    MANAGE_KIOSKS = "manage_kiosks"
    RECEPTION = "reception"  # the reception queue: call the next visitor
    MANAGE_DELIVERIES = "manage_deliveries"  # the outbox's delivery backlog, and retrying failing messages


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADVISOR: frozenset(
        {
            Permission.VIEW_CASES,
            Permission.WORK_CASES,
            Permission.ASSIGN_CASES,
            Permission.VIEW_CUSTOMERS,
            Permission.MANAGE_CUSTOMERS,
            Permission.LOG_CONTACTS,
            Permission.RECEPTION,
        }
    ),
    Role.SERVICE_OFFICER: frozenset({Permission.VIEW_CASES, Permission.WORK_CASES, Permission.ASSIGN_CASES}),
    Role.MANAGER: frozenset(
        {
            Permission.VIEW_CASES,
            Permission.ASSIGN_CASES,
            Permission.VIEW_CUSTOMERS,
            Permission.VIEW_REPORTS,
            Permission.VIEW_CONTENT_GAPS,
            Permission.MANAGE_DELIVERIES,
        }
    ),
    Role.KB_EDITOR: frozenset({Permission.EDIT_KNOWLEDGE_BASE, Permission.VIEW_CONTENT_GAPS}),
    Role.ADMIN: frozenset(
        {
            Permission.MANAGE_USERS,
            Permission.VIEW_AUDIT,
            Permission.DATA_PROTECTION,
            Permission.VIEW_CUSTOMERS,
            Permission.MANAGE_KIOSKS,
            Permission.MANAGE_DELIVERIES,
        }
    ),
}

# Roles whose case permissions reach every queue; the others see only their own service groups.
EVERY_QUEUE = frozenset({Role.ADVISOR, Role.MANAGER})
# Roles that must use a second factor to sign in.
SECOND_FACTOR_REQUIRED = frozenset({Role.ADMIN})


def role_permissions(role: str) -> frozenset[Permission]:
    try:
        return ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return frozenset()


def sees_every_queue(role: str) -> bool:
    return role in EVERY_QUEUE
