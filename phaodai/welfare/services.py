"""Filing support applications and the ward's review (S33).

The ward files for a person registered in it (or records the person's own application): the
programme's criteria are checked over the person's, household's, job's and isolation facts and the
first one failing is named; the documents it requires must be attached; the amount must be the
programme's; the same person, programme and period once (the earlier record is named). A retry with
the same idempotency key returns the application first made.
"""

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now
from phaodai.core.errors import Duplicate, InvalidInput
from phaodai.core.text import vnd
from phaodai.core.uploads import check_upload, stored_name
from phaodai.people import selectors as people
from phaodai.people.rules import age_on
from phaodai.welfare import rules, selectors
from phaodai.welfare.models import Application, Document, Programme
from phaodai.welfare.workflow import (
    APPLICATION_TYPE,
    ApplicationChanged,
    application_state,
    move,
    original_name,
    refuse_other_support,
    require,
    serialise_support_of,
    text,
)

FACT_SECTIONS = ("household", "job", "isolation")
FACT_TEXT_LIMIT = 100
MAX_FACTS = 30
EDITABLE = (rules.FILED, rules.REVIEWED)


class AlreadyApplied(Duplicate):
    code = "already_applied"
    message = gettext_lazy("This person already has an application for this programme and period.")


class NotEligible(InvalidInput):
    code = "not_eligible"
    message = gettext_lazy("The person does not qualify for this programme.")


# Facts ---------------------------------------------------------------------------------------------


def _declared(facts: Any, on: date | None = None) -> dict[str, dict[str, Any]]:
    """The facts the filer declares: household, job and isolation sections of plain values. Facts named
    "…_on" are dates (ISO or dd/mm/yyyy, stored ISO), never after `on` (the filing day)."""
    if facts is None:
        return {}
    if not isinstance(facts, Mapping):
        raise InvalidInput(_("Facts must be sections of named values."), field="facts")
    cleaned: dict[str, dict[str, Any]] = {}
    for section, values in facts.items():
        if section not in FACT_SECTIONS or not isinstance(values, Mapping) or len(values) > MAX_FACTS:
            raise InvalidInput(
                _("Unknown facts section %(section)s: use household, job or isolation.")
                % {"section": section},
                field="facts",
            )
        out: dict[str, Any] = {}
        for key, value in values.items():
            if isinstance(value, str):
                value = text(value, "facts", limit=FACT_TEXT_LIMIT, required=False)
            elif value is not None and not isinstance(value, (bool, int)):
                raise InvalidInput(
                    _("%(name)s: give a yes/no, a number or a short text.") % {"name": key}, field="facts"
                )
            name = str(key)[:40]
            if rules.is_date_fact(name) and value not in (None, ""):
                value = _date_fact(f"{section}.{name}", value, on)
            out[name] = value
        cleaned[section] = out
    return cleaned


def _date_fact(name: str, value: Any, on: date | None) -> str:
    day = rules.read_date(value)
    if day is None:
        raise InvalidInput(
            _("%(name)s: give a date as dd/mm/yyyy (or yyyy-mm-dd).") % {"name": name}, field="facts"
        )
    if on is not None and day > on:
        raise InvalidInput(
            _("%(name)s: %(day)s is in the future.") % {"name": name, "day": f"{day:%d/%m/%Y}"}, field="facts"
        )
    return day.isoformat()


def _isolation_facts(by: Any, person: Any, order_id: Any = None) -> dict[str, Any] | None:
    """The isolation the allowance is for, from the isolation records (never from what is declared): the
    order chosen (`order_id`, checked to be one of the person's), else the person's latest."""
    orders = selectors.isolation_orders_of(by, person)
    if order_id not in (None, ""):
        chosen = [order for order in orders if str(order.pk) == str(order_id).strip()]
        if not chosen:
            raise InvalidInput(
                _("Choose one of this person's isolation orders (cancelled ones do not count)."),
                field="isolation_order",
            )
        orders = chosen
    if not orders:
        return None
    order = orders[0]
    end = order.released_at or order.isolation_ends_at
    return {
        "subject": order.subject,
        "starts_on": local_date(order.starts_at).isoformat(),
        "days": selectors.isolation_days(order.starts_at, end),
        "order": order.pk,
        "from_record": True,
    }


def facts_of(
    by: Any, person: Any, ward: Any, declared: Mapping[str, Any], on: date, *, isolation_order: Any = None
) -> dict[str, Any]:
    """Everything the criteria may read: the person's registry facts, declared facts, isolation records
    (the declared isolation section is ignored), other support on record (job.other_support)."""
    born = person.birth_date
    facts: dict[str, Any] = {section: dict(values) for section, values in _declared(declared, on).items()}
    facts["person"] = {
        "age": age_on(born, on) if born else None,
        "birth_year": born.year if born else None,
        "sex": person.sex,
        "ward": ward.code,
        "registered_in_ward": person.unit_path.startswith(ward.path),
    }
    facts["isolation"] = _isolation_facts(by, person, isolation_order) or {}
    other = selectors.income_support_of(person.pk)
    if other:  # a live NQ 68 income support, even one still in review, is another social-protection payment
        job = facts.setdefault("job", {})
        job["other_support"] = True
        job["other_support_records"] = ", ".join(f"{item.programme_code} {item.reference}" for item in other)
    return facts


