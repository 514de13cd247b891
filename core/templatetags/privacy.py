from django import template

from core.privacy import mask_phone

register = template.Library()


@register.filter(name="mask_phone")
def mask_phone_filter(number: str) -> str:
    return mask_phone(number)
