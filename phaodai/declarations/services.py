"""Writes: submit a declaration (by the person or on their behalf) and follow up a flagged one.

Every check lives here, once, for the form and the API. A submission is written whole or not at all:
the row, its signed PD1 pass, the audit entry and the ward's notification share one transaction.
"""

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now
from phaodai.core.crypto import blind_index, field_cipher
from phaodai.core.errors import Conflict, InvalidInput
from phaodai.core.identity import PROVINCE_CODES, InvalidCCCD, InvalidPhone, normalize_phone, validate_cccd
from phaodai.core.jurisdiction import paths_of, require_within
from phaodai.core.ratelimit import Budget
from phaodai.core.text import nfc, search_key
from phaodai.declarations import rules
from phaodai.declarations.models import Declaration
from phaodai.declarations.questions import LABELS
from phaodai.declarations.selectors import FILER_PERMS, validity_rule_at
from phaodai.notifications import services as notifications
from phaodai.passes import services as passes
from phaodai.passes.payload import PassPayload, PassType
from phaodai.people.cccd import cccd_index
from phaodai.territory import selectors as territory

HA_NOI: Final = "001"  # the CCCD province code of Hà Nội (GSO "01")
# Bound to this column: a ciphertext copied into another encrypted column will not open.
ID_AAD: Final = b"declaration.id_number"
LIMITS: Final = {
    "full_name": 100,
    "nationality": 60,
    "district_name": 100,
    "ward_name": 100,
    "house": 200,
    "email": 254,
    "travel_from": 120,
    "travel_to": 120,
    "travel_details": 1000,
    "review_note": 500,
}


class DeclarationInvalid(InvalidInput):
    """Every problem of a declaration at once, each beside its field."""

    code = "invalid_declaration"
    message = _("The declaration has mistakes; see the messages beside the fields.")

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        first_field, first_message = next(iter(self.errors.items()))
        super().__init__(first_message, field=first_field)

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["errors"] = [{"field": name, "message": text} for name, text in self.errors.items()]
        return body


class KeyReusedForOther(Conflict):
    code = "idempotency_key_reused"
    message = _("This Idempotency-Key was already used for a different declaration.")


class NothingToFollowUp(Conflict):
    code = "not_flagged"
    message = _("This declaration reports no symptom and no exposure: there is nothing to follow up.")


class AlreadyFollowedUp(Conflict):
    code = "already_followed_up"
    message = _("Someone has already recorded the follow-up of this declaration.")


class NoValidityRule(Conflict):
    code = "no_validity_rule"
    message = _("No validity period is configured for declarations on this date.")


@dataclass(frozen=True)
class DeclarationInput:
    """A declaration as typed: text is cleaned and checked by `submit_declaration`, nothing before."""

    full_name: str
    id_kind: str
    id_number: str
    birth_year: Any
    gender: str
    nationality: str
    province: str
    house: str
    phone: str
    answers: Mapping[str, Any]
    acknowledged: Any
    ward: str = ""
    district: str = ""
    district_name: str = ""
    ward_name: str = ""
    email: str = ""
    travel_from: str = ""
    travel_to: str = ""
    travel_details: str = ""


@dataclass
class _Clean:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str, raw: Any, *, required: bool) -> str:
        value = nfc(raw) if isinstance(raw, str) else ""
        if raw is not None and not isinstance(raw, str):
            self.errors[name] = gettext("Enter text.")
        elif required and not value:
            self.errors[name] = gettext("This field is required.")
        elif len(value) > LIMITS[name]:
            self.errors[name] = gettext("At most %(limit)d characters (this has %(n)d).") % {
                "limit": LIMITS[name],
                "n": len(value),
            }
        self.values[name] = value
        return value


