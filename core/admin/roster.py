"""The gestor de equipo's morning routine in Django admin (CEL-01): the support roster of the
day, one entry at a time, "Programar varios" (several technologists × several offices, one
modality) and "Copiar programación de ayer"; and the start-of-shift checks, read-only.

Everything is scoped to the user's unit like every unit-bound admin (NFR-02): the lists, the
choices of the forms, the change, delete and history pages. Every write goes through
``core.services.roster`` — the rules, the locks and the e-mails live there, and a refusal comes
back as Spanish form errors. Entries are not edited in place: a change of technologist or
office is a deletion and a new entry, so the rules and the e-mail run again. The pages are
plain forms (no inline script or style: the CSP allows neither)."""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode

from core.admin.scope import UnitScopedAdmin
from core.forms import form_add_errors
from core.models import RemoteModality, RosterEntry, ShiftCheck
from core.selectors import roster as roster_selectors
from core.services import roster as roster_services

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"required": "Indique el día.", "invalid": "Indique una fecha válida."}


def _parse_day(value, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except (TypeError, ValueError):
        return default


class RosterDayFilter(admin.SimpleListFilter):
    """The day of the roster: today unless another is chosen (the gestor's morning view)."""

    title = "día"
    parameter_name = "dia"
    DEFAULT = "hoy"

    def lookups(self, request, model_admin):
        return [
            ("hoy", "Hoy"),
            ("manana", "Mañana"),
            ("ayer", "Ayer"),
            ("todos", "Todos los días"),
        ]

    def day(self) -> dt.date | None:
        value, today = self.value() or self.DEFAULT, roster_selectors.roster_today()
        relative = {
            "hoy": today,
            "manana": today + dt.timedelta(days=1),
            "ayer": today - dt.timedelta(days=1),
            "todos": None,
        }
        if value in relative:
            return relative[value]
        return _parse_day(value, today)

    def queryset(self, request, queryset):
        day = self.day()
        return queryset if day is None else queryset.filter(day=day)

    def choices(self, changelist):
        value = self.value() or self.DEFAULT
        known = dict(self.lookup_choices)
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }
        if value not in known:
            yield {
                "selected": True,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": f"{self.day():%d/%m/%Y}",
            }


def _tech_label(user) -> str:
    name = user.get_full_name() or user.username
    office = f" — {user.home_office.name}" if user.home_office_id else ""
    state = "disponible" if getattr(user, "available", False) else "no disponible"
    return f"{name}{office} ({state})"


class TechnologistChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _tech_label(obj)


class TechnologistsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _tech_label(obj)


class OfficesChoiceField(forms.ModelMultipleChoiceField):
    """Offices labelled with their celular supporters of the day against the cap (2.3)."""

    def __init__(self, *args, counts=None, day=None, **kwargs):
        self.counts, self.day = counts or {}, day
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        cap = roster_services.roster_cap_for(office=obj, modality=RemoteModality.CELULAR)
        taken = self.counts.get(obj.pk, 0)
        return f"{obj.name} — celular: {taken} de {cap.limit}" if cap else obj.name


