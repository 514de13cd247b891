from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import Case, ContactDetail, Customer, User
from core.personal_data import contact_fields_normalize, document_normalize


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

    An existing contact is returned as it is: the phone or e-mail given now belong to the case
    being registered (``Case.contact_phone`` / ``contact_email``) and are kept beside the record
    by ``contact_details_record``; only ``customer_contact_update`` changes the record. A new
    contact is created with what was given. "Sin identificación" contacts have no number to
    match, so each one is new.

    Two requests creating the same document at once: the loser's insert fails on the unique
    index; by default a savepoint catches that and the existing contact is used. A caller that
    retries its whole transaction on IntegrityError passes ``savepoint=False`` and saves the
    savepoint's two round trips on every call.
    """
    number = document_normalize(document_type=document_type, document_number=document_number)
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError({"full_name": "Ingrese el nombre del cliente."})
    given = contact_fields_normalize(phone=phone, mobile=mobile, email=email)
    phone, mobile, email = given["phone"], given["mobile"], given["email"]
    if number:
        existing = customer_find_by_document(document_type=document_type, document_number=number)
        if existing is not None:
            return existing, False
    customer = Customer(
        document_type=document_type,
        document_number=number,
        full_name=full_name,
        phone=phone,
        mobile=mobile,
        email=email,
        address=address,
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
        return existing, False
    return customer, True


CONTACT_FIELDS = ("phone", "mobile", "email", "address")


def contact_details_record(
    *, customer: Customer, case: Case | None, by: User | None, **given: str
) -> list[ContactDetail]:
    """Keep the contact data given for a case that differ from the customer's record, with who
    gave them, when and for which case (one INSERT; nothing when all match)."""
    now = timezone.now()
    rows = [
        ContactDetail(
            customer=customer, case=case, kind=field, value=value, given_by=by, given_at=now
        )
        for field in CONTACT_FIELDS
        if (value := (given.get(field) or "").strip()) and value != getattr(customer, field)
    ]
    return ContactDetail.objects.bulk_create(rows) if rows else []


@transaction.atomic
def customer_contact_update(
    *, customer: Customer, by: User, reason: str, **changes: str
) -> Customer:
    """The explicit, audited change of a customer's contact data (phones, e-mail, address):
    recorded in the customer's history with who and why. Who may call it is the caller's check
    (``customer_may_update``)."""
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise ValidationError(f"Campos no permitidos: {', '.join(sorted(unknown))}.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Indique por qué se actualizan los datos del contacto."})
    changes = contact_fields_normalize(**changes)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    changed = [f for f, v in changes.items() if v is not None and getattr(customer, f) != v]
    if not changed:
        raise ValidationError("Los datos enviados son iguales a los registrados.")
    for field in changed:
        setattr(customer, field, changes[field].strip())
    customer.full_clean(validate_constraints=False)
    customer._history_user = by
    customer._change_reason = f"datos de contacto actualizados: {reason}"[:100]
    customer.save(update_fields=changed)
    return customer