def _identity(clean: _Clean, data: DeclarationInput) -> None:
    kind, raw = data.id_kind, data.id_number if isinstance(data.id_number, str) else ""
    if kind not in Declaration.IdKind.values:
        clean.errors["id_kind"] = gettext("Choose the kind of identity document.")
        return
    clean.values["id_kind"] = kind
    compact = "".join(raw.split())
    if not compact:
        clean.errors["id_number"] = gettext("Enter the number of the identity document.")
        return
    if kind == Declaration.IdKind.CCCD:
        gender = data.gender if data.gender in ("M", "F") else None
        try:
            # Separators (spaces, dots, dashes) are dropped; digits are never added or cut.
            number = validate_cccd(compact, sex=gender)
        except InvalidCCCD as error:
            clean.errors["id_number"] = str(error.detail)
            return
        year = clean.values.get("birth_year")
        encoded = 1900 + 100 * (int(number[3]) // 2) + int(number[4:6])
        if year is not None and year != encoded and "birth_year" not in clean.errors:
            clean.errors["birth_year"] = gettext(
                "The citizen ID (CCCD) encodes birth year %(encoded)d, not %(given)d."
            ) % {"encoded": encoded, "given": year}
        clean.values["id_index"] = cccd_index(number)
    elif kind == Declaration.IdKind.CMND:
        number = compact
        if not rules.is_cmnd(number):
            clean.errors["id_number"] = gettext(
                "An old ID card (CMND) number has exactly 9 digits; a 12-digit number is a CCCD."
            )
            return
        clean.values["id_index"] = blind_index()(number, "cmnd")
    else:
        number = compact.upper()
        if not rules.is_passport(number):
            clean.errors["id_number"] = gettext(
                "A passport number has 6 to 12 letters and digits, nothing else."
            )
            return
        clean.values["id_index"] = blind_index()(number, "passport")
    clean.values["id_number"] = number


def _birth_year(clean: _Clean, raw: Any, at: datetime) -> None:
    this_year = local_date(at).year
    text = raw.strip() if isinstance(raw, str) else ""
    # isascii: "19⁸⁵" is digits to isdigit() but not to int()
    year = raw if type(raw) is int else int(text) if text.isascii() and text.isdigit() else None
    if year is None:
        clean.errors["birth_year"] = gettext("Enter the year of birth as four digits, e.g. 1985.")
    elif not rules.birth_year_in_range(year, this_year):
        clean.errors["birth_year"] = gettext("A year of birth must be from %(low)d to %(high)d.") % {
            "low": this_year - rules.OLDEST_AGE,
            "high": this_year,
        }
    else:
        clean.values["birth_year"] = year


def _address(clean: _Clean, data: DeclarationInput) -> None:
    province = data.province if isinstance(data.province, str) else ""
    if province not in PROVINCE_CODES:
        clean.errors["province"] = gettext("Choose the province or city.")
        return
    clean.values["province_code"] = province
    if province != HA_NOI:
        clean.text("district_name", data.district_name, required=True)
        clean.text("ward_name", data.ward_name, required=True)
        clean.values["ward"] = None
        return
    code = data.ward.strip() if isinstance(data.ward, str) else ""
    ward = territory.unit_by_code(code) if code else None
    if not code:
        clean.errors["ward"] = gettext("Choose a ward of Hà Nội.")
        return
    if ward is None or ward.level != "ward":
        clean.errors["ward"] = gettext("There is no Hà Nội ward %(code)s.") % {"code": code[:10]}
        return
    district = data.district.strip() if isinstance(data.district, str) else ""
    # A ward's path is /city/district/ward/.
    if district and ward.path.split("/")[2] != district:
        clean.errors["ward"] = gettext("%(ward)s is not in the district chosen.") % {"ward": ward.full_name}
        return
    clean.values.update(ward=ward, district_name="", ward_name="")


def _answers(clean: _Clean, answers: Any) -> None:
    if not isinstance(answers, Mapping):
        clean.errors["answers"] = gettext("Answer every question with yes or no.")
        return
    unknown = rules.unknown_answers(answers)
    if unknown:
        clean.errors["answers"] = gettext("Unknown questions: %(codes)s.") % {"codes": ", ".join(unknown[:5])}
    for code in rules.missing_answers(answers):
        clean.errors[f"answers.{code}"] = gettext("Answer yes or no: %(question)s.") % {
            "question": LABELS[code]
        }
    if not any(name.startswith("answers") for name in clean.errors):
        clean.values["answers"] = {code: answers[code] for code in rules.QUESTIONS}


def _clean(data: DeclarationInput, at: datetime) -> dict[str, Any]:
    clean = _Clean()
    clean.text("full_name", data.full_name, required=True)
    _birth_year(clean, data.birth_year, at)
    if data.gender not in Declaration.Gender.values:
        clean.errors["gender"] = gettext("Choose male, female or other.")
    clean.values["gender"] = data.gender
    _identity(clean, data)
    clean.text("nationality", data.nationality, required=True)
    _address(clean, data)
    clean.text("house", data.house, required=True)
    try:
        clean.values["phone"] = normalize_phone(data.phone)
    except InvalidPhone as error:
        clean.errors["phone"] = str(error.detail)
    email = clean.text("email", data.email, required=False)
    if email and "email" not in clean.errors:
        try:
            validate_email(email)
        except ValidationError:
            clean.errors["email"] = gettext("Enter a valid e-mail address, or leave it empty.")
    _answers(clean, data.answers)
    for name in ("travel_from", "travel_to", "travel_details"):
        clean.text(name, getattr(data, name), required=False)
    if data.acknowledged is not True:
        clean.errors["acknowledged"] = gettext(
            "Confirm that the declaration is true: a false declaration is punishable by law."
        )
    if clean.errors:
        raise DeclarationInvalid(clean.errors)
    return clean.values


def _digest(values: Mapping[str, Any]) -> str:
    """A keyed digest of what was declared: equal content, equal digest; the content cannot be read back."""
    content = {key: values[key] for key in sorted(values) if key not in ("ward", "id_number")}
    content["ward"] = values["ward"].code if values["ward"] is not None else ""
    return blind_index()(json.dumps(content, sort_keys=True, ensure_ascii=False), "declaration-content")


def _scope_unit(values: Mapping[str, Any]) -> Any:
    """The ward that follows the declaration up; the city for an address outside Hà Nội."""
    return values["ward"] if values["ward"] is not None else territory.city()


def _same_submission(*, id_index: str, key: str, digest: str, at: datetime) -> Declaration | None:
    if key:
        earlier = Declaration.objects.filter(id_index=id_index, idempotency_key=key).first()
        if earlier is not None:
            if earlier.content_digest != digest:
                raise KeyReusedForOther(field="Idempotency-Key")
            return earlier
    since = at - timedelta(seconds=rules.DEDUPE_SECONDS)
    return (
        Declaration.objects.filter(id_index=id_index, content_digest=digest, submitted_at__gte=since)
        .order_by("-submitted_at")
        .first()
    )


def _pass_code(declaration: Declaration, number: str, clock: Clock) -> str:
    masked = rules.mask_number(number) if declaration.id_kind == Declaration.IdKind.CCCD else None
    payload = PassPayload(
        type=PassType.DECLARATION,
        pass_id=f"KBYT-{declaration.token[:12]}",
        valid_from=declaration.valid_from,
        valid_to=declaration.valid_to,
        holder=declaration.full_name,
        birth_year=declaration.birth_year,
        cccd_masked=masked,
        symptoms=declaration.has_symptoms,
        exposure=declaration.has_exposure,
    )
    return passes.sign_pass(payload=payload, clock=clock)


def is_filer(user: Any) -> bool:
    """Whether the user files declarations on others' behalf (officials, health workers, checkpoints)."""
    return any(paths_of(user, perm) for perm in FILER_PERMS)


def public_budget() -> Budget:
    return Budget("declarations", settings.PHAODAI_DECLARATIONS_PER_HOUR, timedelta(hours=1))


def submit_declaration(
    *,
    data: DeclarationInput,
    by: Any = None,
    idempotency_key: str = "",
    client: str = "",
    clock: Clock = now,
) -> tuple[Declaration, bool]:
    """The declaration and whether it is new; a retry (same key, or same content soon after) is the first.

    `client` (the sender's address) limits how many new declarations one device files per hour
    without an official signed in; a retry is answered whatever the budget.
    """
    at = clock()
    values = _clean(data, at)
    digest = _digest(values)
    earlier = _same_submission(id_index=values["id_index"], key=idempotency_key, digest=digest, at=at)
    if earlier is not None:
        return earlier, False
    rule = validity_rule_at(at)
    if rule is None:
        raise NoValidityRule()
    signed_in = getattr(by, "is_authenticated", False)
    counted = bool(client) and not (signed_in and is_filer(by))
    if counted:
        public_budget().check(client, clock)
    has_symptoms, has_exposure = rules.flags(values["answers"])
    number = values.pop("id_number")
    unit = _scope_unit(values)
    declaration = Declaration(
        **values,
        token=secrets.token_urlsafe(32),
        name_key=search_key(values["full_name"])[:100],
        id_ciphertext=field_cipher().encrypt(number, associated=ID_AAD),
        id_masked=rules.mask_number(number),
        acknowledged=True,
        unit_path=unit.path,
        has_symptoms=has_symptoms,
        has_exposure=has_exposure,
        submitted_at=at,
        valid_from=at,
        valid_to=at + timedelta(hours=rule.hours),
        validity_rule=rule,
        channel=Declaration.Channel.OFFICIAL if signed_in and is_filer(by) else Declaration.Channel.PUBLIC,
        filed_by=by if signed_in else None,
        idempotency_key=idempotency_key,
        content_digest=digest,
        dedupe_window=rules.dedupe_window(at),
        review=Declaration.Review.OPEN if has_symptoms or has_exposure else Declaration.Review.NONE,
    )
    declaration.pass_code = _pass_code(declaration, number, clock)
    try:
        with transaction.atomic():
            declaration.save(force_insert=True)
            audit.record(
                actor=by if signed_in else None,
                action="declarations.submitted",
                object_type="declarations.declaration",
                object_id=declaration.pk,
                unit_path=declaration.unit_path,
                after=_state(declaration),
                clock=clock,
            )
            if declaration.flagged:
                _notify_unit(unit, declaration, clock)
    except IntegrityError:
        # A double tap raced us (same key, or same content in the same slot): the first one stands.
        winner = _same_submission(id_index=values["id_index"], key=idempotency_key, digest=digest, at=at)
        if winner is None:
            raise
        return winner, False
    if counted:
        public_budget().spend(client, clock)
    return declaration, True


def _state(declaration: Declaration) -> dict[str, Any]:
    # No personal values in the audit log: flags, window and follow-up only.
    return {
        "symptoms": declaration.has_symptoms,
        "exposure": declaration.has_exposure,
        "valid_to": declaration.valid_to,
        "channel": declaration.channel,
        "review": declaration.review,
    }


def _notify_unit(unit: Any, declaration: Declaration, clock: Clock) -> None:
    """One notice a day per unit: the worklist holds the declarations themselves."""
    day = local_date(declaration.submitted_at)
    notifications.notify(
        unit,
        kind="declaration_flagged",
        subject=gettext("Health declarations with symptoms or exposure to follow up (%(day)s)")
        % {"day": day.strftime("%d/%m/%Y")},
        body=gettext("New declarations reporting symptoms or exposure are waiting in the worklist."),
        url=reverse("declarations:worklist"),
        perm=Perm.TRACE,
        severity="warning",
        dedupe_key=f"declarations:flagged:{unit.code}:{day.isoformat()}",
        clock=clock,
    )


def follow_up(*, declaration: Declaration, by: Any, note: str, clock: Clock = now) -> Declaration:
    """Record that a flagged declaration was followed up (called, visited, sent to testing): once."""
    require_within(
        by,
        Perm.TRACE,
        path=declaration.unit_path,
        object_type="declarations.declaration",
        object_id=declaration.pk,
    )
    note = nfc(note) if isinstance(note, str) else ""
    if not note:
        raise InvalidInput(
            gettext("Say what was done (called, visited, referred for a test…)."), field="note"
        )
    if len(note) > LIMITS["review_note"]:
        raise InvalidInput(
            gettext("At most %(limit)d characters.") % {"limit": LIMITS["review_note"]}, field="note"
        )
    if not declaration.flagged:
        raise NothingToFollowUp()
    at = clock()
    with transaction.atomic():
        changed = Declaration.objects.filter(pk=declaration.pk, review=Declaration.Review.OPEN).update(
            review=Declaration.Review.DONE, reviewed_by=by, reviewed_at=at, review_note=note, updated_at=at
        )
        if not changed:
            raise AlreadyFollowedUp()
        before = _state(declaration)
        declaration.refresh_from_db()
        audit.record(
            actor=by,
            action="declarations.followed_up",
            object_type="declarations.declaration",
            object_id=declaration.pk,
            unit_path=declaration.unit_path,
            before=before,
            after=_state(declaration),
            clock=clock,
        )
    return declaration
