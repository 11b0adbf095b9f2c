"""The forms the case page shows for working the case, chosen for the user and the case's state: a manager
gets only the assign form; a closed case no status form; complaint controls only for complaints; duplicate
suggestions (each with a merge button) for an open case the user may work."""

from __future__ import annotations

from flask import current_app

from crm_bridge.staff.roles import Permission
from crm_bridge.workbench.case_actions import allowed_statuses, may_work
from crm_bridge.workbench.duplicates import suggest_duplicates
from portal.auth.access import staff_choices

from .forms import (
    AssignForm,
    ClaimForm,
    EscalateForm,
    InternalNoteForm,
    MergeForm,
    OmbudsmanForm,
    OutcomeForm,
    PublicUpdateForm,
    StatusForm,
)


def assign_form(case, **kwargs) -> AssignForm:
    """The assign form, offering everyone who may work cases of this service group."""
    return AssignForm(**kwargs).set_choices(assignable_staff(case))


def assignable_staff(case) -> list:
    return [user for user in staff_choices(Permission.WORK_CASES) if may_work(user, case)]


def status_form(case, **kwargs) -> StatusForm:
    return StatusForm(**kwargs).set_choices(allowed_statuses(case))


def forms_for(case, user) -> dict:
    """Template context for workbench/_actions.html: the action forms this user may use on this case
    (a form absent from the dict is not offered), and `duplicates`, the suggested duplicates."""
    blank = {"formdata": None}
    is_open = case.status != "closed" and case.merged_into_id is None
    works = user.can(Permission.WORK_CASES) and user.may_see_service_group(case.service_group)
    forms: dict = {"duplicates": []}
    if is_open and user.can(Permission.ASSIGN_CASES):
        forms["assign_form"] = assign_form(case, **blank)
        if case.assigned_to_id:
            forms["assign_form"].assignee.data = str(case.assigned_to_id)
    if not works:
        return forms
    forms["note_form"] = InternalNoteForm(**blank)
    if not is_open:
        return forms
    if case.assigned_to_id != user.id:
        forms["claim_form"] = ClaimForm(**blank)
    forms["status_form"] = status_form(case, **blank)
    forms["update_form"] = PublicUpdateForm(**blank)
    if case.complaint_stage is not None:
        if case.complaint_stage == 1:
            forms["escalate_form"] = EscalateForm(**blank)
        if case.complaint_stage == 2 and case.ombudsman_referred_at is None:
            forms["ombudsman_form"] = OmbudsmanForm(**blank)
        forms["outcome_form"] = OutcomeForm(**blank)
    forms["merge_form"] = MergeForm(**blank)
    config = current_app.config
    duplicates = suggest_duplicates(
        case, config["DUPLICATE_WINDOW_DAYS"], config["DUPLICATE_DISTANCE_METRES"]
    )
    forms["duplicates"] = [other for other in duplicates if user.may_see_service_group(other.service_group)]
    return forms
