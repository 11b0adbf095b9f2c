"""The staff navigation: each item shown only to those whose role may open it."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm_bridge.staff.roles import Permission

STAFF_NAVIGATION = (
    ("workbench.list_cases", _l("Cases"), Permission.VIEW_CASES),
    ("reception.show_queue", _l("Reception"), Permission.RECEPTION),
    ("customers.find_customers", _l("Customers"), Permission.VIEW_CUSTOMERS),
    ("contacts.log_contact", _l("Log a contact"), Permission.LOG_CONTACTS),
    ("kb_editor.list_articles", _l("Knowledge base"), Permission.EDIT_KNOWLEDGE_BASE),
    ("reports.show_dashboard", _l("Reports"), Permission.VIEW_REPORTS),
    ("admin.list_users", _l("Users"), Permission.MANAGE_USERS),
    ("admin.list_kiosks", _l("Kiosks"), Permission.MANAGE_KIOSKS),
    ("admin.show_audit_log", _l("Audit log"), Permission.VIEW_AUDIT),
    ("admin.show_deliveries", _l("Deliveries"), Permission.MANAGE_DELIVERIES),
)


def staff_navigation() -> list[dict]:
    """Items for govukServiceNavigation; endpoints not (yet) registered are left out."""
    if not current_user.is_authenticated:
        return []
    area = (request.endpoint or "").partition(".")[0]
    return [
        {"href": url_for(endpoint), "text": label, "active": endpoint.partition(".")[0] == area}
        for endpoint, label, permission in STAFF_NAVIGATION
        if endpoint in current_app.view_functions and current_user.can(permission)
    ]


def first_page_for_user() -> str | None:
    items = staff_navigation()
    return items[0]["href"] if items else None
