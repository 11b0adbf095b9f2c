"""The vocabulary every package shares: service groups, channels, languages and interaction types.

Plain data, no Flask: knowledge_base, crm_bridge and the portal all read it. Labels are wrapped with
lazy_gettext where they are shown, not here, so this module stays free of the request machinery."""

from __future__ import annotations

# The 8 service groupings of the council's "golden numbers" plan, plus partners for signposting.
SERVICE_GROUPS: dict[str, str] = {
    "environment": "Environmental services, pests, refuse and parks",
    "parking": "Parking, permits and concessionary fares",
    "housing-options": "Housing options and advice",
    "housing-tenants": "Housing tenant enquiries",
    "planning": "Planning and development",
    "general": "General enquiries",
    "housing-benefit": "Housing benefit",
    "council-tax": "Council tax and other financial enquiries",
    "partners": "Other organisations",
}

SELF_SERVICE_CHANNELS = ("web", "chat", "kiosk", "app")
ASSISTED_CHANNELS = ("phone", "face_to_face", "email", "post")
CHANNELS = SELF_SERVICE_CHANNELS + ASSISTED_CHANNELS

# BVPI 157 interaction types.
INTERACTION_TYPES = (
    "providing_information",
    "collecting_revenue",
    "benefits_and_grants",
    "consultation",
    "applying_for_service",
    "booking",
    "scheduling_appointment",
    "making_complaint",
)

LANGUAGES: dict[str, str] = {
    "en": "English",
    "cy": "Cymraeg",
    "pl": "Polski",
    "ro": "Română",
    "ur": "اردو",
    "ar": "العربية",
}
RIGHT_TO_LEFT = frozenset({"ur", "ar"})
DEFAULT_LANGUAGE = "en"
