"""Video (core): 1:1 WebRTC calls between a technologist's browser and a kiosk (AL, BAL) or an
employee's browser (CI), signalled over the live socket (``core.live``), behind a small provider
interface (``providers``: "p2p" today; a LiveKit or Jitsi room could replace it)."""
