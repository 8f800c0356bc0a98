"""Correcting a registered organisation: name, address, contacts; its ward and business stay.

Officers of its ward and representatives of its business may change it. The form carries the
`updated_at` it was read at, and the write is compare-and-set on it: of two people saving at once,
the second is told the organisation changed meanwhile, never silently overwritten.
"""

from dataclasses import replace
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from phaodai.core import audit
from phaodai.core.clock import Clock, now
from phaodai.core.errors import Duplicate
from phaodai.permits import services
from phaodai.permits.errors import ChangedMeanwhile
from phaodai.permits.models import Organisation


def details_of(org: Organisation) -> services.OrganisationDetails:
    return services.OrganisationDetails(
        name=org.name,
        address=org.address,
        contact_name=org.contact_name,
        tax_code=org.tax_code,
        governing_body=org.governing_body,
        contact_phone=org.contact_phone,
        contact_email=org.contact_email,
    )


def change_organisation(
    *,
    by: Any,
    organisation: Organisation,
    details: services.OrganisationDetails,
    seen: datetime,
    clock: Clock = now,
) -> Organisation:
    """Save corrected details if nobody changed the organisation since `seen` (its updated_at)."""
    if not services.may_submit(by, organisation):
        services.require_submitter(by, organisation)  # logs and raises 404 outside, 403 inside
    if organisation.business_id is not None:
        details = replace(details, tax_code=organisation.tax_code)  # a business's tax code is its own
    values = services.clean_organisation(details)
    clash = Organisation.objects.exclude(pk=organisation.pk)
    if values["tax_code"] and clash.filter(tax_code=values["tax_code"]).exists():
        raise Duplicate(_("Another organisation has this tax code."), field="tax_code")
    if clash.filter(ward_id=organisation.ward_id, name_key=values["name_key"]).exists():
        raise Duplicate(_("Another organisation in this ward has this name."), field="name")
    before = services.org_state(organisation)
    try:
        with transaction.atomic():
            changed = Organisation.objects.filter(pk=organisation.pk, updated_at=seen).update(
                **values, updated_at=clock()
            )
            if not changed:
                raise ChangedMeanwhile()
            organisation.refresh_from_db()
            audit.record(
                actor=by,
                action="permits.organisation_changed",
                object_type=services.ORG_TYPE,
                object_id=organisation.pk,
                unit_path=organisation.path,
                before=before,
                after=services.org_state(organisation),
                clock=clock,
            )
    except IntegrityError:  # the same name or tax code saved by someone else a moment ago
        raise Duplicate(_("Another organisation has this name or tax code."), field="name") from None
    return organisation
