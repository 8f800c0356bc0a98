from datetime import date

import pytest
from django.http import Http404

from phaodai.core.errors import InvalidInput
from phaodai.core.identity import InvalidCCCD
from phaodai.core.models import AuditEntry
from phaodai.people import selectors
from phaodai.people.rules import PriorityGroup
from phaodai.people.tests.conftest import AN, cccd_for


@pytest.fixture
def neighbours(register_in):
    """Six residents of Bồ Đề with names that differ only in diacritics and order."""
    names = ["Nguyễn Văn Bình", "Nguyễn Thị Ánh", "Trần Văn Ban", "Lê Thị An", "Nguyễn An", "Phạm Đức Anh"]
    return [
        register_in(cccd=cccd_for(1980 + i, "M", 500 + i), full_name=name, birth_date=date(1980 + i, 1, 1))
        for i, name in enumerate(names)
    ]


def test_a_ward_officer_sees_persons_of_their_ward_only(an, ward_officer_bo_de, ward_officer_phuc_xa):
    assert list(selectors.persons_visible_to(ward_officer_bo_de)) == [an]
    assert list(selectors.persons_visible_to(ward_officer_phuc_xa)) == []


def test_the_district_and_the_city_see_the_wards_below_them(an, district_officer_long_bien, city_commander):
    assert list(selectors.persons_visible_to(district_officer_long_bien)) == [an]
    assert list(selectors.persons_visible_to(city_commander)) == [an]


def test_another_district_and_roles_without_the_permission_see_nobody(
    an, district_officer_ba_dinh, checkpoint_officer_ql6, lab_tech_cdc
):
    for user in (district_officer_ba_dinh, checkpoint_officer_ql6, lab_tech_cdc):
        assert not selectors.persons_visible_to(user).exists()


def test_reading_a_person_outside_scope_is_not_found_and_logged(an, ward_officer_phuc_xa):
    with pytest.raises(Http404):
        selectors.person_for(ward_officer_phuc_xa, an.pk)
    entry = AuditEntry.objects.get(action="scope.denied")
    assert (entry.actor_username, entry.object_id) == ("ward-00001", str(an.pk))


def test_a_malformed_id_is_simply_not_found(ward_officer_bo_de):
    with pytest.raises(Http404):
        selectors.person_for(ward_officer_bo_de, "not-a-uuid")


def test_lookup_by_cccd_uses_the_blind_index_within_scope(an, ward_officer_bo_de, welfare_officer_bo_de):
    assert selectors.lookup_by_cccd(ward_officer_bo_de, "001 085 123 456") == an
    assert selectors.lookup_by_cccd(welfare_officer_bo_de, AN["cccd"]) == an


def test_a_person_registered_elsewhere_looks_exactly_like_nobody(
    an, ward_officer_phuc_xa, checkpoint_officer_ql6
):
    elsewhere = selectors.lookup_by_cccd(ward_officer_phuc_xa, AN["cccd"])
    nobody = selectors.lookup_by_cccd(ward_officer_phuc_xa, cccd_for(1985, "M", 999999))
    assert elsewhere is None and nobody is None
    assert selectors.lookup_by_cccd(checkpoint_officer_ql6, AN["cccd"]) is None
    assert not AuditEntry.objects.filter(action="scope.denied").exists()


def test_lookup_of_a_malformed_cccd_says_what_is_wrong(ward_officer_bo_de):
    with pytest.raises(InvalidCCCD):
        selectors.lookup_by_cccd(ward_officer_bo_de, "12345")


def test_search_is_diacritics_insensitive_and_matches_word_prefixes(neighbours, ward_officer_bo_de):
    def names(q):
        return [p.full_name for p in selectors.search(ward_officer_bo_de, q).items]

    assert names("nguyen") == ["Nguyễn An", "Nguyễn Thị Ánh", "Nguyễn Văn Bình"]
    assert names("an") == ["Lê Thị An", "Nguyễn An", "Nguyễn Thị Ánh", "Phạm Đức Anh"]
    assert names("ÁNH") == ["Nguyễn Thị Ánh", "Phạm Đức Anh"]  # diacritics are ignored both ways
    assert names("duc anh") == ["Phạm Đức Anh"]
    assert names("van b") == ["Nguyễn Văn Bình", "Trần Văn Ban"]


def test_search_pages_by_keyset_without_gaps_or_repeats(neighbours, ward_officer_bo_de):
    seen, after = [], None
    while True:
        page = selectors.search(ward_officer_bo_de, "", after=after, limit=4)
        seen += page.items
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(p.pk for p in seen) == sorted(p.pk for p in neighbours)
    assert [p.name_key for p in seen] == sorted(p.name_key for p in neighbours)


def test_search_is_scoped(neighbours, ward_officer_phuc_xa):
    assert selectors.search(ward_officer_phuc_xa, "nguyen").items == []


def test_a_cursor_outside_scope_or_malformed_is_refused(neighbours, ward_officer_phuc_xa, ward_officer_bo_de):
    with pytest.raises(InvalidInput):
        selectors.search(ward_officer_phuc_xa, "", after=str(neighbours[0].pk))
    with pytest.raises(InvalidInput):
        selectors.search(ward_officer_bo_de, "", after="garbage")


def test_the_profile_masks_the_cccd_and_derives_priority_groups(register_in):
    elder = register_in(
        cccd=cccd_for(1940, "F", 42),
        full_name="Đỗ Thị Mai",
        birth_date=date(1940, 12, 1),
        sex="F",
        chronic_illness=True,
    )
    profile = selectors.profile_of(elder)
    assert profile.cccd_masked == "*********042"
    assert profile.priority_groups == (PriorityGroup.ELDERLY, PriorityGroup.CHRONIC_ILLNESS)


def test_registration_areas_are_those_within_the_users_reach(
    bo_de_area, phuc_xa_area, ward_officer_bo_de, district_officer_long_bien, checkpoint_officer_ql6
):
    assert selectors.areas_for_registration(ward_officer_bo_de) == [bo_de_area]
    assert selectors.areas_for_registration(district_officer_long_bien) == [bo_de_area]
    assert selectors.areas_for_registration(checkpoint_officer_ql6) == []