class RosterEntryAddForm(forms.Form):
    day = forms.DateField(label="Día", widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    technologist = TechnologistChoiceField(
        label="Tecnólogo",
        queryset=None,
        error_messages={
            "required": "Escoja el tecnólogo.",
            "invalid_choice": "Escoja un tecnólogo de su unidad.",
        },
    )
    office = forms.ModelChoiceField(
        label="Oficina apoyada",
        queryset=None,
        error_messages={
            "required": "Escoja la oficina.",
            "invalid_choice": "Escoja una oficina de su unidad.",
        },
    )
    modality = forms.ChoiceField(
        label="Modalidad", choices=RemoteModality.choices, initial=RemoteModality.CELULAR
    )

    def __init__(self, *args, user, day, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technologist"].queryset = roster_selectors.roster_technologists_programmable(
            user=user, day=day
        )
        self.fields["office"].queryset = roster_selectors.roster_offices_programmable(user=user)


class RosterBulkForm(forms.Form):
    """ "Programar varios": one day (chosen above the form), one modality, every ticked
    technologist × every ticked office."""

    day = forms.DateField(widget=forms.HiddenInput, error_messages=DATE_ERRORS)
    modality = forms.ChoiceField(
        label="Modalidad", choices=RemoteModality.choices, initial=RemoteModality.CELULAR
    )
    technologists = TechnologistsChoiceField(
        label="Tecnólogos",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Escoja al menos un tecnólogo.",
            "invalid_choice": "Escoja tecnólogos de su unidad.",
            "invalid_pk_value": "Escoja tecnólogos de su unidad.",
        },
    )
    offices = forms.ModelMultipleChoiceField(
        label="Oficinas apoyadas",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Escoja al menos una oficina.",
            "invalid_choice": "Escoja oficinas de su unidad.",
            "invalid_pk_value": "Escoja oficinas de su unidad.",
        },
    )

    def __init__(self, *args, user, day, **kwargs):
        super().__init__(*args, **kwargs)
        offices = roster_selectors.roster_offices_programmable(user=user)
        self.fields["technologists"].queryset = roster_selectors.roster_technologists_programmable(
            user=user, day=day
        )
        self.fields["offices"] = OfficesChoiceField(
            label="Oficinas apoyadas",
            queryset=offices,
            widget=forms.CheckboxSelectMultiple,
            error_messages=self.fields["offices"].error_messages,
            counts=roster_selectors.roster_counts(
                day=day, modality=RemoteModality.CELULAR, offices=offices
            ),
            day=day,
        )


