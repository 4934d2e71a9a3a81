"""Lesson 02's proof that users_api's core is tested before anything is deployed (moto only)."""

from reference_app.lab.lesson_helpers import handler_anatomy


def test_the_core_stores_refuses_a_duplicate_and_rejects_bad_fields():
    table = handler_anatomy.core_unit_test()
    assert list(table["status"][:4]) == [201, 409, 400, 400]
    assert table.loc["items in the table", "detail"] == '["Ada Lovelace"]'
