"""The shipped 72-hour validity survives a flush (the test runner's, between transactional tests)."""

from datetime import date

import pytest
from django.core.management import call_command

from phaodai.core.clock import hanoi
from phaodai.declarations import selectors
from phaodai.declarations.models import ValidityRule
from phaodai.declarations.reference import ensure_reference_data


@pytest.mark.django_db(transaction=True)
def test_a_flush_puts_the_shipped_validity_back():
    call_command("flush", interactive=False, verbosity=0)
    rule = selectors.validity_rule_at(hanoi(2021, 9, 9, 7, 30))
    assert rule is not None and (rule.code, rule.hours) == ("KBYT-72H", 72)


@pytest.mark.django_db
def test_restoring_keeps_what_an_operator_set():
    ValidityRule.objects.all().delete()
    ValidityRule.objects.create(code="KBYT-48H", hours=48, valid_from=date(2021, 1, 1))
    ensure_reference_data()
    assert list(ValidityRule.objects.values_list("code", flat=True)) == ["KBYT-48H"]
    ValidityRule.objects.all().delete()
    ensure_reference_data()
    ensure_reference_data()
    assert list(ValidityRule.objects.values_list("code", "hours")) == [("KBYT-72H", 72)]
