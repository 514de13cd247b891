"""2.7's services: interactions (PQR-01..06), inbound deliveries (webhooks), exports (PQR-07)."""
