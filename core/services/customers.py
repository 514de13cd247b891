import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.models import Customer, DocumentType

_DIGITS = re.compile(r"^\d+$")
_ALNUM = re.compile(r"^[A-Z0-9]+$")
_NIT = re.compile(r"^\d{6,10}(-\d)?$")

_RULES = {
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


def document_normalize(*, document_type: str, document_number: str) -> str:
    """Strip the dots and spaces people type; raise a Spanish message when it cannot be valid."""
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
    pattern, low, high, message = _RULES[document_type]
    if not pattern.match(number) or not low <= len(number.split("-")[0]) <= high:
        raise ValidationError({"document_number": message})
    return number


def phone_fields(number: str) -> dict[str, str]:
    """Colombian mobiles start with 3 (3xx xxx xxxx): they are the number to call and to cite by
    SMS (``mobile``); any other number is a landline (``phone``)."""
    return (
        {"mobile": number, "phone": ""}
        if number.startswith("3")
        else {"mobile": "", "phone": number}
    )


def customer_find_by_document(*, document_type: str, document_number: str) -> Customer | None:
    return Customer.objects.filter(
        document_type=document_type, document_number=document_number
    ).first()


def customer_get_or_create(
    *,
    document_type: str,
    document_number: str = "",
    full_name: str,
    phone: str = "",
    mobile: str = "",
    email: str = "",
    address: str = "",
    savepoint: bool = True,
) -> tuple[Customer, bool]:
    """CORE-03: find the contact by document, or create it.

    An existing contact keeps its data; blank fields are filled with what was given now (the
    newest phone or e-mail is what the technologist will dial or write to). "Sin identificación"
    contacts have no number to match, so each one is new.

    Two requests creating the same document at once: the loser's insert fails on the unique
    index; by default a savepoint catches that and the existing contact is used. A caller that
    retries its whole transaction on IntegrityError passes ``savepoint=False`` and saves the
    savepoint's two round trips on every call.
    """
    number = document_normalize(document_type=document_type, document_number=document_number)
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError({"full_name": "Ingrese el nombre del cliente."})
    given = {"phone": phone, "mobile": mobile, "email": email, "address": address}
    if number:
        existing = customer_find_by_document(document_type=document_type, document_number=number)
        if existing is not None:
            return _customer_refresh(existing, given), False
    customer = Customer(
        document_type=document_type, document_number=number, full_name=full_name, **given
    )
    # clean() gives the Spanish messages of the check constraints and the unique document is
    # the index's job (IntegrityError below): no need to run each constraint as a query.
    customer.full_clean(validate_constraints=False)
    if not savepoint:
        customer.save()  # a duplicate document raises IntegrityError to the caller, who retries
        return customer, True
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        # Another request created the same document a moment ago: use that one.
        existing = Customer.objects.get(document_type=document_type, document_number=number)
        return _customer_refresh(existing, given), False
    return customer, True


def _customer_refresh(customer: Customer, given: dict[str, str]) -> Customer:
    changed = [f for f, v in given.items() if v and getattr(customer, f) != v]
    for field in changed:
        setattr(customer, field, given[field])
    if changed:
        customer.full_clean()
        customer.save(update_fields=changed)
    return customer
