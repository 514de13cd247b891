"""The office's print queue (WA-04): the orientador prints, verifies, scans and hands each
document the technologists sent."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from core import selectors as core_selectors
from core.models import PrintStep
from core.permissions import OfficeStaffMixin
from core.services import printing
from core.views_common import status_for
from desborde.forms import PrintScanForm, PrintVerifyForm


class PrintQueueView(OfficeStaffMixin, View):
    """WA-04: the office's documents to print, verify, scan and hand to the customer."""

    def get(self, request):
        return render_print_queue(request)


def render_print_queue(request, *, errors: dict | None = None, status: int = 200):
    jobs = list(core_selectors.print_job_queue_for_user(user=request.user))
    for job in jobs:
        job.errors = (errors or {}).get(job.pk, [])
    return render(
        request,
        "desborde/print_queue.html",
        {"office": request.user.home_office, "jobs": jobs},
        status=status,
    )


class PrintStepView(OfficeStaffMixin, View):
    """WA-04: "impreso", "verificado" (with signatures / fingerprints) or "entregado"."""

    def post(self, request, pk: int, step: str):
        if step not in PrintStep.values:
            raise Http404("Paso no válido.")
        job = core_selectors.print_job_get_for_user(user=request.user, job_id=pk)
        form = PrintVerifyForm(request.POST)
        form.is_valid()  # two optional checkboxes: always valid
        try:
            printing.print_job_update(
                job=job,
                by=request.user,
                step=step,
                signatures=form.cleaned_data.get("signatures", False),
                fingerprints=form.cleaned_data.get("fingerprints", False),
            )
        except ValidationError as exc:
            return render_print_queue(
                request, errors={job.pk: exc.messages}, status=status_for(exc)
            )
        messages.success(request, f"{job.title} (caso {job.case.number}): {PRINT_DONE[step]}.")
        return redirect("desborde:print_queue")


PRINT_DONE = {
    PrintStep.IMPRESO: "marcado como impreso",
    PrintStep.VERIFICADO: "verificado que corresponde al caso",
    PrintStep.ENTREGADO: "entregado al cliente",
}


class PrintScanView(OfficeStaffMixin, View):
    """WA-04: the signed, scanned document goes to the case's expediente."""

    def post(self, request, pk: int):
        job = core_selectors.print_job_get_for_user(user=request.user, job_id=pk)
        form = PrintScanForm(request.POST, request.FILES)
        if not form.is_valid():
            errors = [e for field_errors in form.errors.values() for e in field_errors]
            return render_print_queue(request, errors={job.pk: errors}, status=400)
        try:
            printing.print_job_scan(job=job, by=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            return render_print_queue(
                request, errors={job.pk: exc.messages}, status=status_for(exc)
            )
        messages.success(
            request,
            f"Documento escaneado cargado en el expediente del caso {job.case.number}.",
        )
        return redirect("desborde:print_queue")
