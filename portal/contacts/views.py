"""Assisted contacts: log a phone, face-to-face, email or post contact in seconds, or hand it off as a
case through the same e-form pages residents use (the channel is kept)."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_babel import _
from flask_login import current_user
from wtforms import SelectChoice

from crm_bridge import assisted
from crm_bridge.handoff import CustomerDetails
from crm_bridge.staff.roles import Permission
from portal.auth.access import audit_read, audit_reads, permission_required
from portal.eforms.steps import plan

from . import contacts, services
from .forms import (
    AVOIDABLE_LABELS,
    CHANNEL_LABELS,
    HAND_OFF,
    INTERACTION_TYPE_LABELS,
    NOT_AVOIDABLE,
    SAVE,
    SERVICE_GROUP_LABELS,
    LogContactForm,
)

SAVED = "logged_contact"  # the session key of the contact just saved, for the banner on the fresh form
LABELS = {
    "channel_labels": CHANNEL_LABELS,
    "service_group_labels": SERVICE_GROUP_LABELS,
    "interaction_type_labels": INTERACTION_TYPE_LABELS,
    "avoidable_labels": AVOIDABLE_LABELS,
}


@contacts.route("/new", methods=["GET", "POST"])
@permission_required(Permission.LOG_CONTACTS)
def log_contact():
    form = LogContactForm(action=SAVE)
    if request.method == "GET":
        saved = assisted.logged_contact(session.pop(SAVED, None), current_user)
        return _render(form, saved=saved)
    if request.form.get("action") == "find":
        _find_only(form)
        return _render(form, searched=True)
    if not form.validate():
        return _render(form, status=422)
    contact = assisted.log_assisted_contact(_contact_details(form), current_user)
    session[SAVED] = contact.id
    return redirect(url_for("contacts.log_contact"))


@contacts.post("/hand-off")
@permission_required(Permission.LOG_CONTACTS)
def start_assisted_form():
    form = LogContactForm(action=HAND_OFF)
    if not form.validate():
        return _render(form, status=422)
    draft = services.start_assisted_form(
        services.AssistedHandOff(
            request_type=form.request_type.data,
            channel=form.channel.data,
            lang=form.lang.data,
            avoidable_reason=_avoidable_reason(form),
            summary=form.summary.data or "",
            customer_id=form.chosen_customer.id if form.chosen_customer else None,
            customer=form.given_customer(),
        ),
        current_user,
    )
    session["drafts"] = {**session.get("drafts", {}), draft.request_type: draft.key}
    first = plan(services.request_type_for(draft.request_type), {})[0].slug
    return redirect(url_for("eforms.edit_step", code=draft.request_type, step=first))


@contacts.get("")
@permission_required(Permission.LOG_CONTACTS)
def list_contacts():
    return render_template(
        "contacts/list.html",
        day=assisted.contacts_logged_today(current_user),
        uk_time=assisted.uk_time,
        page_title=_("Your contacts today"),
        **LABELS,
    )


def _find_only(form) -> None:
    """'Find customer' saves nothing: the form is read (for the customer chosen so far), not judged."""
    form.validate()
    for field in form:
        field.errors = []
    form._errors = None


def _render(form, status: int = 200, saved=None, searched: bool = False):
    found = assisted.search_customers(form.customer_query.data) if form.customer_query.data else []
    if form.chosen_customer is not None and form.chosen_customer not in found:
        found.insert(0, form.chosen_customer)
    audit_reads("customer", [customer.id for customer in found], via="log_contact")
    form.customer_id.choices = [SelectChoice("", _("None of these"))] + [
        SelectChoice(str(customer.id), _customer_label(customer)) for customer in found
    ]
    restricted = [
        customer
        for customer in dict.fromkeys([saved.customer if saved else None, form.chosen_customer])
        if customer is not None and customer.restricted
    ]
    for customer in restricted:
        if customer not in found:
            audit_read("customer", customer.id, via="restriction_banner")
    return render_template(
        "contacts/log.html",
        form=form,
        saved=saved,
        found=found,
        searched=searched,
        restricted=restricted,
        page_title=_("Log a contact"),
        **LABELS,
    ), status


def _customer_label(customer) -> str:
    parts = [customer.name or _("(no name)"), customer.email, customer.phone, customer.postcode]
    label = ", ".join(part for part in parts if part)
    return _("%(label)s (contact restricted)", label=label) if customer.restricted else label


def _avoidable_reason(form) -> str | None:
    return None if form.avoidable.data == NOT_AVOIDABLE else form.avoidable.data


def _contact_details(form) -> assisted.AssistedContact:
    given = form.given_customer()
    return assisted.AssistedContact(
        channel=form.channel.data,
        service_group=form.service_group.data,
        interaction_type=form.interaction_type.data,
        resolved=form.resolved.data == "yes",
        avoidable_reason=_avoidable_reason(form),
        summary=form.summary.data or "",
        lang=form.lang.data,
        customer_id=form.chosen_customer.id if form.chosen_customer else None,
        customer=CustomerDetails(
            name=given["name"], email=given["email"], phone=given["phone"], postcode=given["postcode"]
        )
        if not form.chosen_customer
        else None,
    )
