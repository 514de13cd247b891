"""The agenda in Django admin (issue 13): managers configure what can be booked and when.

- Appointment types (the modality's, e.g. 2.6 condo administrators): duration, how far ahead,
  and the technologists who serve it. A type belongs to no unit: every active technologist is
  offered, labelled with their office, so that a manager never drops another unit's
  technologists by saving the form.
- Working hours: the bookable hours of each technologist per weekday, scoped like every
  unit-bound admin (the technologist's unit; NFR-02).
- Appointments: read-only for everybody. Bookings change only through ``core.services.agenda``
  (holds, confirmation, reschedule, cancel), which keep the calendar UID/SEQUENCE and the
  no-double-booking guarantee."""

from django import forms
from django.contrib import admin
from django.db.models import Q

from core.admin.scope import (
    SafeHistoryAdmin,
    ScopedAdmin,
    UnitScopedAdmin,
    user_unit,
    visible_cases,
)
from core.models import Appointment, AppointmentType, WorkingHours
from core.selectors import agenda as agenda_selectors
from core.selectors import roster as roster_selectors


def _technologist_label(user) -> str:
    name = user.get_full_name() or user.username
    return f"{name} — {user.home_office.name}" if user.home_office_id else name


class TechnologistsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _technologist_label(obj)


class TechnologistField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _technologist_label(obj)


@admin.register(AppointmentType)
class AppointmentTypeAdmin(SafeHistoryAdmin):
    list_display = ["name", "code", "modality", "duration_minutes", "days_ahead", "active"]
    list_filter = ["modality", "active"]
    search_fields = ["name", "code"]
    filter_horizontal = ["technologists"]
    fields = [
        "name",
        "code",
        "modality",
        "duration_minutes",
        "days_ahead",
        "technologists",
        "active",
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "technologists":
            kwargs["queryset"] = agenda_selectors.agenda_technologist_choices()
            kwargs["form_class"] = TechnologistsField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(WorkingHours)
class WorkingHoursAdmin(UnitScopedAdmin):
    """Bookable hours of the unit's technologists; national holidays are never bookable."""

    unit_field = "technologist__home_office__unit"

    list_display = ["technologist", "weekday", "start", "end"]
    list_filter = ["weekday", ("technologist", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["technologist", "technologist__home_office"]
    search_fields = [
        "technologist__username",
        "technologist__first_name",
        "technologist__last_name",
    ]
    ordering = ["technologist__first_name", "technologist__last_name", "weekday", "start"]
    fields = ["technologist", "weekday", "start", "end"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "technologist":
            kwargs["queryset"] = roster_selectors.technologist_list_for_user(user=request.user)
            kwargs["form_class"] = TechnologistField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Appointment)
class AppointmentAdmin(ScopedAdmin):
    """Bookings with the unit's technologists and of the cases the user may see, read-only."""

    list_display = [
        "start",
        "end",
        "type",
        "technologist",
        "status",
        "case",
        "held_until",
        "sequence",
        "created_by",
    ]
    list_filter = ["status", "type"]
    list_select_related = ["type", "technologist", "case", "created_by"]
    search_fields = [
        "case__number",
        "technologist__username",
        "technologist__first_name",
        "technologist__last_name",
    ]
    date_hierarchy = "start"
    ordering = ["-start", "-id"]
    fields = [
        "type",
        "technologist",
        "start",
        "end",
        "status",
        "held_until",
        "case",
        "uid",
        "sequence",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def scope(self, request, qs):
        unit = user_unit(request)
        mine = Q(case__in=visible_cases(request))
        if unit:
            mine |= Q(technologist__home_office__unit=unit)
        return qs.filter(mine)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def revert_disabled(self, request, obj=None) -> bool:
        return True
