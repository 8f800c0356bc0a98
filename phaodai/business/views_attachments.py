"""A plan's documents: attached and removed by those who may change the plan, read by those who may see it.

Files are served only through `download`, after the plan's scope check; never from a public URL.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from phaodai.business import selectors, services
from phaodai.business.forms import AttachmentForm
from phaodai.business.views_plans import plan_page
from phaodai.core.errors import DomainError
from phaodai.core.uploads import download as send_file


@login_required
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_reader(request.user)
    plan = selectors.plan_for(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return plan_page(request, plan, attachment_form=form, status=422)
    try:
        services.attach_document(by=request.user, plan=plan, upload=form.cleaned_data["file"])
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return plan_page(request, plan, attachment_form=form, status=error.status)
    messages.success(request, _("Document attached."))
    return redirect("business:plan", pk=pk)


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:
    selectors.require_reader(request.user)
    attachment = selectors.attachment_for(request.user, pk)
    return send_file(attachment.file, attachment.name)


@login_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_reader(request.user)
    attachment = selectors.attachment_for(request.user, pk)
    try:
        services.remove_document(by=request.user, attachment=attachment)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.detail))
        return redirect("business:plan", pk=attachment.plan_id)
    messages.success(request, _("Document removed."))
    return redirect("business:plan", pk=attachment.plan_id)
