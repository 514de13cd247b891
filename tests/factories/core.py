import factory
from django.utils import timezone

from core.models import CaseKind, Channel, Customer, DocumentType, Office, PqrType, Unit, User
from core.services.cases import case_open


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    name = factory.Sequence(lambda n: f"Oficina Prueba {n}")
    code = factory.Sequence(lambda n: f"OF{n:03d}")
    unit = Unit.METROPOLITANO
    zone = "Centro"
    capacity = 30
    has_orientador = True
    technologist_count = 2


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"usuario{n}")
    first_name = factory.Faker("first_name", locale="es_CO")
    last_name = factory.Faker("last_name", locale="es_CO")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("clave-segura-123")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    document_type = DocumentType.CC
    document_number = factory.Sequence(lambda n: f"{10000000 + n}")
    full_name = factory.Faker("name", locale="es_CO")
    mobile = "3101234567"
    email = factory.LazyAttribute(lambda c: f"cliente{c.document_number}@example.com")


#: A valid 1×1 PNG, for evidence uploads.
TINY_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def make_case(*, customer=None, kind=CaseKind.PQR, channel="desborde-formulario-web", **kwargs):
    """A case opened through the real service (number, due date, history)."""
    kwargs.setdefault("pqr_type", PqrType.PETICION if kind == CaseKind.PQR else "")
    kwargs.setdefault("filed_at", timezone.now())
    case = case_open(
        kind=kind,
        customer=customer or CustomerFactory(),
        channel=Channel.objects.get(code=channel),
        **{k: v for k, v in kwargs.items() if k not in {"assigned_to", "status"}},
    )
    changed = []
    for field in ("assigned_to", "status"):
        if field in kwargs:
            setattr(case, field, kwargs[field])
            changed.append(field)
    if changed:
        case.save(update_fields=changed)
    return case
