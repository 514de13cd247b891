"""Pages of the overflow modalities (2.1, 2.2): the orientador's tablet (home, registration, the
day's intakes, the customer's answer to a proposed outcome, the print queue) and the
technologist's side of the loop on the case page.

Views only validate input with a form, call one service or selector and render; every write is in
``desborde.services`` (the print queue's in ``core.services.printing``) and every lookup is scoped
in ``desborde.selectors`` / ``core.selectors``.

One module per use case: ``intake`` (the tablet's home, registration and the day's intakes),
``whatsapp`` (WA-03 / WA-04 on the case page: the proposal pages, the technologist's propose and
print forms) and ``print_queue`` (WA-04: the office's print queue, its steps and scans);
``common`` holds what they share.
"""
