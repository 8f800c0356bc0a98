def test_personas_act_within_their_units(ward_officer_bo_de, district_officer_long_bien):
    assert ward_officer_bo_de.jurisdiction_paths() == ("/01/004/00139/",)
    assert district_officer_long_bien.jurisdiction_paths() == ("/01/004/",)
