"""Vietnamese formats: Django's, plus digit grouping ("1.200") and dd/mm/yyyy short dates."""

from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3  # Django's vi locale leaves it at 0, which prints 8759780 instead of 8.759.780
FIRST_DAY_OF_WEEK = 1  # Monday
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d",
]
