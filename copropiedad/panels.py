"""The panel of a condo case on the case page (filled in by issue 13's pages)."""


def case_page_panel(request, case, forms) -> dict | None:
    return None
