"""How often a round samples (S18): lockdowns and very-high- or high-risk groups every 2-3 days."""

from datetime import date, timedelta

from phaodai.diagnostics.models import TestingRound

# S18: lockdowns and very-high- and high-risk groups are tested every 2-3 days.
FREQUENT_CADENCE_DAYS = 3
USUAL_CADENCE_DAYS = 7

# How exposed each risk group is (Hà Nội's 2021 lists put shippers and market traders first).
GROUP_RISK: dict[str, str] = {
    TestingRound.RiskGroup.SHIPPER: "very_high",
    TestingRound.RiskGroup.MARKET_TRADER: "very_high",
    TestingRound.RiskGroup.HEALTH_STAFF: "high",
    TestingRound.RiskGroup.TRANSPORT: "high",
    TestingRound.RiskGroup.FACTORY_WORKER: "high",
    TestingRound.RiskGroup.SERVICE: "moderate",
    TestingRound.RiskGroup.OTHER: "moderate",
}


def needs_frequent_testing(target: str, risk_group: str = "") -> bool:
    """Lockdowns and very-high- or high-risk groups: every 2-3 days (S18)."""
    if target == TestingRound.Target.LOCKDOWN:
        return True
    return target == TestingRound.Target.GROUP and GROUP_RISK.get(risk_group) in ("very_high", "high")


def default_cadence(target: str, risk_group: str = "") -> int:
    return FREQUENT_CADENCE_DAYS if needs_frequent_testing(target, risk_group) else USUAL_CADENCE_DAYS


def session_days(starts_on: date, ends_on: date, cadence_days: int) -> list[date]:
    """The sampling days: the first day, then every `cadence_days` until the last day."""
    days, day = [], starts_on
    while day <= ends_on:
        days.append(day)
        day += timedelta(days=cadence_days)
    return days
