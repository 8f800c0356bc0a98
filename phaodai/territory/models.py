"""City > district > ward > residential area; households within areas."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class Unit(TimeStampedModel):
    """An administrative unit with its GSO code: the city (01), a district (3 digits) or a ward (5)."""

    class Level(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        WARD = "ward", _("Ward")

    code = models.CharField(max_length=5, unique=True)
    level = models.CharField(max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Materialised path, e.g. "/01/004/00139/": jurisdiction is a prefix test.
    path = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    full_name = models.CharField(max_length=120)
    name_en = models.CharField(max_length=100)
    full_name_en = models.CharField(max_length=120)
    code_name = models.CharField(max_length=100)
    unit_type = models.CharField(max_length=20, help_text=_("Quận, Huyện, Thị xã, Phường, Xã, Thị trấn…"))
    unit_type_en = models.CharField(max_length=30)
    name_key = models.CharField(max_length=120, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        indexes = [models.Index(fields=["path"], name="unit_path_prefix", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="city", parent__isnull=True)
                | models.Q(level__in=["district", "ward"], parent__isnull=False),
                name="only_the_city_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Area(TimeStampedModel):
    """A residential area (khu vực) of a ward: the unit that is classified by risk (S1)."""

    class Kind(models.TextChoices):
        RESIDENTIAL_GROUP = "to_dan_pho", _("Residential group (tổ dân phố)")
        INTER_FAMILY_CLUSTER = "khu_lien_gia", _("Inter-family cluster (khu liên gia)")
        APARTMENT_BUILDING = "chung_cu", _("Apartment building (chung cư)")
        LOCAL_MARKET = "cho_dan_sinh", _("Local market (chợ dân sinh)")
        INDUSTRIAL_PARK = "khu_cong_nghiep", _("Industrial park (khu công nghiệp)")
        VILLAGE = "thon_xom", _("Village or hamlet (thôn/xóm)")
        URBAN_AREA = "khu_do_thi", _("Urban area (khu đô thị)")
        OTHER = "other", _("Other")

    ward = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="areas")
    code = models.CharField(
        max_length=40, unique=True, help_text=_("Ward code and local code, e.g. 00139-TDP01")
    )
    local_code = models.CharField(max_length=32)
    name = models.CharField(max_length=150)
    name_key = models.CharField(max_length=150, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    population = models.PositiveIntegerField(default=0)
    households = models.PositiveIntegerField(default=0)
    # Dense housing with shared toilets and washrooms: a risk factor in classification (S36).
    shared_sanitation = models.BooleanField(default=False)
    # The ward's path: scoping an area needs no join.
    path = models.CharField(max_length=32)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["ward", "local_code"]
        verbose_name = _("residential area")
        verbose_name_plural = _("residential areas")
        # Jurisdiction filters are path prefixes (LIKE 'x%'): PostgreSQL needs pattern ops to index them.
        indexes = [models.Index(fields=["path"], name="area_path_prefix", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.UniqueConstraint(fields=["ward", "local_code"], name="area_local_code_unique_in_ward"),
            models.UniqueConstraint(fields=["ward", "name_key"], name="area_name_unique_in_ward"),
        ]

    def __str__(self) -> str:
        return self.name


class Household(TimeStampedModel):
    """A household (hộ gia đình) living in an area, with its address."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="household_set")
    code = models.CharField(max_length=48, unique=True)
    address = models.CharField(max_length=255)
    path = models.CharField(max_length=32)

    class Meta:
        ordering = ["code"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [
            models.Index(fields=["path"], name="household_path_prefix", opclasses=["varchar_pattern_ops"])
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.address}"


class Boundary(TimeStampedModel):
    """The outline of a unit or an area, imported from GeoJSON (lon/lat, WGS 84) to draw the map."""

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="boundary"
    )
    area = models.OneToOneField(
        Area, on_delete=models.CASCADE, null=True, blank=True, related_name="boundary"
    )
    # The unit's path (or the area's ward path): the map reads a district's outlines by prefix.
    path = models.CharField(max_length=32)
    # Always a MultiPolygon's coordinates: [[[[lon, lat], ...ring], ...polygon], ...].
    polygons = models.JSONField()
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    # Where the outline comes from and under which licence (ODbL, CC BY…): shown on the map.
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")
        indexes = [
            models.Index(fields=["path"], name="boundary_path_prefix", opclasses=["varchar_pattern_ops"])
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False, area__isnull=True)
                | models.Q(unit__isnull=True, area__isnull=False),
                name="boundary_of_a_unit_or_an_area",
            ),
        ]

    def __str__(self) -> str:
        return self.path
