"""Benchmark-only routes, mounted under /bench/ when settings.BENCH_VIEWS is on."""

from django.urls import path

from bench.bare import ValidateOnly, bare_insert

urlpatterns = [
    path("bare/", bare_insert, name="bench_bare"),
    path("validar/", ValidateOnly.as_view(), name="bench_validate_only"),
]
