"""Roles, the unit levels each may be bound to, and what each may do. Pure data, no Django models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_COMMANDER = "city_commander", _("City commander")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    WARD_OFFICER = "ward_officer", _("Ward officer")
    HEALTH_WORKER = "health_worker", _("Health worker")
    LAB_TECHNICIAN = "lab_technician", _("Lab technician")
    CHECKPOINT_OFFICER = "checkpoint_officer", _("Checkpoint officer")
    INSPECTOR = "inspector", _("Inspector")
    WELFARE_OFFICER = "welfare_officer", _("Welfare officer")
    BUSINESS_REPRESENTATIVE = "business_representative", _("Business representative")
    MARKET_KEEPER = "market_keeper", _("Market keeper")
    COMMUNITY_MEMBER = "community_member", _("Community COVID team member")


class Perm(models.TextChoices):
    """Capabilities; a role grants a set of them within the unit it is bound to."""

    CHANGE_AREA = "territory.change_area", _("Create, edit and import residential areas")
    VIEW_PERSON = "people.view_person", _("Look up and read persons")
    ADD_PERSON = "people.add_person", _("Register persons")
    CHANGE_PERSON = "people.change_person", _("Correct persons' details")
    VIEW_AUDIT = "core.view_audit", _("Read the audit log")
    ENTER_INDICATORS = "zoning.enter_indicators", _("Enter and import areas' epidemic indicators")
    PROPOSE_LEVELS = "zoning.propose_levels", _("Classify a ward's areas and submit the proposal")
    AUTHOR_CRITERIA = "zoning.author_criteria", _("Author criteria tables and open classification rounds")
    DECIDE_LEVELS = "zoning.decide_levels", _("Review ward proposals and issue zoning decisions")
    SUBMIT_REPORTS = "sitreps.submit_reports", _("Submit our unit's situation reports and urgent reports")
    REVIEW_REPORTS = "sitreps.review_reports", _("Read, accept and reopen the situation reports sent to us")
    MANAGE_COMMAND = (
        "command.manage",
        _("Register directives, assign and follow tasks, keep committees, duty, hotlines and commendations"),
    )
    MANAGE_BUSINESSES = "business.manage", _("Register and edit businesses and their representatives")
    APPROVE_PLANS = (
        "business.approve_plans",
        _("Approve, return, reject, suspend and revoke COVID-safety plans"),
    )
    REPRESENT_BUSINESS = "business.represent", _("Act for the businesses one represents")
    INSPECT = (
        "inspections.inspect",
        _("Plan and carry out inspections, record findings and violations with their fines and measures"),
    )
    MANAGE_TEAMS = "inspections.manage_teams", _("Set up inspection teams, their members and area of work")
    TRACE = "cases.trace", _("Record cases (F0) and their contacts, and read the tracing of our area")
    ORDER_ISOLATION = "cases.order_isolation", _("Order and release isolation, and follow people isolated")
    DECLARE_LOCKDOWN = "cases.lockdown", _("Declare, extend and lift lockdowns")
    MANAGE_FACILITIES = "quarantine.manage", _("Register quarantine facilities, their beds and readiness")
    ADMIT = "quarantine.admit", _("Admit people to quarantine facilities and discharge them")
    PLAN_TESTING = "diagnostics.plan", _("Plan testing rounds and their sampling sessions")
    SAMPLE = "diagnostics.sample", _("Collect and register samples, and read results in our area")
    IMPORT_RESULTS = "diagnostics.import_results", _("Enter and import a laboratory's results")
    VACCINATE = "vaccination.vaccinate", _("Record doses and adverse events, and read due lists")
    PLAN_VACCINATION = (
        "vaccination.plan",
        _("Run vaccination sites, slots, invitations, mobile teams and home visits"),
    )
    MANAGE_CHECKPOINTS = (
        "checkpoints.manage",
        _("Register checkpoints and their shift rosters, green-lane and transit vehicles, shippers"),
    )
    ISSUE_PERMITS = (
        "checkpoints.issue_permits",
        _("Approve, reject, issue and revoke travel permits; register organisations and their staff lists"),
    )
    VERIFY_PASSES = (
        "checkpoints.verify",
        _("Verify passes and vehicles at a checkpoint and record crossings"),
    )
    MANAGE_SIGNING = (
        "passes.manage_signing",
        _("Rotate pass-signing keys, keep the trust list and publish rule bundles"),
    )
    MANAGE_MARKETS = (
        "markets.manage",
        _("Register markets, set market-pass schemes, allocate and print passes, handle street vending"),
    )
    CHECK_MARKET_GATE = "markets.gate", _("Check market passes at a market's gate and read who is inside")
    REPORT_PRICES = "markets.report_prices", _("Report a market's prices and shortages of essential goods")
    MANAGE_PROGRAMMES = (
        "welfare.manage_programmes",
        _("Author support programmes: who qualifies, amounts, periods and funding"),
    )
    FILE_SUPPORT = (
        "welfare.file",
        _("File support applications for residents, review them, post the ward's list and record objections"),
    )
    APPRAISE_SUPPORT = (
        "welfare.appraise",
        _("Appraise wards' support lists and issue the numbered approval decisions"),
    )
    PAY_SUPPORT = "welfare.pay", _("Pay approved support and reconcile the payments")
    MANAGE_RELIEF = (
        "relief.manage",
        _("Book donations, stocks, distributions and transfers, and handle food-aid requests"),
    )
    MANAGE_COMMUNITY = (
        "community.manage",
        _("Keep household commitments, party members' households, community COVID teams and special housing"),
    )
    VISIT_HOUSEHOLDS = (
        "community.visit",
        _("See the households assigned to one and log visits and reminders"),
    )


# Unit levels ("city", "district", "ward") a role may be bound to.
ALLOWED_LEVELS: dict[str, frozenset[str]] = {
    Role.CITY_COMMANDER: frozenset({"city"}),
    Role.DISTRICT_OFFICER: frozenset({"district"}),
    Role.WARD_OFFICER: frozenset({"ward"}),
    Role.HEALTH_WORKER: frozenset({"city", "district", "ward"}),
    Role.LAB_TECHNICIAN: frozenset({"city", "district"}),
    Role.CHECKPOINT_OFFICER: frozenset({"city", "district", "ward"}),
    Role.INSPECTOR: frozenset({"city", "district"}),
    Role.WELFARE_OFFICER: frozenset({"city", "district", "ward"}),
    Role.BUSINESS_REPRESENTATIVE: frozenset({"ward"}),
    Role.MARKET_KEEPER: frozenset({"ward"}),
    Role.COMMUNITY_MEMBER: frozenset({"ward"}),
}

_OFFICIAL = frozenset({Perm.CHANGE_AREA, Perm.VIEW_PERSON, Perm.ADD_PERSON, Perm.CHANGE_PERSON})
# Wards classify and propose (S4); districts and the city author criteria and decide (S3, S5).
_ZONING_WARD = frozenset({Perm.ENTER_INDICATORS, Perm.PROPOSE_LEVELS})
_ZONING_COMMAND = frozenset({Perm.ENTER_INDICATORS, Perm.AUTHOR_CRITERIA, Perm.DECIDE_LEVELS})
# Wards report to their district (S10), districts to the city (S11); the city only receives.
_REPORTING = frozenset({Perm.SUBMIT_REPORTS, Perm.REVIEW_REPORTS, Perm.MANAGE_COMMAND})
# Districts approve most plans, wards small shops within the delegation (S30); the city oversees.
_BUSINESS = frozenset({Perm.MANAGE_BUSINESSES, Perm.APPROVE_PLANS})
# Inspection teams are set up by districts and the city (S31); inspectors inspect within their unit.
_INSPECTIONS = frozenset({Perm.INSPECT, Perm.MANAGE_TEAMS})
# Tracing and isolation are the ward's daily work with its health workers (S16); districts and the
# city run the concentrated facilities (S17) and may act anywhere below them.
_TRACING = frozenset({Perm.TRACE, Perm.ORDER_ISOLATION, Perm.DECLARE_LOCKDOWN})
_QUARANTINE = frozenset({Perm.MANAGE_FACILITIES, Perm.ADMIT})
# Wards, districts and the city plan testing and vaccination (S18, S19); health workers sample and
# vaccinate; laboratories only send results.
_HEALTH_PLANNING = frozenset({Perm.PLAN_TESTING, Perm.SAMPLE, Perm.PLAN_VACCINATION, Perm.VACCINATE})
# Districts and the city set up checkpoints (S22, S24); wards approve their residents' and
# organisations' permits, as the police at checkpoints do (POLICY.md §4); officers on duty verify.
_CHECKPOINTS = frozenset({Perm.MANAGE_CHECKPOINTS, Perm.ISSUE_PERMITS, Perm.VERIFY_PASSES})
# Wards run their markets' passes (S26, POLICY.md §5) and clear street vending (S27); districts and
# the city oversee; market keepers check the gate and report prices.
_MARKETS = frozenset({Perm.MANAGE_MARKETS, Perm.CHECK_MARKET_GATE, Perm.REPORT_PRICES})
# Wards file and post support lists, districts appraise and approve them (S33); welfare officers
# file and pay. Wards and the Fatherland Front keep donations, stocks and food aid (S34, S37);
# wards keep commitments and community teams, whose members see only their households (S35).
_WELFARE_WARD = frozenset({Perm.FILE_SUPPORT, Perm.PAY_SUPPORT, Perm.MANAGE_RELIEF, Perm.MANAGE_COMMUNITY})
_WELFARE_COMMAND = frozenset(
    {Perm.FILE_SUPPORT, Perm.APPRAISE_SUPPORT, Perm.MANAGE_RELIEF, Perm.MANAGE_COMMUNITY}
)

PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_COMMANDER: _OFFICIAL
    | _ZONING_COMMAND
    | _BUSINESS
    | _INSPECTIONS
    | _TRACING
    | _QUARANTINE
    | _HEALTH_PLANNING
    | _CHECKPOINTS
    | _MARKETS
    | _WELFARE_COMMAND
    | {
        Perm.VIEW_AUDIT,
        Perm.REVIEW_REPORTS,
        Perm.MANAGE_COMMAND,
        Perm.MANAGE_SIGNING,
        Perm.MANAGE_PROGRAMMES,
    },
    Role.DISTRICT_OFFICER: _OFFICIAL
    | _ZONING_COMMAND
    | _REPORTING
    | _BUSINESS
    | _INSPECTIONS
    | _TRACING
    | _QUARANTINE
    | _HEALTH_PLANNING
    | _CHECKPOINTS
    | _MARKETS
    | _WELFARE_COMMAND
    | {Perm.VIEW_AUDIT},
    Role.WARD_OFFICER: _OFFICIAL
    | _ZONING_WARD
    | _BUSINESS
    | _TRACING
    | _HEALTH_PLANNING
    | _MARKETS
    | _WELFARE_WARD
    | {Perm.SUBMIT_REPORTS, Perm.MANAGE_COMMAND, Perm.ISSUE_PERMITS},
    Role.HEALTH_WORKER: frozenset(
        {Perm.VIEW_PERSON, Perm.ADD_PERSON, Perm.CHANGE_PERSON, Perm.ENTER_INDICATORS}
    )
    | {Perm.TRACE, Perm.ORDER_ISOLATION, Perm.ADMIT, Perm.SAMPLE, Perm.VACCINATE},
    Role.LAB_TECHNICIAN: frozenset({Perm.IMPORT_RESULTS}),
    Role.CHECKPOINT_OFFICER: frozenset({Perm.VERIFY_PASSES, Perm.ISSUE_PERMITS, Perm.CHECK_MARKET_GATE}),
    Role.INSPECTOR: frozenset({Perm.INSPECT}),
    Role.WELFARE_OFFICER: frozenset(
        {Perm.VIEW_PERSON, Perm.FILE_SUPPORT, Perm.PAY_SUPPORT, Perm.MANAGE_RELIEF}
    ),
    Role.BUSINESS_REPRESENTATIVE: frozenset({Perm.REPRESENT_BUSINESS}),
    Role.MARKET_KEEPER: frozenset({Perm.CHECK_MARKET_GATE, Perm.REPORT_PRICES}),
    Role.COMMUNITY_MEMBER: frozenset({Perm.VISIT_HOUSEHOLDS}),
}

# Demo/user-name prefix of each role: "ward-00139", "district-004", "city-01".
USERNAME_PREFIX: dict[str, str] = {
    Role.CITY_COMMANDER: "city",
    Role.DISTRICT_OFFICER: "district",
    Role.WARD_OFFICER: "ward",
    Role.HEALTH_WORKER: "health",
    Role.LAB_TECHNICIAN: "lab",
    Role.CHECKPOINT_OFFICER: "checkpoint",
    Role.INSPECTOR: "inspector",
    Role.WELFARE_OFFICER: "welfare",
    Role.BUSINESS_REPRESENTATIVE: "business",
    Role.MARKET_KEEPER: "market",
    Role.COMMUNITY_MEMBER: "community",
}
