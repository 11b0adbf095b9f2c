"""What staff do to a case: claim, assign, status, updates, notes, complaint stages, merge.

POST-only views: each validates its form, calls one service (crm_bridge.workbench), then tries the messages
it queued at once (best effort; the outbox worker does the rest) and redirects to the case page with a
success banner. Bad input, or a move the rules refuse, re-renders the case page with 422: the error next
to the field, what was typed kept, nothing written."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import _
from flask_login import current_user

from crm_bridge.configured import deliver_now
from crm_bridge.models import Case
from crm_bridge.staff.models import StaffUser
from crm_bridge.staff.roles import Permission
from crm_bridge.workbench import case_actions, case_view, duplicates
from crm_bridge.workbench.case_actions import CaseActionError
from portal.auth.access import permission_required, require_case_scope
from portal.db import db

from . import workbench
from .action_forms import assign_form, assignable_staff, status_form
from .forms import (
    ActionForm,
    ClaimForm,
    EscalateForm,
    InternalNoteForm,
    MergeForm,
    OmbudsmanForm,
    OutcomeForm,
    PublicUpdateForm,
)
from .views import render_case_page


def _case(reference: str) -> Case:
    case = case_view.find_case(reference) or abort(404)
    require_case_scope(case.service_group)
    return case


def _act(case: Case, name: str, form: ActionForm, action: Callable[[], object], done: str):
    """Validate `form`, run `action`; on success deliver what it queued and go back to the case page."""
    if form.validate_on_submit():
        try:
            action()
        except CaseActionError as error:
            db.session.rollback()
            field = getattr(form, error.field or "", None) or getattr(form, form.error_field)
            field.errors = [*field.errors, error.message]
        else:
            _deliver(case)
            flash(done, "case_action")
            return redirect(url_for("workbench.show_case", reference=case.reference))
    db.session.refresh(case)
    return render_case_page(case, status=422, failed_form=form, **{name: form})


def _deliver(case: Case) -> None:
    """The resident's messages, and those to residents of cases merged into this one, tried at once."""
    for target in [case, *case_actions.merged_cases(case)]:
        deliver_now(target.id, current_app.config)


@workbench.post("/<reference>/claim")
@permission_required(Permission.WORK_CASES)
def claim_case(reference: str):
    case = _case(reference)
    return _act(
        case,
        "claim_form",
        ClaimForm(),
        lambda: case_actions.claim(case, current_user),
        _("You claimed the case"),
    )


@workbench.post("/<reference>/assign")
@permission_required(Permission.ASSIGN_CASES)
def assign_case(reference: str):
    case = _case(reference)
    form = assign_form(case)

    def assign():
        chosen = next((u for u in assignable_staff(case) if str(u.id) == form.assignee.data), None)
        return case_actions.assign(case, chosen, current_user)

    return _act(case, "assign_form", form, assign, _("The case's assignment was changed"))


@workbench.post("/<reference>/status")
@permission_required(Permission.WORK_CASES)
def change_status(reference: str):
    case = _case(reference)
    form = status_form(case)
    return _act(
        case,
        "status_form",
        form,
        lambda: case_actions.change_status(
            case, form.status.data, form.reason.data, current_user, form.public_message.data
        ),
        _("The status was changed"),
    )


@workbench.post("/<reference>/public-update")
@permission_required(Permission.WORK_CASES)
def add_public_update(reference: str):
    case = _case(reference)
    form = PublicUpdateForm()
    return _act(
        case,
        "update_form",
        form,
        lambda: case_actions.add_public_update(case, form.text.data, current_user),
        _("The public update was added"),
    )


@workbench.post("/<reference>/internal-note")
@permission_required(Permission.WORK_CASES)
def add_internal_note(reference: str):
    case = _case(reference)
    form = InternalNoteForm()
    return _act(
        case,
        "note_form",
        form,
        lambda: case_actions.add_internal_note(case, form.text.data, current_user),
        _("The note was added"),
    )


@workbench.post("/<reference>/escalate")
@permission_required(Permission.WORK_CASES)
def escalate_complaint(reference: str):
    case = _case(reference)
    form = EscalateForm()
    return _act(
        case,
        "escalate_form",
        form,
        lambda: case_actions.escalate_complaint(case, form.reason.data, current_user),
        _("The complaint was escalated to stage 2"),
    )


@workbench.post("/<reference>/ombudsman")
@permission_required(Permission.WORK_CASES)
def refer_to_ombudsman(reference: str):
    case = _case(reference)
    form = OmbudsmanForm()
    return _act(
        case,
        "ombudsman_form",
        form,
        lambda: case_actions.refer_to_ombudsman(case, current_user, form.note.data),
        _("The referral to the Ombudsman was recorded"),
    )


@workbench.post("/<reference>/outcome")
@permission_required(Permission.WORK_CASES)
def record_outcome(reference: str):
    case = _case(reference)
    form = OutcomeForm()
    return _act(
        case,
        "outcome_form",
        form,
        lambda: case_actions.record_complaint_outcome(
            case, form.outcome.data, current_user, form.public_message.data
        ),
        _("The outcome was recorded"),
    )


@workbench.post("/<reference>/merge")
@permission_required(Permission.WORK_CASES)
def merge_case(reference: str):
    case = _case(reference)
    form = MergeForm()

    def merge():
        into = _merge_target(form.into.data, current_user)
        if into is None:
            raise CaseActionError(_("There is no open case with that reference"), field="into")
        return duplicates.merge_cases(case, into, current_user)

    return _act(case, "merge_form", form, merge, _("The case was merged"))


def _merge_target(reference: str, user: StaffUser) -> Case | None:
    """The case to merge into; one the user may not see does not exist for them."""
    into = case_view.find_case(reference)
    return into if into is not None and user.may_see_service_group(into.service_group) else None
