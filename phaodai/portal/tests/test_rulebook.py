"""A regime's rules are read once and kept, until a regime, rule or activity changes."""

import pytest

from phaodai.portal import rulebook
from phaodai.portal.tests import helpers

pytestmark = pytest.mark.django_db


def test_the_rules_are_read_once(django_assert_num_queries):
    regime = helpers.regime("CT15+")
    rulebook.forget()
    first = rulebook.rulebook(regime)
    with django_assert_num_queries(0):
        again = rulebook.rulebook(regime)

    assert again is first
    assert [r.code for r in first.chain] == ["CT15", "CT15+"]
    assert first.regime_named("CT15").code == "CT15"


def test_changing_a_rule_empties_the_cache():
    regime = helpers.regime("CT15")
    book = rulebook.rulebook(regime)
    view = next(v for v in book.rules if v.regime_code == "CT15")
    view.rule.note = "changed"
    view.rule.save()

    fresh = rulebook.rulebook(regime)

    assert fresh is not book
    assert next(v for v in fresh.rules if v.activity.code == view.activity.code).rule.note == "changed"


def test_a_regime_changed_elsewhere_is_read_afresh(django_assert_max_num_queries):
    regime = helpers.regime("CT16")
    book = rulebook.rulebook(regime)
    # as another process would see it: a later updated_at, no signal here
    regime.updated_at = regime.updated_at.replace(year=regime.updated_at.year + 1)

    assert rulebook.rulebook(regime) is not book
