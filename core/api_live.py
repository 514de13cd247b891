"""REST API of core's live side (issue 12): kiosks and their pairing (CORE-01), the office's
waiting-room display (AL-03, BAL-03) and video sessions (AL, BAL, CI).

- ``GET /api/v1/kiosks/`` — the kiosks of the caller's office(s), "conectado" computed now.
- ``POST /api/v1/kiosks/pairings/`` — a kiosk page without credential asks for a code (no sign
  in; throttled per address); its secret goes into an httpOnly cookie.
- ``GET /api/v1/kiosks/pairings/current/`` — the page polls with that cookie: "pendiente",
  "vencido", or once "vinculado" with the kiosk's device cookie set.
- ``POST /api/v1/kiosks/{id}/pair/`` — the encargado of the kiosk's office types the code.
- ``GET /api/v1/offices/{id}/display/`` — the turns called to the office's kiosks today.
- ``GET /api/v1/video/ice-servers/`` — STUN/TURN servers with short-lived TURN credentials, for
  the parties of calls only (technologists, paired kiosks).
- ``GET /api/v1/video/sessions/current/`` — the caller's open session (``{"session": null}``
  when none): what a page that missed ``video.connect`` while its socket was down starts.
- ``GET /api/v1/video/sessions/{id}/`` (``config/``, ``state/``) — a session for its two
  parties only (the technologist, the kiosk); anyone else gets 404.

A kiosk authenticates with its device cookie (``KioskDeviceAuthentication``, CSRF-checked for
writes like a session); staff with their session or token. Errors through ``core.api_errors``.
"""

import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import path
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from core.api_auth import SpanishThrottleMixin
from core.authentication import ExpiringTokenAuthentication, client_ip
from core.live.auth import (
    KIOSK_COOKIE,
    KIOSK_COOKIE_MAX_AGE,
    PAIRING_COOKIE,
    LiveParty,
    kiosk_from_request,
)
from core.models import Kiosk, VideoSession, VideoSessionStatus
from core.permissions import has_any_role
from core.roles import STAFF_ROLES, Role
from core.services import kiosks as kiosk_services
from core.video import services as video_services
from core.video.providers import video_provider

logger = logging.getLogger(__name__)

#: How often the unpaired kiosk page asks whether its code was typed (seconds).
PAIRING_POLL_SECONDS = 3
STATE_CHOICES = [
    (VideoSessionStatus.CONECTADA.value, "conectada"),
    (VideoSessionStatus.FINALIZADA.value, "finalizada"),
    (VideoSessionStatus.FALLIDA.value, "fallida"),
]


# --- the kiosk's credential ------------------------------------------------------------------


class KioskDeviceAuthentication(BaseAuthentication):
    """A paired kiosk's browser: its device cookie (``core.live.auth``). The request has no user
    (anonymous) and ``request.auth`` is the kiosk. Writes are CSRF-checked, as with a session."""

    def authenticate(self, request):
        kiosk = kiosk_from_request(request._request)
        if kiosk is None:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            SessionAuthentication().enforce_csrf(request)
        return AnonymousUser(), kiosk


class KioskDeviceScheme(OpenApiAuthenticationExtension):
    target_class = "core.api_live.KioskDeviceAuthentication"
    name = "kioskDevice"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": KIOSK_COOKIE}


STAFF_OR_KIOSK_AUTH = [
    ExpiringTokenAuthentication,
    SessionAuthentication,
    KioskDeviceAuthentication,
]


def request_kiosk(request) -> Kiosk | None:
    return request.auth if isinstance(request.auth, Kiosk) else None


def request_party(request) -> LiveParty:
    kiosk = request_kiosk(request)
    return LiveParty(kiosk=kiosk) if kiosk is not None else LiveParty(user=request.user)


class IsKiosk(BasePermission):
    message = "Solo un módulo vinculado usa este recurso."

    def has_permission(self, request, view) -> bool:
        return request_kiosk(request) is not None