class RosterCopyForm(forms.Form):
    from_day = forms.DateField(
        label="Copiar la programación del", widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    to_day = forms.DateField(label="Al día", widget=DATE_WIDGET, error_messages=DATE_ERRORS)


@admin.register(RosterEntry)
class RosterEntryAdmin(UnitScopedAdmin):
    """The support roster of the user's unit, today's by default."""

    unit_field = "office__unit"

    list_display = [
        "day",
        "office",
        "technologist",
        "modality",
        "shift_check",
        "created_by",
        "created_at",
    ]
    list_filter = [
        RosterDayFilter,
        "modality",
        ("office", admin.RelatedOnlyFieldListFilter),
        ("technologist", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["office", "technologist", "created_by"]
    search_fields = [
        "technologist__username",
        "technologist__first_name",
        "technologist__last_name",
        "office__name",
        "office__code",
    ]
    ordering = ["day", "office__name", "technologist__first_name", "id"]
    readonly_fields = ["day", "technologist", "office", "modality", "created_by", "created_at"]
    change_list_template = "admin/core/rosterentry/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(shift_check_done=roster_selectors.shift_check_done_q())
        )

    @admin.display(description="verificación de inicio", boolean=True)
    def shift_check(self, obj) -> bool:
        return bool(getattr(obj, "shift_check_done", False))

    # Entries are added and removed, never edited in place (see the module docstring).
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.day < roster_selectors.roster_today():
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        roster_services.roster_entry_delete(entry=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        # The action's confirmation already refused a selection with a past day's entry.
        roster_services.roster_entries_delete(
            entries=list(queryset.select_related("office", "technologist")), by=request.user
        )

    # --- pages ---------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("programar/", wrap(self.bulk_view), name="core_rosterentry_bulk"),
            path("copiar/", wrap(self.copy_view), name="core_rosterentry_copy"),
            *super().get_urls(),
        ]

    def _changelist_url(self, day: dt.date) -> str:
        today = roster_selectors.roster_today()
        named = {today: "hoy", today + dt.timedelta(days=1): "manana"}
        url = reverse("admin:core_rosterentry_changelist")
        return f"{url}?{urlencode({'dia': named.get(day, day.isoformat())})}"

    def _render(self, request, template: str, title: str, **context):
        return TemplateResponse(
            request,
            f"admin/core/rosterentry/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "has_view_permission": self.has_view_permission(request),
                **context,
            },
        )

    def add_view(self, request, form_url="", extra_context=None):
        """One entry through ``roster_entry_add``; its refusals become form errors."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        today = roster_selectors.roster_today()
        day = _parse_day(request.POST.get("day") or request.GET.get("day"), today)
        form = RosterEntryAddForm(
            request.POST or None,
            user=request.user,
            day=day,
            initial={
                "day": day,
                "modality": RemoteModality.CELULAR,
                "office": request.GET.get("office"),
                "technologist": request.GET.get("technologist"),
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                entry = roster_services.roster_entry_add(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                self.log_addition(request, entry, [{"added": {}}])
                self.message_user(
                    request,
                    f"Se programó a {entry.technologist} para apoyar {entry.office} el "
                    f"{entry.day:%d/%m/%Y}; se le avisará por correo.",
                    messages.SUCCESS,
                )
                if "_addanother" in request.POST:
                    url = reverse("admin:core_rosterentry_add")
                    return HttpResponseRedirect(f"{url}?{urlencode({'day': entry.day})}")
                return HttpResponseRedirect(self._changelist_url(entry.day))
        return self._render(request, "add_form.html", "Programar un apoyo", form=form, add=True)

    def bulk_view(self, request):
        """ "Programar varios": all or nothing through ``roster_entries_add_bulk``."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        today = roster_selectors.roster_today()
        day = _parse_day(request.POST.get("day") or request.GET.get("day"), today)
        form = RosterBulkForm(
            request.POST or None,
            user=request.user,
            day=day,
            initial={"day": day, "modality": RemoteModality.CELULAR},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                created = roster_services.roster_entries_add_bulk(
                    day=data["day"],
                    technologists=list(data["technologists"]),
                    offices=list(data["offices"]),
                    modality=data["modality"],
                    by=request.user,
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                for entry in created:
                    self.log_addition(request, entry, [{"added": {}}])
                asked = len(data["technologists"]) * len(data["offices"])
                text = f"Se programaron {len(created)} apoyos para el {data['day']:%d/%m/%Y}."
                if asked > len(created):
                    text += f" {asked - len(created)} ya estaban programados."
                if created:
                    text += " Cada tecnólogo recibirá un correo con sus oficinas del día."
                self.message_user(request, text, messages.SUCCESS)
                return HttpResponseRedirect(self._changelist_url(data["day"]))
        return self._render(
            request,
            "bulk_form.html",
            "Programar varios",
            form=form,
            day=day,
            other_days=[
                (today, "Hoy"),
                (today + dt.timedelta(days=1), "Mañana"),
            ],
        )

    def copy_view(self, request):
        """ "Copiar programación de ayer": entries that break a rule are listed, not copied."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        today = roster_selectors.roster_today()
        form = RosterCopyForm(
            request.POST or None,
            initial={"from_day": today - dt.timedelta(days=1), "to_day": today},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = roster_services.roster_copy_day(
                    from_day=data["from_day"], to_day=data["to_day"], by=request.user
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                for entry in result.created:
                    self.log_addition(request, entry, [{"added": {}}])
                self.message_user(
                    request,
                    f"Se copiaron {len(result.created)} apoyos del {data['from_day']:%d/%m/%Y} "
                    f"al {data['to_day']:%d/%m/%Y}.",
                    messages.SUCCESS if result.created else messages.WARNING,
                )
                for entry, reason in result.skipped:
                    self.message_user(
                        request,
                        f"No se copió {entry.technologist} → {entry.office}: {reason}",
                        messages.WARNING,
                    )
                return HttpResponseRedirect(self._changelist_url(data["to_day"]))
        return self._render(request, "copy_form.html", "Copiar programación de ayer", form=form)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "roster_bulk_url": reverse("admin:core_rosterentry_bulk"),
            "roster_copy_url": reverse("admin:core_rosterentry_copy"),
        }
        return super().changelist_view(request, extra_context=extra_context)


class ShiftCheckDayFilter(RosterDayFilter):
    def lookups(self, request, model_admin):
        return [("hoy", "Hoy"), ("ayer", "Ayer"), ("todos", "Todos los días")]


@admin.register(ShiftCheck)
class ShiftCheckAdmin(UnitScopedAdmin):
    """Who of the unit did the start-of-shift check (CEL-03 step 3), today by default;
    read-only: the technologist records it."""

    unit_field = "technologist__home_office__unit"

    list_display = ["technologist", "day", "audio_ok", "printer_ok", "checked_at"]
    list_filter = [ShiftCheckDayFilter, ("technologist", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["technologist"]
    search_fields = [
        "technologist__username",
        "technologist__first_name",
        "technologist__last_name",
    ]
    ordering = ["-day", "technologist__first_name", "id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
