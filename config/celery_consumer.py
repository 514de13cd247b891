"""The worker's consumer (CELERY_WORKER_CONSUMER).

Celery 5.7.0 ends the whole worker ("Unrecoverable error: AttributeError: 'NoneType' object has
no attribute 'hostname'") when the broker goes away while the worker holds unacknowledged
messages: ``on_connection_error_after_connected`` closes the connection after ``collect()``
already detached its transport, and closing the channel tries to give the messages back through
it. Found by tests/faults/test_redis_down.py (NFR-03). Here that failure counts as "the old
connection is closed" and the consumer reconnects as usual: the unacknowledged messages come
back from Redis (acks_late) once it returns."""

import logging

from celery.worker.consumer import Consumer as CeleryConsumer

logger = logging.getLogger(__name__)


class Consumer(CeleryConsumer):
    def on_connection_error_after_connected(self, exc):
        try:
            super().on_connection_error_after_connected(exc)
        except AttributeError:
            logger.warning("Broker perdido: la conexión anterior no se pudo cerrar; se reconecta.")
            self.connection = None