class IsVideoParty(BasePermission):
    """Who may take part in a video call: staff (their session or token), a paired kiosk, or
    an internal-client employee (the attendee of their appointment's call). Which session is
    theirs is checked per object (404 for the others)."""

    message = "Su rol no tiene acceso a este recurso."

    def has_permission(self, request, view) -> bool:
        if request_kiosk(request) is not None:
            return True
        return has_any_role(*STAFF_ROLES, Role.CLIENTE_INTERNO)().has_permission(request, view)


class IsCallParty(BasePermission):
    """Who may get TURN credentials outside a session: the parties of calls — technologists
    (their session or token) and paired kiosks. Other staff get 403."""

    message = "Su rol no tiene acceso a este recurso."

    def has_permission(self, request, view) -> bool:
        if request_kiosk(request) is not None:
            return True
        return has_any_role(Role.TECNOLOGO)().has_permission(request, view)


class IsOfficeViewer(BasePermission):
    """A signed-in user or a paired kiosk; the office itself is checked in the view (404)."""

    message = "Acceso denegado."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return request_kiosk(request) is not None or bool(user and user.is_authenticated)


class PairingThrottle(SimpleRateThrottle):
    """Pairing codes asked per address (``KIOSK_PAIRING_RATE``); lets the request through when
    the cache is down (a kiosk must be able to show its code)."""

    scope = "kiosk_pairing"

    def get_rate(self):
        return settings.KIOSK_PAIRING_RATE

    def get_cache_key(self, request, view):
        # Not DRF's get_ident: it trusts X-Forwarded-For, which any client writes. The socket's
        # address, or the proxy's last hop when DJANGO_BEHIND_PROXY says there is one.
        ident = client_ip(request) or "desconocida"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 — any cache backend error
            logger.warning("Límite de códigos de módulo sin caché: solicitud permitida.")
            return True


# --- serializers ---------------------------------------------------------------------------


class IceServerSerializer(serializers.Serializer):
    urls = serializers.ListField(child=serializers.CharField())
    username = serializers.CharField(
        required=False, help_text="TURN: «<vence en segundos unix>:<nombre>»."
    )
    credential = serializers.CharField(
        required=False, help_text="TURN: base64(HMAC-SHA1(secreto, username))."
    )


class IceServersSerializer(serializers.Serializer):
    ice_servers = IceServerSerializer(many=True)
    ice_transport_policy = serializers.CharField(help_text="«all» o «relay».")
    ttl = serializers.IntegerField(help_text="Segundos de validez de la credencial TURN.")


class VideoConfigSerializer(serializers.Serializer):
    provider = serializers.CharField(help_text="Proveedor de video: «p2p».")
    ice_servers = IceServerSerializer(many=True)
    ice_transport_policy = serializers.CharField(help_text="«all» o «relay».")
    role = serializers.CharField(
        help_text="«offerer» (el tecnólogo inicia) o «answerer» (el módulo contesta)."
    )


class VideoSessionSerializer(serializers.ModelSerializer):
    state = serializers.CharField(
        source="status",
        read_only=True,
        help_text="creada, timbrando, conectada, finalizada o fallida.",
    )
    state_display = serializers.CharField(source="get_status_display", read_only=True)
    candidate_type = serializers.CharField(
        read_only=True, help_text="host, srflx, prflx o relay (vacío si no conectó)."
    )
    kiosk_label = serializers.CharField(source="kiosk.label", read_only=True, default="")
    office_name = serializers.CharField(source="kiosk.office.name", read_only=True, default="")
    turn_number = serializers.CharField(source="turn.number", read_only=True, default="")
    technologist_name = serializers.SerializerMethodField()

    class Meta:
        model = VideoSession
        fields = [
            "id",
            "provider",
            "modality",
            "state",
            "state_display",
            "candidate_type",
            "end_reason",
            "kiosk",
            "kiosk_label",
            "office_name",
            "turn",
            "turn_number",
            "technologist_name",
            "attendee",
            "created_at",
            "ringing_at",
            "connected_at",
            "ended_at",
        ]
        read_only_fields = fields

    def get_technologist_name(self, obj) -> str:
        return obj.technologist.get_full_name() or obj.technologist.username


class VideoStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=STATE_CHOICES,
        error_messages={
            "required": video_services.STATE_INVALID,
            "null": video_services.STATE_INVALID,
            "invalid_choice": video_services.STATE_INVALID,
        },
    )
    candidate_type = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10,
        help_text="Con «conectada»: host, srflx, prflx o relay.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="Con «fallida» o «finalizada»: el motivo.",
    )


class KioskStateSerializer(serializers.ModelSerializer):
    office_name = serializers.CharField(source="office.name", read_only=True)
    paired = serializers.BooleanField(source="is_paired", read_only=True)
    is_on = serializers.BooleanField(
        source="online",
        read_only=True,
        help_text="Conectado ahora: página del módulo abierta con señal reciente.",
    )
    printer_name = serializers.CharField(source="printer.name", read_only=True, default="")

    class Meta:
        model = Kiosk
        fields = [
            "id",
            "label",
            "office",
            "office_name",
            "active",
            "paired",
            "paired_at",
            "is_on",
            "last_seen_at",
            "printer",
            "printer_name",
        ]
        read_only_fields = fields


class PairingCreatedSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Código de 6 caracteres que muestra el módulo.")
    expires_at = serializers.DateTimeField()
    poll_seconds = serializers.IntegerField()


class PairingStatusSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="pendiente, vinculado o vencido.")
    kiosk = inline_serializer(
        "PairedKiosk",
        {
            "id": serializers.IntegerField(),
            "label": serializers.CharField(),
            "office_name": serializers.CharField(),
        },
        required=False,
        allow_null=True,
    )


class PairSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=20,
        error_messages={
            "required": "Escriba el código que muestra el módulo.",
            "null": "Escriba el código que muestra el módulo.",
            "blank": "Escriba el código que muestra el módulo.",
            "max_length": kiosk_services.PAIRING_CODE_INVALID,
        },
    )


class DisplayEntrySerializer(serializers.Serializer):
    turn = serializers.CharField(help_text="Número del turno (A-023).")
    turn_id = serializers.IntegerField()
    kiosk = serializers.CharField(help_text="Módulo al que se llamó (Módulo 2).")
    kiosk_id = serializers.IntegerField()
    announced_at = serializers.DateTimeField()


# --- views ---------------------------------------------------------------------------------


def _set_cookie(request, response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
    )


@extend_schema(tags=["módulos"])
class KioskListView(APIView):
    permission_classes = [has_any_role(*STAFF_ROLES)]

    @extend_schema(operation_id="v1_kiosks_list", responses={200: KioskStateSerializer(many=True)})
    def get(self, request):
        """The kiosks of the caller's office(s): paired or not, "conectado" now, printer."""
        kiosks = kiosk_services.kiosk_list_for_user(user=request.user)
        return Response(KioskStateSerializer(kiosks, many=True).data)


@extend_schema(tags=["módulos"])
class KioskPairingCreateView(SpanishThrottleMixin, APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PairingThrottle]

    @extend_schema(
        operation_id="v1_kiosks_pairings_create",
        request=None,
        responses={
            201: PairingCreatedSerializer,
            429: OpenApiResponse(OpenApiTypes.OBJECT, description="Demasiados códigos pedidos."),
        },
    )
    def post(self, request):
        """A kiosk page without credential asks for a pairing code (no sign in): the answer
        has the code to show; the secret to collect the credential goes into a cookie."""
        pairing, secret = kiosk_services.kiosk_pairing_request()
        response = Response(
            PairingCreatedSerializer(
                {
                    "code": pairing.code,
                    "expires_at": pairing.expires_at,
                    "poll_seconds": PAIRING_POLL_SECONDS,
                }
            ).data,
            status=status.HTTP_201_CREATED,
        )
        _set_cookie(request, response, PAIRING_COOKIE, secret, settings.KIOSK_PAIRING_MINUTES * 60)
        return response


