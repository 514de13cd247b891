"""The creador de experiencia's pages (2.7, PQR-01..06): the inbox of interactions (live), the
registration of a mention or call by hand, and the interaction page where the data are
completed, the missing data requested, the PQR filed (or the user redirected), the screenshot
attached, manual messages marked as sent, or the interaction closed as not attended."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views import View

from core.exceptions import ProtocolConflict
from core.models import EvidenceKind, OutboundMessage
from core.permissions import RoleRequiredMixin
from core.roles import Role
from core.views import form_add_errors
from pqr_digital import interaction_selectors as selectors
from pqr_digital.forms import (
    CloseUnansweredForm,
    InteractionDataForm,
    InteractionRegisterForm,
    PqrForm,
    ScreenshotForm,
)
from pqr_digital.models import DigitalChannel, Interaction
from pqr_digital.services import interactions as services

#: Rows of the inbox (the open ones are few: they are worked the same day or the next).
INBOX_LIMIT = 200


class CreadorMixin(RoleRequiredMixin):
    allowed_roles = (Role.CREADOR,)


def _status_for(exc: ValidationError) -> int:
    return 409 if isinstance(exc, ProtocolConflict) else 400


def _inbox_context(request) -> dict:
    status = request.GET.get("estado", "")
    if status not in Interaction.Status.values:
        status = ""
    interactions = list(
        selectors.interaction_list_for_user(user=request.user, status=status or None)[:INBOX_LIMIT]
    )
    rows = [
        (
            interaction,
            services.missing_text(services.interaction_missing_fields(interaction))
            if interaction.is_open
            else "",
        )
        for interaction in interactions
    ]
    return {
        "rows": rows,
        "status": status,
        "status_choices": Interaction.Status.choices,
        "now": timezone.now(),
        "refresh_seconds": settings.WORKBENCH_REFRESH_SECONDS,
    }


class InboxView(CreadorMixin, View):
    """The creador's start page: the open interactions oldest first (refreshing by itself) and
    the form to register one by hand."""

    template_name = "pqr_digital/inbox.html"

    def get(self, request):
        return self._render(request, InteractionRegisterForm())

    def _render(self, request, form, status=200):
        context = {"form": form, **_inbox_context(request)}
        return render(request, self.template_name, context, status=status)


class InboxTableView(CreadorMixin, View):
    """The inbox's self-refreshing table (htmx)."""

    def get(self, request):
        return render(request, "pqr_digital/partials/_inbox_table.html", _inbox_context(request))


class InteractionRegisterView(InboxView):
    """PQR-01: a mention, chat or call registered by hand; it is the creador's at once."""

    def get(self, request):
        return redirect("pqr_digital:inbox")

    def post(self, request):
        form = InteractionRegisterForm(request.POST)
        if form.is_valid():
            try:
                interaction = services.interaction_register(by=request.user, **form.service_data())
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, "Interacción registrada.")
                return redirect("pqr_digital:interaction_detail", pk=interaction.pk)
        return self._render(request, form, status=400)


def _screenshots(interaction: Interaction) -> list:
    if not interaction.case_id:
        return []
    return list(
        interaction.case.evidence.filter(kind=EvidenceKind.CHAT_SCREENSHOT)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )


def _page_context(request, interaction: Interaction) -> dict:
    missing = services.interaction_missing_fields(interaction) if interaction.is_open else []
    waiting = interaction.status == Interaction.Status.WAITING_INFO
    outbound = selectors.interaction_messages(interaction=interaction)
    return {
        "interaction": interaction,
        "outbound": outbound,
        # Automatic messages on their way: the messages block refreshes until they are sent.
        "sending": any(
            m.status in (OutboundMessage.Status.PENDING, OutboundMessage.Status.SENDING)
            for m in outbound
        ),
        "missing": missing,
        "missing_display": services.missing_text(missing),
        "is_call": interaction.channel == DigitalChannel.CONTACT_CENTER,
        "can_message": services.can_message(interaction),
        "can_request_info": interaction.is_open
        and bool(missing)
        and services.can_message(interaction)
        and not waiting,
        "requested_today": waiting
        and timezone.localdate(interaction.info_requested_at) >= timezone.localdate(),
        "needs_screenshot": services.needs_screenshot(interaction),
        "screenshots": _screenshots(interaction),
        "refresh_seconds": settings.WORKBENCH_REFRESH_SECONDS,
    }


