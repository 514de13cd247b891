"""Live pages (core): Django Channels over one websocket per page (``/ws/live/``).

- ``groups``: who may hear what — a user's own group, an office's group (its staff and the
  technologists who support it today), a kiosk's own group and an office's waiting-room display;
- ``publish.live_publish``: what a service calls after its change (sent after the commit; a layer
  down is logged, never an error: every page polls as a fallback and re-fetches on reconnect);
- ``auth``: the kiosks' device credential (a cookie set when an encargado pairs the kiosk);
- ``consumers.LiveConsumer``: the socket — session (staff) or device credential (kiosk), joins
  only the groups the party may see, relays video signalling between a session's two parties.

Message shapes, groups and the pages' fallback rule: docs/live.md.
"""
