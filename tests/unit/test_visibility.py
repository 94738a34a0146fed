"""Who may see an order or a return, and who may manage a store."""

from __future__ import annotations

from uuid import uuid4

import pytest

from tests.builders import a_customer, an_admin, an_artisan
from write_model.errors import PermissionDeniedError
from write_model.visibility import check_manages, may_see


class TestSeeing:
    def test_the_people_it_concerns_see_it(self) -> None:
        customer, owner = a_customer(), an_artisan()

        seen = [may_see(actor, customer.user_id, owner.user_id) for actor in (customer, owner)]

        assert seen == [True, True]

    def test_an_admin_sees_anyone_s(self) -> None:
        assert may_see(an_admin(), uuid4(), uuid4())

    def test_another_customer_or_store_owner_does_not(self) -> None:
        customer, owner = a_customer(), an_artisan()

        seen = [
            may_see(actor, customer.user_id, owner.user_id)
            for actor in (a_customer(), an_artisan())
        ]

        assert seen == [False, False]

    def test_without_a_store_only_the_customer_or_an_admin_sees_it(self) -> None:
        customer = a_customer()

        assert [
            may_see(actor, customer.user_id) for actor in (customer, an_admin(), an_artisan())
        ] == [True, True, False]


class TestManaging:
    def test_the_owner_or_an_admin_manages_a_store(self) -> None:
        owner = an_artisan()

        check_manages(owner, owner.user_id)
        check_manages(an_admin(), owner.user_id)

    def test_anyone_else_is_refused_with_what_they_tried(self) -> None:
        with pytest.raises(PermissionDeniedError, match="owner or an admin may see this"):
            check_manages(an_artisan(), uuid4(), "see this")
