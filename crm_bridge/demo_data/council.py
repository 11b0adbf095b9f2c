"""The shape of a district council's demand (DOMAIN.md): service-group shares and their seasons, channel
and language mix, hand-off, resolution and lateness rates, and the markers every demo row carries."""

from __future__ import annotations

REFERENCE_PREFIX = "DEMO"
SUMMARY_PREFIX = "DEMO "
SUBJECT_PREFIX = "demo:"
VISITOR_NAME = "DEMO"
EMAIL_PATTERN = "demo.%@example.org"

# Share of contacts per service group, and each group's monthly factor (January first).
GROUP_SHARES = {
    "environment": 0.30,
    "council-tax": 0.21,
    "housing-benefit": 0.12,
    "parking": 0.08,
    "general": 0.08,
    "housing-options": 0.07,
    "planning": 0.06,
    "housing-tenants": 0.05,
    "partners": 0.03,
}
FLAT = (1.0,) * 12
MONTHLY = {
    # Summer: garden waste, missed bins, pests, fly-tipping.
    "environment": (0.8, 0.8, 0.9, 1.0, 1.2, 1.3, 1.35, 1.3, 1.1, 0.95, 0.85, 0.9),
    # Bills go out in March; April brings the new year's instalments, discounts and moves.
    "council-tax": (0.9, 0.85, 2.1, 1.9, 1.0, 0.8, 0.75, 0.75, 0.75, 0.75, 0.8, 0.6),
    "housing-benefit": FLAT,
    "parking": (1.0, 1.0, 1.05, 1.05, 1.0, 1.0, 1.0, 0.95, 1.0, 1.0, 1.0, 0.95),
    # Elections in May; the annual canvass in the autumn.
    "general": (0.9, 0.9, 1.0, 1.2, 1.4, 0.9, 0.85, 0.8, 1.1, 1.2, 1.1, 0.8),
    "housing-options": (1.1, 1.0, 1.0, 1.0, 1.0, 0.95, 0.95, 0.95, 1.0, 1.0, 1.05, 1.05),
    "planning": (0.75, 0.85, 1.05, 1.2, 1.25, 1.2, 1.1, 1.0, 1.0, 0.95, 0.85, 0.7),
    "housing-tenants": (1.05, 1.0, 1.0, 1.15, 1.0, 0.95, 0.95, 0.95, 1.0, 1.0, 1.0, 0.95),
    "partners": (1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.1),
}
WEEKDAY_FACTOR = (1.25, 1.1, 1.0, 0.95, 0.85)  # Monday busiest
SELF_SERVICE_WEEKEND = 0.75
SELF_SERVICE_START, SELF_SERVICE_END = 0.0488, 0.0988  # the baseline, and the target a year on
ASSISTED_CHANNELS = {"phone": 0.68, "face_to_face": 0.14, "email": 0.14, "post": 0.04}
SELF_SERVICE_CHANNELS = {"web": 0.70, "chat": 0.12, "app": 0.10, "kiosk": 0.08}
LANGUAGE_SHARES = {"en": 0.935, "pl": 0.02, "ro": 0.015, "ur": 0.012, "ar": 0.01, "cy": 0.008}
ASSISTED_HOURS = {9: 1.3, 10: 1.45, 11: 1.35, 12: 1.0, 13: 1.0, 14: 1.15, 15: 1.0, 16: 0.75}
SELF_SERVICE_HOURS = dict(
    enumerate(
        (
            0.3,
            0.15,
            0.1,
            0.08,
            0.08,
            0.15,
            0.4,
            0.9,
            1.2,
            1.3,
            1.3,
            1.3,
            1.4,
            1.3,
            1.2,
            1.2,
            1.3,
            1.5,
            1.8,
            2.0,
            2.0,
            1.7,
            1.2,
            0.7,
        )
    )
)
CONTACT_MINUTES = {"phone": (3, 9), "face_to_face": (6, 18), "email": (4, 10), "post": (5, 12)}