def render_interaction_page(
    request,
    interaction: Interaction,
    *,
    status: int = 200,
    pqr_form=None,
    close_form=None,
    screenshot_form=None,
    error: str = "",
):
    context = _page_context(request, interaction)
    context.update(
        pqr_form=pqr_form
        or PqrForm(initial=PqrForm.initial_for(interaction), channel=interaction.channel),
        close_form=close_form or CloseUnansweredForm(),
        screenshot_form=screenshot_form or ScreenshotForm(),
        error=error,
    )
    return render(request, "pqr_digital/interaction_detail.html", context, status=status)


class InteractionMixin(CreadorMixin):
    def interaction(self, pk) -> Interaction:
        return selectors.interaction_get_for_user(user=self.request.user, interaction_id=pk)


class InteractionDetailView(InteractionMixin, View):
    def get(self, request, pk: int):
        return render_interaction_page(request, self.interaction(pk))


class InteractionPartView(InteractionMixin, View):
    """The interaction page's self-refreshing blocks (htmx): its state, and its messages."""

    TEMPLATES = {
        "estado": "pqr_digital/partials/_interaction_status.html",
        "mensajes": "pqr_digital/partials/_interaction_messages.html",
    }

    def get(self, request, pk: int, part: str):
        if part not in self.TEMPLATES:
            raise Http404("Página no encontrada.")
        interaction = self.interaction(pk)
        return render(request, self.TEMPLATES[part], _page_context(request, interaction))


class InteractionUpdateView(InteractionMixin, View):
    """PQR-02: save the data the user gave (while a request waits, that is their answer)."""

    def post(self, request, pk: int):
        interaction = self.interaction(pk)
        form = InteractionDataForm(request.POST, channel=interaction.channel)
        if form.is_valid():
            try:
                services.interaction_update(
                    interaction=interaction, by=request.user, **form.data_fields()
                )
            except ValidationError as exc:
                error_form = PqrForm(request.POST, channel=interaction.channel)
                error_form.is_valid()
                form_add_errors(error_form, exc)
                return render_interaction_page(
                    request, interaction, status=_status_for(exc), pqr_form=error_form
                )
            messages.success(request, "Datos guardados.")
            return redirect("pqr_digital:interaction_detail", pk=pk)
        error_form = PqrForm(request.POST, channel=interaction.channel)
        error_form.is_valid()
        return render_interaction_page(request, interaction, status=400, pqr_form=error_form)


class InteractionPqrView(InteractionMixin, View):
    """PQR-03..06: file the PQR after the rule questions; a rule's redirect closes the
    interaction and is explained on the page."""

    def post(self, request, pk: int):
        interaction = self.interaction(pk)
        form = PqrForm(request.POST, channel=interaction.channel)
        if form.is_valid():
            try:
                case = services.interaction_pqr_create(
                    interaction=interaction, by=request.user, **form.service_data()
                )
            except services.InteractionRedirected as exc:
                messages.warning(request, " ".join(exc.messages))
                return redirect("pqr_digital:interaction_detail", pk=pk)
            except ValidationError as exc:
                form_add_errors(form, exc)
                return render_interaction_page(
                    request, interaction, status=_status_for(exc), pqr_form=form
                )
            text = f"PQR radicada: {case.number}."
            if services.needs_screenshot(interaction):
                text += " Falta adjuntar la captura de la interacción."
            messages.success(request, text)
            return redirect("pqr_digital:interaction_detail", pk=pk)
        return render_interaction_page(request, interaction, status=400, pqr_form=form)


