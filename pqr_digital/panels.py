"""The digital PQR's panel on the case page (core.modalities case_panels)."""


def case_page_panel(request, case, forms):
    """The interaction behind the PQR: network, handle, messages sent, the relation with the
    premises, the Contact Center recording and its retention (PQR-05, PQR-06)."""
    return None
