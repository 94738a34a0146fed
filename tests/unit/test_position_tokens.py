"""Position tokens: which log a token names, and which texts are no token at all."""

from __future__ import annotations

import pytest

from api.position_tokens import parse, token

pytestmark = pytest.mark.unit
LOGS = ("shop", "accounts", "cards")


class TestParsing:
    def test_a_token_names_the_position_in_its_log(self) -> None:
        wanted = parse("cards.5", LOGS)

        assert wanted == {"cards": 5}

    def test_a_plain_number_counts_in_the_shop_log(self) -> None:
        wanted = parse("401", LOGS)

        assert wanted == {"shop": 401}

    def test_several_tokens_ask_each_log_for_the_highest_position_named(self) -> None:
        wanted = parse("shop.401, cards.5,shop.7", LOGS)

        assert wanted == {"shop": 401, "cards": 5}

    def test_what_a_command_answers_reads_back_as_the_same_position(self) -> None:
        wanted = parse(token("accounts", 12), LOGS)

        assert wanted == {"accounts": 12}

    @pytest.mark.parametrize(
        "text", ["bank.5", "shop.", "shop.-1", "shop.1.5", "shop.x", "-1", "", "shop.٣", "9" * 20]
    )
    def test_refuses_what_is_no_token(self, text: str) -> None:
        with pytest.raises(ValueError, match=r"names no event log|is not <log>"):
            parse(text, LOGS)