# Filing --------------------------------------------------------------------------------------------


def _programme(code: Any, on: date) -> Programme:
    try:
        return selectors.programme_by_code(str(code or ""), on)
    except Http404:
        raise InvalidInput(_("Choose a support programme in force."), field="programme") from None


def _person_in_ward(by: Any, person_id: Any, ward: Any, cccd: str = "") -> Any:
    person = None
    if cccd:
        try:
            person = people.lookup_by_cccd(by, cccd)
        except InvalidInput as error:
            raise InvalidInput(error.detail, field="cccd") from None
    else:
        try:
            pk = uuid.UUID(str(person_id))
        except ValueError:
            pk = None
        person = (
            people.persons_visible_to(by).select_related("household").filter(pk=pk).first() if pk else None
        )
    if person is None or not person.unit_path.startswith(ward.path):
        raise InvalidInput(
            _(
                "This person is not registered in %(ward)s: support is applied for in the ward where the "
                "person is registered."
            )
            % {"ward": ward.name},
            field="person",
        )
    return person


def _check_eligible(programme: Programme, facts: Mapping[str, Any]) -> None:
    refusal = check_eligibility(programme, facts)
    if refusal is not None:
        message = _("Not eligible: %(rule)s (rule %(key)s).") % {
            "rule": refusal.label_vi if _vietnamese() else refusal.label_en,
            "key": refusal.key,
        }
        records = rules.fact_value(facts, "job.other_support_records")
        if records and rules.OTHER_SUPPORT in refusal.read:  # name the other support, not just the rule
            message = f"{message} " + _("Other support on record: %(records)s.") % {"records": records}
        raise NotEligible(message, field="eligibility", rule=refusal.key)


def check_eligibility(programme: Programme, facts: Mapping[str, Any]) -> rules.Refusal | None:
    """The first criterion of the programme the facts fail, or None (a dry run for a form)."""
    return rules.first_failing(rules.criteria_of(programme.criteria), facts)


def _vietnamese() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "vi").startswith("vi")


def _period(programme: Programme, facts: Mapping[str, Any], on: date) -> str:
    episode = None
    covered = on
    if programme.period_kind == rules.EPISODE:
        isolation = facts.get("isolation") or {}
        if not isolation.get("from_record") or not isolation.get("order"):
            raise InvalidInput(
                _("This support is paid per isolation: the person has no isolation record to pay it for."),
                field="isolation_order",
            )
        episode = rules.episode_key(int(isolation["order"]))
        covered = date.fromisoformat(str(isolation["starts_on"]))
    if covered < programme.period_starts or (programme.period_ends and covered > programme.period_ends):
        start = f"{programme.period_starts:%d/%m/%Y}"
        if programme.period_ends is None:
            message = _("The programme covers from %(start)s onwards.") % {"start": start}
        else:
            message = _("The programme covers %(start)s to %(end)s.") % {
                "start": start,
                "end": f"{programme.period_ends:%d/%m/%Y}",
            }
        raise InvalidInput(message, field="period")
    try:
        return rules.period_key(programme.period_kind, filed_on=on, episode=episode)
    except rules.PolicyError as error:
        raise InvalidInput(_policy_message(error), field=error.field or "period") from None


def _amount(programme: Programme, facts: Mapping[str, Any], days: Any, amount: Any) -> tuple[int | None, int]:
    isolation = facts.get("isolation") or {}
    subject = str(isolation.get("subject") or "")
    policy = programme.amount_policy()
    asked = _whole(amount, "amount")
    count = _whole(days, "days")
    recorded = None
    if programme.amount_kind == rules.PER_DAY:
        recorded = _whole(isolation.get("days"), "days") if isolation.get("from_record") else None
        if recorded is None:
            raise InvalidInput(
                _("This allowance is paid per day of a recorded isolation: the person has none."),
                field="isolation_order",
            )
        if count is None:
            cap = rules.days_cap(policy, subject)
            count = min(recorded, cap) if cap else recorded
    tier_value = rules.fact_value(facts, policy.tier_fact) if policy.tier_fact else None
    try:
        due = rules.amount_due(
            policy, days=count, subject=subject, asked=asked, recorded_days=recorded, tier_value=tier_value
        )
    except rules.PolicyError as error:
        raise InvalidInput(_policy_message(error), field=error.field or "amount") from None
    return (count if programme.amount_kind == rules.PER_DAY else None), due


