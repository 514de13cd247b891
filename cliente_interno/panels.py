"""STUB: the panel of an internal-client case on the case page (issue 14)."""


def case_page_panel(request, case, forms) -> dict | None:
    return None
