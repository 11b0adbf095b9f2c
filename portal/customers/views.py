"""The single customer view, merging two records, the persistent-complainant marker, subject access
exports and erasure. Thin views: each validates a form, calls one service, renders or redirects."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user

from crm_bridge import customers as services
from crm_bridge import data_protection
from crm_bridge.models import Customer
from crm_bridge.staff.roles import Permission
from portal.auth.access import audit_read, audit_reads, permission_required
from portal.db import db, utcnow
from portal.layout import render_page

from . import customers
from .forms import ConfirmForm, CustomerSearchForm, EraseForm, RestrictionForm

FLASH = "customers"
CASE_ENDPOINT = "workbench.show_case"
EXPORT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def _customer_or_404(customer_id: int) -> Customer:
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        abort(404)
    return customer


def display_name(customer: Customer) -> str:
    return customer.name or _("Customer %(number)s", number=customer.id)


@customers.get("/")
@permission_required(Permission.VIEW_CUSTOMERS)
def find_customers():
    form = CustomerSearchForm(request.args)
    found = None
    if form.q.data and form.validate():
        found = services.find_customers(form.q.data)
        audit_reads("customer", [c.id for c in found], "search")
    return render_page(
        "customers/find.html",
        "results",
        form=form,
        found=found,
        case_counts=services.case_counts(found or []),
        page_title=_("Find a customer"),
    ), 422 if form.errors else 200


@customers.get("/<int:customer_id>")
@permission_required(Permission.VIEW_CUSTOMERS)
def show_customer(customer_id: int):
    customer = _customer_or_404(customer_id)
    if customer.merged_into_id is not None:
        return redirect(url_for("customers.show_customer", customer_id=services.resolve_merged(customer).id))
    audit_read("customer", customer.id)
    can_manage = current_user.can(Permission.MANAGE_CUSTOMERS)
    merge_search = CustomerSearchForm(request.args)
    candidates = None
    if can_manage and merge_search.q.data and merge_search.validate():
        candidates = [c for c in services.find_customers(merge_search.q.data) if c.id != customer.id]
        audit_reads("customer", [c.id for c in candidates], "merge_search")
    return render_template(
        "customers/customer.html",
        customer=customer,
        name=display_name(customer),
        history=services.customer_history(customer),
        merged=services.merged_records(customer),
        merge_search=merge_search,
        candidates=candidates,
        case_counts=services.case_counts(candidates or []),
        can_manage=can_manage,
        can_protect=current_user.can(Permission.DATA_PROTECTION),
        case_endpoint=CASE_ENDPOINT
        if CASE_ENDPOINT in current_app.view_functions and current_user.can(Permission.VIEW_CASES)
        else None,
        lift_form=ConfirmForm(),
        today=utcnow().date(),
        page_title=display_name(customer),
    ), 422 if merge_search.errors else 200


MERGE_PROBLEMS = {
    "same_record": lambda: _("A record cannot be merged into itself"),
    "already_merged": lambda: _("One of these records has already been merged into another"),
    "anonymised": lambda: _("One of these records has been erased: erased records cannot be merged"),
}


@customers.route("/<int:customer_id>/merge/<int:other_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_CUSTOMERS)
def merge_customer(customer_id: int, other_id: int):
    """Keeps `customer_id`; the record `other_id` joins it and is left empty, pointing to it."""
    keep, other = _customer_or_404(customer_id), _customer_or_404(other_id)
    form = ConfirmForm()
    problem = services.merge_problem(keep, other)
    if form.validate_on_submit() and problem is None:
        result = services.merge_customers(keep, other, current_user)
        flash(
            _(
                "Records merged. Cases moved to this record: %(cases)s. Contacts moved: %(contacts)s.",
                cases=result.cases,
                contacts=result.contacts,
            ),
            FLASH,
        )
        return redirect(url_for("customers.show_customer", customer_id=keep.id))
    audit_read("customer", keep.id, via="merge")
    audit_read("customer", other.id, via="merge")
    return render_template(
        "customers/merge.html",
        keep=keep,
        other=other,
        keep_name=display_name(keep),
        other_name=display_name(other),
        problem=MERGE_PROBLEMS[problem]() if problem else None,
        form=form,
        page_title=_("Merge customer records"),
    ), 422 if request.method == "POST" else 200


RESTRICTION_PROBLEMS = {
    "already_merged": lambda: _("This record has been merged into another: restrict that one"),
    "anonymised": lambda: _("This record has been erased"),
}


@customers.route("/<int:customer_id>/restriction", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_CUSTOMERS)
def set_restriction(customer_id: int):
    customer = _customer_or_404(customer_id)
    data = None
    if request.method == "GET" and customer.restricted:
        data = {
            "reason": customer.restriction_reason,
            "terms": customer.restriction_terms,
            "review_on": customer.restriction_review_on,
        }
    form = RestrictionForm(data=data)
    if form.validate_on_submit():
        try:
            services.set_restriction(
                customer, form.reason.data, form.terms.data, form.review_on.data, current_user
            )
        except services.CustomerError as error:
            problem = RESTRICTION_PROBLEMS.get(error.code)
            form.reason.errors.append(problem() if problem else error.code)
        else:
            flash(_("Restriction saved. It shows on the customer's cases."), FLASH)
            return redirect(url_for("customers.show_customer", customer_id=customer.id))
    audit_read("customer", customer.id, via="restriction")
    return render_template(
        "customers/restriction.html",
        customer=customer,
        name=display_name(customer),
        form=form,
        page_title=_("Restrict contact"),
    ), 422 if form.errors else 200


@customers.post("/<int:customer_id>/restriction/lift")
@permission_required(Permission.MANAGE_CUSTOMERS)
def lift_restriction(customer_id: int):
    customer = _customer_or_404(customer_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.lift_restriction(customer, current_user)
    except services.CustomerError:
        pass  # already lifted (a second click): the page shows it
    else:
        flash(_("Restriction lifted"), FLASH)
    return redirect(url_for("customers.show_customer", customer_id=customer.id))


@customers.get("/restrictions")
@permission_required(Permission.VIEW_CUSTOMERS)
def list_restrictions():
    today = utcnow().date()
    restricted = services.current_restrictions()
    audit_reads("customer", [c.id for c in restricted], "restrictions")
    due = {customer.id for customer in services.restrictions_due_for_review(today)}
    return render_template(
        "customers/restrictions.html",
        restricted=restricted,
        due=due,
        display_name=display_name,
        page_title=_("Restricted contact"),
    )


@customers.get("/<int:customer_id>/export.<fmt>")
@permission_required(Permission.DATA_PROTECTION)
def export_customer(customer_id: int, fmt: str):
    if fmt not in EXPORT_TYPES:
        abort(404)
    customer = _customer_or_404(customer_id)
    if customer.merged_into_id is not None:
        target = services.resolve_merged(customer)
        return redirect(url_for("customers.export_customer", customer_id=target.id, fmt=fmt))
    data = data_protection.export_customer(customer, current_user)
    body = data_protection.export_json(data) if fmt == "json" else data_protection.export_csv(data)
    response = Response(body, mimetype=EXPORT_TYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = EXPORT_TYPES[fmt]
    response.headers["Content-Disposition"] = (
        f'attachment; filename="customer-{customer.id}-subject-access-{utcnow():%Y-%m-%d}.{fmt}"'
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@customers.route("/<int:customer_id>/erase", methods=["GET", "POST"])
@permission_required(Permission.DATA_PROTECTION)
def erase_customer(customer_id: int):
    customer = _customer_or_404(customer_id)
    if customer.merged_into_id is not None:
        target = services.resolve_merged(customer)
        return redirect(url_for("customers.erase_customer", customer_id=target.id))
    form = EraseForm()
    if form.validate_on_submit():
        report = data_protection.erase_customer(customer, current_user)
        flash(
            _(
                "Personal data erased. Cases anonymised: %(cases)s. Photos deleted: %(files)s.",
                cases=report.cases,
                files=report.attachments,
            ),
            FLASH,
        )
        return redirect(url_for("customers.show_customer", customer_id=customer.id))
    audit_read("customer", customer.id, via="erase")
    return render_template(
        "customers/erase.html",
        customer=customer,
        name=display_name(customer),
        case_count=len(customer.cases),
        form=form,
        page_title=_("Erase a customer's personal data"),
    ), 422 if form.errors else 200