# Handed off as a case: the chance per group, and the request types it is handed off as.
CASE_CHANCE = {
    "environment": 0.40,
    "parking": 0.25,
    "housing-benefit": 0.25,
    "council-tax": 0.15,
    "general": 0.08,
}
REQUEST_TYPES = {
    "environment": {
        "missed-bin": 0.34,
        "bulky-collection": 0.14,
        "new-bin": 0.12,
        "fly-tipping": 0.10,
        "pest-control": 0.07,
        "noise-nuisance": 0.06,
        "street-cleaning": 0.05,
        "dog-fouling": 0.03,
        "graffiti": 0.02,
        "flooding": 0.02,
        "abandoned-vehicle": 0.02,
        "public-toilets": 0.01,
    },
    "parking": {"bus-pass": 0.55, "parking-permit": 0.45},
    "council-tax": {"council-tax-moving": 1.0},
    "housing-benefit": {"benefit-change": 1.0},
    "general": {"general-enquiry": 1.0},
}
FEEDBACK_CHANCE = {"complaint": 0.008, "comment": 0.002, "compliment": 0.002}
COMPLAINT_CATEGORIES = {
    "service-failure": 0.35,
    "standards-failure": 0.15,
    "officer-behaviour": 0.12,
    "bureaucratic-process": 0.13,
    "poor-information": 0.15,
    "other": 0.10,
}
COMPLAINT_OUTCOMES = {"upheld": 0.30, "partly_upheld": 0.25, "not_upheld": 0.45}
STAGE_TWO_CHANCE, OMBUDSMAN_CHANCE = 0.12, 0.15
INTERACTIONS = {
    "council-tax": {"providing_information": 0.55, "collecting_revenue": 0.45},
    "housing-benefit": {"benefits_and_grants": 0.6, "providing_information": 0.4},
    "general": {"providing_information": 0.75, "scheduling_appointment": 0.15, "booking": 0.10},
    "environment": {"providing_information": 0.85, "booking": 0.15},
    "housing-options": {"providing_information": 0.7, "scheduling_appointment": 0.3},
    "planning": {"providing_information": 0.7, "consultation": 0.3},
}
# Failure demand among assisted contacts that are not hand-offs.
AVOIDABLE_START, AVOIDABLE_END = 0.17, 0.12
AVOIDABLE_REASONS = {
    "chasing_progress": 0.45,
    "repeat_contact": 0.25,
    "not_understood": 0.20,
    "wrongly_routed": 0.10,
}
UNRESOLVED_START, UNRESOLVED_END = 0.03, 0.01  # not handed off, yet not resolved (call-backs, transfers)

ACK_LATE, RESPOND_LATE, COMPLAINT_LATE, STUCK = 0.04, 0.10, 0.15, 0.01
CLOSED_AFTER_RESOLVED = 0.3
RATING_CHANCE = {"answer": 0.10, "form": 0.15, "case_resolved": 0.18, "kiosk_visit": 0.20}
RATINGS_GOOD, RATINGS_LATE = (0.45, 0.30, 0.12, 0.07, 0.06), (0.12, 0.20, 0.22, 0.22, 0.24)  # 5 down to 1
CHECK_IN_CHANCE = 0.75  # face-to-face contacts that came through the reception kiosk
WAIT_MEDIAN_SECONDS, WAIT_SIGMA = 230, 0.55
SEARCHES_PER_CONTACT = {1: 0.35, 2: 0.35, 3: 0.2, 4: 0.1}
NOT_CONFIDENT_START, NOT_CONFIDENT_END = 0.20, 0.14
FEEDBACK_ON_ANSWER, HELPFUL = 0.08, 0.82
CUSTOMER_ON_CASE, RETURNING_CUSTOMER = 0.85, 0.3
GAP_QUERIES = (
    "skip hire licence",
    "christmas tree collection",
    "allotment waiting list",
    "wasp nest",
    "dropped kerb cost",
    "hedge too high neighbour",
    "bonfire smoke",
    "japanese knotweed",
    "pothole",
    "tree preservation order",
    "street party road closure",
    "taxi licence",
    "food hygiene rating",
    "pest control price list",
    "council tax single person discount form",
    "garden waste sticker",
    "burial plot",
    "market stall",
)
FIRST_NAMES = (
    "Ann",
    "Ben",
    "Chloe",
    "David",
    "Ewa",
    "Farah",
    "George",
    "Hana",
    "Ioan",
    "Jade",
    "Kofi",
    "Lena",
)
LAST_NAMES = ("Example", "Sample", "Testing", "Demo", "Placeholder", "Fictional")