def _policy_message(error: rules.PolicyError) -> str:
    """The translated message of a refusal of the policy (rules.py gives the code and the numbers)."""
    p = error.params
    if error.code == "amount_fixed":
        return _("This programme pays exactly %(amount)s VND.") % {"amount": vnd(p["amount"])}
    if error.code == "days_required":
        return _("Give the number of days, above zero.")
    if error.code == "days_over_cap":
        return _("At most %(cap)s days for %(subject)s.") % {
            "cap": p["cap"],
            "subject": p["subject"] or _("this programme"),
        }
    if error.code == "days_over_record":
        return _("At most %(days)s days: the isolation record counts %(days)s.") % {"days": p["recorded"]}
    if error.code == "amount_per_day":
        return _("%(days)s days at %(rate)s VND make %(due)s VND.") % {
            "days": p["days"],
            "rate": vnd(p["rate"]),
            "due": vnd(p["due"]),
        }
    if error.code == "amount_range":
        return _("The amount must be between %(low)s and %(high)s VND.") % {
            "low": vnd(p["low"]),
            "high": vnd(p["high"]),
        }
    if error.code == "amount_tier":
        return _("For %(value)s (%(fact)s) this programme pays %(amount)s VND, no other amount.") % {
            "value": p["value"] if p["value"] is not None else "—",
            "fact": p["fact"],
            "amount": vnd(p["amount"]),
        }
    if error.code == "tier_unmet":
        return _("This programme pays from %(lowest)s (%(fact)s).") % {
            "lowest": p["lowest"],
            "fact": p["fact"],
        }
    if error.code == "episode_required":
        return _("Choose the isolation order this support is for.")
    return _("The programme's data is not valid (%(code)s): tell the city's welfare office.") % {
        "code": error.code
    }


