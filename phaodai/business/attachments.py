"""Documents attached to a COVID-safety plan while the business can still change it (draft, returned).

The file is checked by its first bytes (core.uploads) and stored under a random name; the uploader's
name is kept only for the download. The same content sent twice is kept once, so a retried upload
does not duplicate.
"""

import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from phaodai.business.errors import PlanNotOpen, TooManyAttachments
from phaodai.business.models import PlanAttachment, SafetyPlan
from phaodai.business.plans import EDITABLE, PLAN_TYPE, require_acting_for
from phaodai.core import audit
from phaodai.core.clock import Clock, now
from phaodai.core.errors import InvalidInput
from phaodai.core.text import visible
from phaodai.core.uploads import check_upload, stored_name

MAX_ATTACHMENTS = 10


def _digest(upload: Any) -> str:
    sha = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def _display_name(upload: Any, extension: str) -> str:
    # Only the last path part, printable, and short; an empty one becomes "document.pdf".
    raw = str(upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = visible(raw)[:200]
    return name or f"document{extension}"


def _open_plan(plan: SafetyPlan) -> SafetyPlan:
    """The plan, locked, if it may still be changed; else the reason it may not."""
    locked = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status not in EDITABLE:
        raise PlanNotOpen(
            _("This plan is %(status)s; documents change only while it is a draft or returned.")
            % {"status": locked.get_status_display()},
            field="file",
        )
    return locked


def attach_document(*, by: Any, plan: SafetyPlan, upload: Any, clock: Clock = now) -> PlanAttachment:
    """Attach a PDF, image or Word document to a draft or returned plan; the same file twice is kept once."""
    require_acting_for(by, plan.business)
    extension = check_upload(upload, field="file")
    digest = _digest(upload)
    with transaction.atomic():
        locked = _open_plan(plan)
        existing = PlanAttachment.objects.filter(plan=locked, digest=digest).first()
        if existing is not None:
            return existing
        if PlanAttachment.objects.filter(plan=locked).count() >= MAX_ATTACHMENTS:
            raise TooManyAttachments(field="file")
        attachment = PlanAttachment(
            plan=locked,
            name=_display_name(upload, extension),
            digest=digest,
            uploaded_at=clock(),
            uploaded_by=by,
        )
        attachment.file.save(stored_name(extension), upload, save=False)
        try:
            with transaction.atomic():
                attachment.save()
        except IntegrityError:
            attachment.file.delete(save=False)
            return PlanAttachment.objects.get(plan=locked, digest=digest)  # a concurrent retry won
        audit.record(
            actor=by,
            action="business.attach_plan_document",
            object_type=PLAN_TYPE,
            object_id=locked.pk,
            unit_path=locked.path,
            after={"attachment": attachment.pk, "digest": digest},
            clock=clock,
        )
    return attachment


def remove_document(*, by: Any, attachment: PlanAttachment, clock: Clock = now) -> None:
    """Take a document off a draft or returned plan (the file goes once the removal is committed)."""
    plan = attachment.plan
    require_acting_for(by, plan.business)
    with transaction.atomic():
        locked = _open_plan(plan)
        gone = PlanAttachment.objects.filter(pk=attachment.pk, plan=locked).delete()[0]
        if not gone:
            raise InvalidInput(_("This document has already been removed."), field="file")
        audit.record(
            actor=by,
            action="business.remove_plan_document",
            object_type=PLAN_TYPE,
            object_id=locked.pk,
            unit_path=locked.path,
            before={"attachment": attachment.pk, "digest": attachment.digest},
            clock=clock,
        )
        stored = attachment.file
        transaction.on_commit(lambda: stored.storage.delete(stored.name))