@extend_schema(tags=["módulos"])
class KioskPairingCurrentView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="v1_kiosks_pairings_current", responses={200: PairingStatusSerializer}
    )
    def get(self, request):
        """The kiosk page's code: «pendiente» while nobody typed it, «vencido» when it expired
        (or was already used), «vinculado» once — with the device cookie set."""
        state, kiosk, credential = kiosk_services.kiosk_pairing_collect(
            secret=request.COOKIES.get(PAIRING_COOKIE)
        )
        body = {"status": state, "kiosk": None}
        if kiosk is not None:
            body["kiosk"] = {"id": kiosk.pk, "label": kiosk.label, "office_name": kiosk.office.name}
        response = Response(PairingStatusSerializer(body).data)
        if credential:
            _set_cookie(request, response, KIOSK_COOKIE, credential, KIOSK_COOKIE_MAX_AGE)
        if state != "pendiente":
            response.delete_cookie(PAIRING_COOKIE, samesite="Lax")
        return response


@extend_schema(tags=["módulos"])
class KioskPairView(APIView):
    permission_classes = [has_any_role(Role.ENCARGADO)]

    @extend_schema(
        operation_id="v1_kiosks_pair",
        request=PairSerializer,
        responses={
            200: KioskStateSerializer,
            400: OpenApiResponse(description="Código equivocado o vencido."),
            404: OpenApiResponse(description="Módulo que no es de la oficina del encargado."),
        },
    )
    def post(self, request, kiosk_id: int):
        """The encargado types the code the kiosk page shows: the kiosk is paired (the page
        turns into the kiosk's page; a previous device stops working)."""
        kiosk = kiosk_services.kiosk_get_for_pairing(user=request.user, kiosk_id=kiosk_id)
        serializer = PairSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            kiosk_services.kiosk_pair(
                kiosk=kiosk, code=serializer.validated_data["code"], by=request.user
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        kiosk = kiosk_services.kiosks_with_state().get(pk=kiosk.pk)
        return Response(KioskStateSerializer(kiosk).data)


@extend_schema(tags=["módulos"])
class OfficeDisplayView(APIView):
    authentication_classes = STAFF_OR_KIOSK_AUTH
    permission_classes = [IsOfficeViewer]

    @extend_schema(
        operation_id="v1_offices_display",
        responses={
            200: DisplayEntrySerializer(many=True),
            404: OpenApiResponse(description="Oficina que no es la del usuario o del módulo."),
        },
    )
    def get(self, request, office_id: int):
        """The waiting-room display: today's turns called to the office's kiosks, newest first
        ("Turno A-023 → Módulo 2"). The office's staff, or one of its paired kiosks."""
        office = kiosk_services.display_office_for(
            office_id=office_id, user=request.user, kiosk=request_kiosk(request)
        )
        entries = kiosk_services.display_announcements(office=office)
        return Response(DisplayEntrySerializer(entries, many=True).data)


def _ice_servers_body(party) -> dict:
    return {
        "ice_servers": video_services.ice_servers_for(party=party),
        "ice_transport_policy": settings.VIDEO_ICE_TRANSPORT_POLICY,
        "ttl": settings.VIDEO_TURN_TTL_SECONDS,
    }


@extend_schema(tags=["video"])
class IceServersView(APIView):
    authentication_classes = STAFF_OR_KIOSK_AUTH
    permission_classes = [IsCallParty]

    @extend_schema(operation_id="v1_video_ice_servers", responses={200: IceServersSerializer})
    def get(self, request):
        """STUN and TURN servers for an RTCPeerConnection; the TURN credential (coturn's
        use-auth-secret) expires after ``ttl`` seconds. Technologists and paired kiosks only;
        a call's page uses ``sessions/{id}/config/``."""
        return Response(IceServersSerializer(_ice_servers_body(request_party(request))).data)


class CurrentVideoSessionSerializer(serializers.Serializer):
    session = VideoSessionSerializer(
        allow_null=True, help_text="La videollamada abierta del usuario o del módulo, o null."
    )


@extend_schema(tags=["video"])
class VideoSessionCurrentView(APIView):
    authentication_classes = STAFF_OR_KIOSK_AUTH
    permission_classes = [IsVideoParty]

    @extend_schema(
        operation_id="v1_video_sessions_current",
        responses={200: CurrentVideoSessionSerializer},
    )
    def get(self, request):
        """The caller's open video session — the technologist's (session or token) or the
        kiosk's (device cookie) — or ``{"session": null}``. A page whose socket was down when
        the call was opened (``video.connect``) asks on reconnection and while polling."""
        session = video_services.video_session_current(party=request_party(request))
        return Response(CurrentVideoSessionSerializer({"session": session}).data)


def _session(request, session_id: int) -> VideoSession:
    return video_services.video_session_get_for_party(
        party=request_party(request), session_id=session_id
    )


@extend_schema(tags=["video"])
class VideoSessionView(APIView):
    authentication_classes = STAFF_OR_KIOSK_AUTH
    permission_classes = [IsVideoParty]

    @extend_schema(
        operation_id="v1_video_sessions_retrieve",
        responses={200: VideoSessionSerializer, 404: OpenApiResponse(description="No es suya.")},
    )
    def get(self, request, session_id: int):
        """A video session for its technologist or its kiosk: state, connection type, why it
        ended, times."""
        return Response(VideoSessionSerializer(_session(request, session_id)).data)


@extend_schema(tags=["video"])
class VideoSessionConfigView(APIView):
    authentication_classes = STAFF_OR_KIOSK_AUTH
    permission_classes = [IsVideoParty]

    @extend_schema(
        operation_id="v1_video_sessions_config",
        responses={200: VideoConfigSerializer, 404: OpenApiResponse(description="No es suya.")},
    )
    def get(self, request, session_id: int):
        """What the party's page needs to join the call: provider, ICE servers and transport
        policy, and its role (the technologist offers, the kiosk answers)."""
        party = request_party(request)
        session = _session(request, session_id)
        body = video_provider().client_config(session, party=party)
        body.setdefault("ice_transport_policy", settings.VIDEO_ICE_TRANSPORT_POLICY)
        body["role"] = "answerer" if video_services.party_is_answerer(session, party) else "offerer"
        return Response(VideoConfigSerializer(body).data)


@extend_schema(tags=["video"])
class VideoSessionStateView(APIView):
    authentication_classes = STAFF_OR_KIOSK_AUTH
    permission_classes = [IsVideoParty]

    @extend_schema(
        operation_id="v1_video_sessions_state",
        request=VideoStateSerializer,
        responses={
            200: VideoSessionSerializer,
            404: OpenApiResponse(description="No es suya."),
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="Cambio no permitido."),
        },
    )
    def post(self, request, session_id: int):
        """What the party's browser reports: «conectada» (with the connection type),
        «finalizada» or «fallida» (with the reason). Both parties are told."""
        session = _session(request, session_id)
        serializer = VideoStateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = video_services.video_state_record(
            session_id=session.pk, party=request_party(request), **serializer.validated_data
        )
        return Response(VideoSessionSerializer(session).data)


urlpatterns = [
    path("kiosks/", KioskListView.as_view(), name="api_kiosks"),
    path("kiosks/pairings/", KioskPairingCreateView.as_view(), name="api_kiosk_pairings"),
    path(
        "kiosks/pairings/current/",
        KioskPairingCurrentView.as_view(),
        name="api_kiosk_pairing_current",
    ),
    path("kiosks/<int:kiosk_id>/pair/", KioskPairView.as_view(), name="api_kiosk_pair"),
    path(
        "offices/<int:office_id>/display/", OfficeDisplayView.as_view(), name="api_office_display"
    ),
    path("video/ice-servers/", IceServersView.as_view(), name="api_video_ice_servers"),
    path(
        "video/sessions/current/",
        VideoSessionCurrentView.as_view(),
        name="api_video_session_current",
    ),
    path(
        "video/sessions/<int:session_id>/",
        VideoSessionView.as_view(),
        name="api_video_session",
    ),
    path(
        "video/sessions/<int:session_id>/config/",
        VideoSessionConfigView.as_view(),
        name="api_video_session_config",
    ),
    path(
        "video/sessions/<int:session_id>/state/",
        VideoSessionStateView.as_view(),
        name="api_video_session_state",
    ),
]
