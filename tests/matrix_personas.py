"""Who the authorization matrix asks as: anonymous, and the named personas of the root conftest."""

ANON = "anonymous"
PERSONAS = [
    "city_commander",
    "district_officer_long_bien",
    "ward_officer_bo_de",
    "ward_officer_phuc_xa",
    "health_worker_bo_de",
    "welfare_officer_bo_de",
    "lab_tech_cdc",
    "checkpoint_officer_ql6",
    "inspector_team_3",
    "business_rep_bo_de",
]
