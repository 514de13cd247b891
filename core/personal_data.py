"""One rule per personal-data field (CORE-03): phones, document numbers, e-mail addresses.

Every form, serializer and service that takes one of these fields normalises it here, so a value
is accepted or refused — with the same Spanish message — whichever way it arrives. Each function
returns the normalised value or raises ``ValidationError({field: message})``.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.models import DocumentType

PHONE_MESSAGE = "Ingrese un teléfono colombiano válido (celular 3xx xxx xxxx o fijo 60x)."
MOBILE_MESSAGE = "Ingrese un celular colombiano válido (3xx xxx xxxx)."
EMAIL_MESSAGE = "Ingrese un correo electrónico válido."

_DIGITS = re.compile(r"^\d+$")
_ALNUM = re.compile(r"^[A-Z0-9]+$")
_NIT = re.compile(r"^\d{6,10}(-\d)?$")

_DOCUMENT_RULES = {
    DocumentType.CC: (_DIGITS, 3, 10, "La cédula de ciudadanía debe tener entre 3 y 10 dígitos."),
    DocumentType.TI: (_DIGITS, 6, 11, "La tarjeta de identidad debe tener entre 6 y 11 dígitos."),
    DocumentType.CE: (
        _ALNUM,
        3,
        12,
        "La cédula de extranjería debe tener entre 3 y 12 letras o dígitos.",
    ),
    DocumentType.PA: (_ALNUM, 3, 20, "El pasaporte debe tener entre 3 y 20 letras o dígitos."),
    DocumentType.PPT: (_DIGITS, 4, 15, "El PPT debe tener entre 4 y 15 dígitos."),
    DocumentType.NIT: (
        _NIT,
        6,
        10,
        "El NIT debe tener entre 6 y 10 dígitos, con o sin dígito de verificación (900123456-7).",
    ),
}


def _parse_phone(raw: str):
    try:
        number = phonenumbers.parse(raw or "", "CO")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 57 or not phonenumbers.is_valid_number(number):
        return None
    return number


def phone_normalize(raw: str, *, field: str = "phone") -> str:
    """A Colombian number, mobile (3xx xxx xxxx) or landline (60x xxx xxxx), typed with or
    without +57, spaces or dashes → its 10 national digits."""
    number = _parse_phone(raw)
    if number is None:
        raise ValidationError({field: PHONE_MESSAGE})
    return phonenumbers.national_significant_number(number)


def phone_is_mobile(number: str) -> bool:
    parsed = _parse_phone(number)
    return parsed is not None and phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def mobile_normalize(raw: str, *, field: str = "mobile") -> str:
    """A Colombian mobile (the number to cite by SMS, CORE-13) → its 10 digits."""
    number = _parse_phone(raw)
    if number is None or not phone_is_mobile(raw):
        raise ValidationError({field: MOBILE_MESSAGE})
    return phonenumbers.national_significant_number(number)


def phone_fields(number: str) -> dict[str, str]:
    """A normalised number as the contact's ``mobile`` (the number to call and to cite by SMS)
    or its landline ``phone``."""
    if phone_is_mobile(number):
        return {"mobile": number, "phone": ""}
    return {"mobile": "", "phone": number}


def email_normalize(raw: str, *, field: str = "email") -> str:
    """An e-mail address, trimmed; the domain in lower case."""
    value = (raw or "").strip()
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError({field: EMAIL_MESSAGE}) from None
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def document_normalize(*, document_type: str, document_number: str) -> str:
    """Strip the dots and spaces people type; raise a Spanish message when it cannot be valid
    for its type. "Sin identificación" takes no number."""
    if document_type not in DocumentType.values:
        raise ValidationError({"document_type": "Tipo de documento no válido."})
    number = re.sub(r"[\s.]", "", document_number or "").upper()
    if document_type == DocumentType.SIN_ID:
        if number:
            raise ValidationError(
                {"document_number": "Un contacto sin identificación no lleva número."}
            )
        return ""
    if not number:
        raise ValidationError({"document_number": "Ingrese el número de documento."})
    pattern, low, high, message = _DOCUMENT_RULES[document_type]
    if not pattern.match(number) or not low <= len(number.split("-")[0]) <= high:
        raise ValidationError({"document_number": message})
    return number


def contact_fields_normalize(**given: str) -> dict[str, str]:
    """Normalise the contact fields given (``phone``, ``mobile``, ``email``; blank ones stay
    blank, others pass through), collecting every field's message in one ValidationError."""
    rules = {"phone": phone_normalize, "mobile": mobile_normalize, "email": email_normalize}
    errors: dict[str, list[str]] = {}
    result = dict(given)
    for field, rule in rules.items():
        value = (given.get(field) or "").strip()
        if not value:
            continue
        try:
            result[field] = rule(value, field=field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return result