def _whole(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(_("Give a whole number."), field=field)
    if isinstance(value, int):
        number = value
    else:
        digits = str(value).strip().replace(".", "").replace(",", "")
        if not digits.isdigit():
            raise InvalidInput(_("Give a whole number."), field=field)
        number = int(digits)
    if number < 0 or number > rules.MAX_AMOUNT:
        raise InvalidInput(_("Give a whole number above zero."), field=field)
    return number


def _documents(
    programme: Programme, documents: Sequence[tuple[str, UploadedFile]]
) -> list[tuple[str, UploadedFile, str]]:
    checked = [(kind, upload, check_upload(upload, field="documents")) for kind, upload in documents]
    required = [item["kind"] for item in programme.required_documents]
    missing = rules.missing_documents(required, [kind for kind, _upload, _ext in checked])
    if missing:
        labels = {
            item["kind"]: item.get("label_vi" if _vietnamese() else "label_en", item["kind"])
            for item in programme.required_documents
        }
        raise InvalidInput(
            _("Missing documents: %(names)s.") % {"names": "; ".join(labels[kind] for kind in missing)},
            field="documents",
            missing=missing,
        )
    return checked


def _already(earlier: Application) -> AlreadyApplied:
    return AlreadyApplied(
        _("Already applied: %(reference)s, filed on %(day)s, %(status)s.")
        % {
            "reference": earlier.reference,
            "day": f"{local_date(earlier.filed_at):%d/%m/%Y}",
            "status": earlier.get_status_display(),
        },
        field="programme",
        earlier=earlier,
    )


def file_application(
    *,
    by: Any,
    ward: Any,
    person_id: Any = None,
    programme_code: Any,
    cccd: str = "",
    facts: Any = None,
    channel: str = Application.Channel.WARD,
    days: Any = None,
    amount: Any = None,
    documents: Sequence[tuple[str, UploadedFile]] = (),
    idempotency_key: str = "",
    isolation_order: Any = None,
    clock: Clock = now,
) -> tuple[Application, bool]:
    """File an application for a person (by id, or by `cccd`) registered in `ward`; (application, False) for a
    retry. Programmes paid per isolation (episode, per day) are paid on an isolation record: the order
    `isolation_order` (one of the person's), else the person's latest; one allowance per order."""
    if ward is None or getattr(ward, "level", "") != "ward":
        raise InvalidInput(_("Choose the ward."), field="ward")
    require(by, Perm.FILE_SUPPORT, ward.path, "territory.unit", ward.code)
    key = (idempotency_key or "").strip()
    if key:
        found = Application.objects.filter(idempotency_key=key).first()
        if found is not None:
            return found, False
    if channel not in Application.Channel.values:
        raise InvalidInput(_("Choose who applies: the person, or the ward for them."), field="channel")
    moment = clock()
    on = local_date(moment)
    programme = _programme(programme_code, on)
    person = _person_in_ward(by, person_id, ward, (cccd or "").strip())
    all_facts = facts_of(by, person, ward, facts or {}, on, isolation_order=isolation_order)
    _check_eligible(programme, all_facts)
    period = _period(programme, all_facts, on)
    day_count, due = _amount(programme, all_facts, days, amount)
    earlier = selectors.earlier_record(person.pk, programme.code, period)
    if earlier is not None:
        raise _already(earlier)
    uploads = _documents(programme, documents)
    application = Application(
        reference=uuid.uuid4().hex[:24],
        programme=programme,
        programme_code=programme.code,
        person=person,
        household=person.household,
        unit=ward,
        unit_path=ward.path,
        channel=channel,
        facts=all_facts,
        period_key=period,
        days=day_count,
        amount=due,
        filed_by=by,
        filed_at=moment,
        idempotency_key=key,
    )
    try:
        with transaction.atomic():
            serialise_support_of(person.pk)  # a payment checking this person's other support waits
            application.save(force_insert=True)
            application.reference = f"HT-{ward.code}-{application.pk:06d}"
            application.save(update_fields=["reference"])
            for kind, upload, extension in uploads:
                _save_document(by, application, kind, upload, extension)
            audit.record(
                actor=by,
                action="welfare.file",
                object_type=APPLICATION_TYPE,
                object_id=application.pk,
                unit_path=ward.path,
                after=application_state(application),
                clock=clock,
            )
    except IntegrityError:
        if key and (found := Application.objects.filter(idempotency_key=key).first()) is not None:
            return found, False
        earlier = selectors.earlier_record(person.pk, programme.code, period)
        if earlier is not None:
            raise _already(earlier) from None
        raise
    return application, True


def _save_document(
    by: Any, application: Application, kind: str, upload: UploadedFile, extension: str
) -> Document:
    document = Document(
        application=application, kind=text(kind, "kind", limit=40), name=original_name(upload), uploaded_by=by
    )
    document.file.save(stored_name(extension), upload, save=False)
    document.save()
    return document


def attach_document(
    *, by: Any, application: Application, kind: str, upload: UploadedFile, clock: Clock = now
) -> Document:
    """Add a document to an application still at the ward (filed or reviewed)."""
    require(by, Perm.FILE_SUPPORT, application.unit_path, APPLICATION_TYPE, application.pk)
    if application.status not in EDITABLE:
        raise InvalidInput(
            _("Documents are added while the ward handles the application."), field="documents"
        )
    extension = check_upload(upload, field="documents")
    with transaction.atomic():
        document = _save_document(by, application, kind, upload, extension)
        audit.record(
            actor=by,
            action="welfare.attach_document",
            object_type=APPLICATION_TYPE,
            object_id=application.pk,
            unit_path=application.unit_path,
            after={"document": document.pk, "kind": document.kind},
            clock=clock,
        )
    return document


# The ward's review ----------------------------------------------------------------------------------


def review(
    *,
    by: Any,
    application: Application,
    accept: bool,
    note: str = "",
    version: int | None = None,
    clock: Clock = now,
) -> Application:
    """The ward accepts the application for its list (`reviewed`) or rejects it (a note says why)."""
    require(by, Perm.FILE_SUPPORT, application.unit_path, APPLICATION_TYPE, application.pk)
    reason = text(note, "note", required=not accept)
    target = rules.REVIEWED if accept else rules.REJECTED
    if application.status != rules.FILED:
        raise ApplicationChanged(
            _("This application is %(status)s: only a filed application is reviewed.")
            % {"status": application.get_status_display()}
        )
    before = application_state(application)
    with transaction.atomic():
        if accept:
            refuse_other_support(
                Application.objects.filter(pk=application.pk),
                _("Reject the application, naming the other support."),
            )
        move(application, target, version, status_note=reason, reviewed_by=by, reviewed_at=clock())
        audit.record(
            actor=by,
            action="welfare.review",
            object_type=APPLICATION_TYPE,
            object_id=application.pk,
            unit_path=application.unit_path,
            before=before,
            after=application_state(application),
            clock=clock,
        )
    return application


def withdraw(
    *, by: Any, application: Application, note: str, version: int | None = None, clock: Clock = now
) -> Application:
    """Withdraw an application still at the ward, at the person's request (a note says so)."""
    require(by, Perm.FILE_SUPPORT, application.unit_path, APPLICATION_TYPE, application.pk)
    reason = text(note, "note")
    before = application_state(application)
    with transaction.atomic():
        move(application, rules.WITHDRAWN, version, status_note=reason)
        audit.record(
            actor=by,
            action="welfare.withdraw",
            object_type=APPLICATION_TYPE,
            object_id=application.pk,
            unit_path=application.unit_path,
            before=before,
            after=application_state(application),
            clock=clock,
        )
    return application
