"""The documents of a turn attended at a kiosk (2.4 and 2.5 steps 3 and 4), shared by the
technologist's pages of asesor en línea and balanceo: a document of the case to the kiosk's
printer, and the signed documents, scanned at the kiosk, into the case's expediente.

An app subclasses ``KioskTurnPrintView`` / ``KioskTurnScanView`` with its scoped turn lookup
(``get_turn``), its form (``form_class``), the answer after a write (``done``) and the answer to
a refused one (``refused``: the app's page with the form and its errors)."""

from django.core.exceptions import ValidationError
from django.views import View

from core.forms import form_add_errors
from core.permissions import TechnologistMixin
from core.services.turns.documents import kiosk_turn_print_send, kiosk_turn_scan_attach
from core.views_common import status_for


class KioskTurnDocumentView(TechnologistMixin, View):
    form_class = None
    #: The keyword the app's page takes the form with when it comes back with errors.
    form_name = ""

    def get_turn(self, request, pk: int):
        raise NotImplementedError

    def write(self, request, turn, form) -> str:
        """Send the document; the success message."""
        raise NotImplementedError

    def done(self, request, turn, notice: str):
        raise NotImplementedError

    def refused(self, request, turn, form, status: int):
        raise NotImplementedError

    def post(self, request, pk: int):
        turn = self.get_turn(request, pk)
        form = self.form_class(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                notice = self.write(request, turn, form)
            except ValidationError as exc:
                form_add_errors(form, exc)
                status = status_for(exc)
            else:
                return self.done(request, turn, notice)
        return self.refused(request, turn, form, status)


class KioskTurnPrintView(KioskTurnDocumentView):
    """Step 3: a document of the case to the kiosk's printer."""

    form_name = "print_form"

    def print_notice(self, job) -> str:
        raise NotImplementedError

    def write(self, request, turn, form) -> str:
        job = kiosk_turn_print_send(
            turn=turn,
            by=request.user,
            title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"],
        )
        return self.print_notice(job)


class KioskTurnScanView(KioskTurnDocumentView):
    """Step 4: the signed, scanned documents into the case's expediente."""

    form_name = "scan_form"
    scan_notice = ""

    def write(self, request, turn, form) -> str:
        kiosk_turn_scan_attach(turn=turn, by=request.user, upload=form.cleaned_data["file"])
        return self.scan_notice