class InteractionActionView(InteractionMixin, View):
    """A button without data: on success back to the page with ``success``; a refusal is
    shown on the page with its status."""

    success = ""

    def act(self, request, interaction: Interaction, **kwargs) -> None:
        raise NotImplementedError

    def post(self, request, pk: int, **kwargs):
        interaction = self.interaction(pk)
        try:
            self.act(request, interaction, **kwargs)
        except ValidationError as exc:
            return render_interaction_page(
                request, interaction, status=_status_for(exc), error=" ".join(exc.messages)
            )
        messages.success(request, self.success)
        return redirect("pqr_digital:interaction_detail", pk=pk)


class InteractionRequestInfoView(InteractionActionView):
    """PQR-02: the request for the missing data through the network's inbox."""

    success = "Solicitud de información registrada."

    def act(self, request, interaction, **kwargs):
        services.interaction_request_info(interaction=interaction, by=request.user)


class InteractionCloseView(InteractionActionView):
    """PQR-02: close as not attended for lack of information."""

    success = "Interacción cerrada como no atendida."

    def act(self, request, interaction, **kwargs):
        form = CloseUnansweredForm(request.POST)
        form.is_valid()
        services.interaction_close_unanswered(
            interaction=interaction,
            by=request.user,
            cannot_receive_messages=form.cleaned_data.get("cannot_receive_messages", False),
        )


class InteractionMessageSentView(InteractionActionView):
    """A manual message was copied into the network's console (or said in the call)."""

    success = "Mensaje marcado como enviado."

    def act(self, request, interaction, message_id=None, **kwargs):
        message = selectors.interaction_message_get(interaction=interaction, message_id=message_id)
        services.interaction_message_mark_sent(
            interaction=interaction, message=message, by=request.user
        )


class InteractionScreenshotView(InteractionMixin, View):
    """PQR-06: the screenshot of the interaction into the PQR's evidence."""

    def post(self, request, pk: int):
        interaction = self.interaction(pk)
        form = ScreenshotForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.interaction_screenshot_add(
                    interaction=interaction, by=request.user, upload=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
                return render_interaction_page(
                    request, interaction, status=_status_for(exc), screenshot_form=form
                )
            messages.success(request, "Captura adjuntada a la PQR.")
            return redirect("pqr_digital:interaction_detail", pk=pk)
        return render_interaction_page(request, interaction, status=400, screenshot_form=form)


urlpatterns = [
    path("", InboxView.as_view(), name="inbox"),
    path("bandeja/tabla/", InboxTableView.as_view(), name="inbox_table"),
    path("interacciones/", InteractionRegisterView.as_view(), name="interaction_register"),
    path("interacciones/<int:pk>/", InteractionDetailView.as_view(), name="interaction_detail"),
    path(
        "interacciones/<int:pk>/<slug:part>/parcial/",
        InteractionPartView.as_view(),
        name="interaction_part",
    ),
    path(
        "interacciones/<int:pk>/datos/", InteractionUpdateView.as_view(), name="interaction_update"
    ),
    path(
        "interacciones/<int:pk>/solicitar-informacion/",
        InteractionRequestInfoView.as_view(),
        name="interaction_request_info",
    ),
    path("interacciones/<int:pk>/radicar/", InteractionPqrView.as_view(), name="interaction_pqr"),
    path(
        "interacciones/<int:pk>/captura/",
        InteractionScreenshotView.as_view(),
        name="interaction_screenshot",
    ),
    path(
        "interacciones/<int:pk>/cerrar/", InteractionCloseView.as_view(), name="interaction_close"
    ),
    path(
        "interacciones/<int:pk>/mensajes/<int:message_id>/enviado/",
        InteractionMessageSentView.as_view(),
        name="interaction_message_sent",
    ),
]
