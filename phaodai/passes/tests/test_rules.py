"""Pass rules: the CertLogic rule fields checked, rules chosen by type and date, errors as failures."""

from datetime import UTC, datetime, timedelta

import pytest

from phaodai.passes.rules import RuleDefinitionError, RuleSet, check_rule
from phaodai.passes.tests import builders as b

CLOCK = b.CLOCK


def rule(
    identifier="R-1",
    logic=True,
    *,
    version="1.0.0",
    kind="permit",
    valid_from="2021-09-01T00:00:00Z",
    valid_to="2021-12-31T00:00:00Z",
    en="A rule.",
):
    return {
        "Identifier": identifier,
        "Type": "Acceptance",
        "Version": version,
        "CertificateType": kind,
        "ValidFrom": valid_from,
        "ValidTo": valid_to,
        "AffectedFields": [],
        "Description": [{"lang": "vi", "desc": "Một quy tắc."}, {"lang": "en", "desc": en}],
        "Logic": logic,
    }


def decide(rules, payload=None, clock=CLOCK, **kw):
    ruleset = RuleSet(rules, {"groups": [1, 2, 3]}, "Asia/Ho_Chi_Minh")
    return ruleset.evaluate(payload or b.permit().to_map(), pass_type="permit", clock=clock, **kw)


def test_rules_see_the_pass_the_clock_local_time_checkpoint_and_value_sets():
    logic = {
        "and": [
            {"===": [{"var": "external.validationClock"}, "2021-09-08T23:30:00Z"]},
            {"===": [{"var": "external.localTime"}, "06:30"]},
            {"===": [{"var": "external.localDate"}, "2021-09-09"]},
            {"===": [{"var": "external.checkpoint.kind"}, "gateway"]},
            {"in": [{"var": "payload.pg"}, {"var": "external.valueSets.groups"}]},
        ]
    }
    decision = decide([rule(logic=logic)], checkpoint={"kind": "gateway"})
    assert decision.allowed and [o.identifier for o in decision.passed] == ["R-1"]


def test_a_failed_rule_carries_its_description_in_both_languages():
    decision = decide([rule(logic={">=": [{"var": "payload.vd"}, 3]}, en="Three doses.")])
    assert not decision.allowed
    [failed] = decision.failed
    assert (failed.description("en"), failed.description("vi"), failed.error) == (
        "Three doses.",
        "Một quy tắc.",
        None,
    )


def test_only_rules_for_the_type_or_general_and_valid_at_the_clock_apply():
    rules = [
        rule("R-PERMIT"),
        rule("R-GENERAL", kind="General"),
        rule("R-VEHICLE", False, kind="vehicle"),
        rule("R-OLD", False, valid_to="2021-09-05T00:00:00Z"),
        rule("R-LATER", False, valid_from="2021-09-10T00:00:00Z"),
    ]
    decision = decide(rules)
    assert [o.identifier for o in decision.passed] == ["R-GENERAL", "R-PERMIT"] and not decision.failed


def test_the_highest_version_valid_at_the_clock_wins():
    rules = [
        rule(logic=False, version="1.0.0"),
        rule(logic=True, version="1.10.0"),
        rule(logic=False, version="1.9.9"),
        rule(logic=False, version="2.0.0", valid_from="2021-10-01T00:00:00Z"),
    ]
    assert decide(rules).allowed


@pytest.mark.parametrize("logic", [1, "true", {"var": "payload.n"}, None])
def test_only_exactly_true_passes(logic):
    assert not decide([rule(logic=logic)]).allowed


def test_an_engine_error_fails_the_rule_and_is_reported_never_raised():
    decision = decide([rule(logic={"plusTime": [{"var": "payload.n"}, 1, "day"]})])
    [failed] = decision.failed
    assert failed.error and "plusTime" in failed.error


def test_a_malformed_rule_in_a_bundle_fails_every_pass_of_its_type():
    decision = decide([rule(logic={"frobnicate": []})])
    [failed] = decision.failed
    assert "unknown operator" in (failed.error or "")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"Identifier": ""}, "Identifier"),
        ({"Type": "Maybe"}, "Type"),
        ({"Version": "1.0"}, "Version"),
        ({"CertificateType": ""}, "CertificateType"),
        ({"ValidTo": "2021-08-01T00:00:00Z"}, "after ValidFrom"),
        ({"ValidFrom": "yesterday"}, "ISO 8601"),
        ({"ValidFrom": "2021-09-01T00:00:00"}, "ISO 8601"),  # no offset
        ({"AffectedFields": "vd"}, "AffectedFields"),
        ({"Description": "Two doses"}, "Description"),
        ({"Logic": {"<": [1]}}, "Logic"),
    ],
)
def test_rule_fields_are_checked(change, reason):
    with pytest.raises(RuleDefinitionError, match=reason):
        check_rule({**rule(), **change})


def test_a_rule_missing_fields_names_them():
    incomplete = rule()
    del incomplete["Logic"], incomplete["ValidTo"]
    with pytest.raises(RuleDefinitionError, match="ValidTo, Logic"):
        check_rule(incomplete)


def test_the_local_time_follows_the_bundle_time_zone():
    logic = {"===": [{"var": "external.localTime"}, "23:30"]}
    ruleset = RuleSet([rule(logic=logic)], {}, "UTC")
    assert ruleset.evaluate({}, pass_type="permit", clock=CLOCK).allowed
    with pytest.raises(RuleDefinitionError):
        RuleSet([], {}, "Mars/Olympus")
    assert datetime(2021, 9, 9, tzinfo=UTC) - timedelta(minutes=30) == CLOCK


def test_the_declaration_is_external_data_and_the_held_external_follows_it():
    from phaodai.passes.rules import RuleSet as Rules

    rule = {
        "Identifier": "PD-DECL-0001",
        "Type": "Acceptance",
        "Version": "1.0.0",
        "CertificateType": "permit",
        "ValidFrom": "2021-09-01T00:00:00Z",
        "ValidTo": "2021-12-31T00:00:00Z",
        "AffectedFields": [],
        "Description": [{"lang": "en", "desc": "The declaration is the holder's."}],
        "Logic": {"===": [{"var": "external.declaration.n"}, {"var": "payload.n"}]},
    }
    rules = Rules([rule], {}, "Asia/Ho_Chi_Minh")
    clock = datetime(2021, 9, 8, 23, 30, tzinfo=UTC)
    payload = {"t": "permit", "n": "An"}
    own = {"t": "declaration", "n": "An"}
    assert rules.evaluate(payload, pass_type="permit", clock=clock, declaration=own).allowed
    own["n"] = "Bình"  # the caller's map changed: the next scan reads the new one, not the held copy
    assert not rules.evaluate(payload, pass_type="permit", clock=clock, declaration=own).allowed
    assert not rules.evaluate(payload, pass_type="permit", clock=clock).allowed  # none shown: null
    assert rules.evaluate(payload, pass_type="permit", clock=clock, declaration={"n": "An"}).allowed
