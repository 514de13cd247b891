"""The constancia del contenido de la reclamación (COP-03, CI-05) — filled in by issue 13."""


def require_constancia_sent(*, case, by) -> None:
    return None
