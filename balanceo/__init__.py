"""Balanceo (2.5, BAL-01..BAL-04): the system itself picks an available technologist for a
customer waiting in another office and connects them by video at one of that office's kiosks.

The pool (BAL-01). The gestor de equipo programs it in core's support roster (admin and
``/api/v1/roster/``) with modality "balanceo": one entry per technologist, office and day, and
each technologist gets one e-mail for the day's roster (core's notices, 2.5 step 1). **An
entry's office is where that technologist may be sent**: the matcher pairs a technologist only
with customers waiting in the offices of their balanceo entries for today — the offices "que
requieren apoyo" that the programmer identified (2.5 step 1). A technologist rostered into
several offices serves whichever of them has the oldest waiting customer. There is no roster
cap for balanceo: the pool may hold more technologists than an office can take at once, because
BAL-02 limits *simultaneous* support, which the matcher enforces when it pairs (two at most for
an office with one technologist of its own, else its kiosks that are on; always a free kiosk
that is on).

The seat. A rostered technologist does the day's start-of-shift check (audio, video, the
kiosk's printer: 2.5 step 2) and marks "Disponible para balanceo" on ``/balanceo/``; "Pausar"
takes them out of the queue. ``BalanceSeat.idle_since`` orders them: idle longest first.

The match (BAL-03): ``balanceo.services.matcher``. The attention (BAL-04):
``balanceo.services.attention`` — PQR → canal "asesor en línea", pedido → canal "Balanceo
automático", the supported office is the turn's; documents to the kiosk's printer; scans into
the expediente; "Terminar" frees the technologist and the next customer is matched at once.
"""
