"""Proposal values are shown as people read them: budgets in their currency, posts as captions."""

from proposals.models import Proposal, ProposalKind
from proposals.templatetags.proposals_tags import shown_value


def _proposal(kind: str) -> Proposal:
    return Proposal(kind=kind, currency="USD")


def test_a_budget_is_shown_per_day_in_its_currency() -> None:
    assert shown_value(2990, _proposal(ProposalKind.BUDGET)) == "29.90 USD/day"


def test_a_drafted_post_is_shown_as_its_caption() -> None:
    draft = {"caption": "Desk toy: in stock. #desktoy", "product_ids": [1]}
    assert shown_value(draft, _proposal(ProposalKind.SOCIAL_POST)) == draft["caption"]


def test_a_post_with_one_caption_on_every_channel_shows_it_once() -> None:
    captions = {"facebook": "Hi", "instagram": "Hi"}
    post = {"channels": ["facebook", "instagram"], "captions": captions}
    assert shown_value(post, _proposal(ProposalKind.SOCIAL_POST)) == "Hi"


def test_a_post_with_captions_per_channel_names_each_channel() -> None:
    post = {"captions": {"facebook": "Long text", "instagram": "Short #tag"}}
    shown = shown_value(post, _proposal(ProposalKind.SOCIAL_POST))
    assert shown == "facebook: Long text / instagram: Short #tag"


def test_any_other_mapping_is_shown_as_labelled_pairs_and_nothing_as_a_dash() -> None:
    assert shown_value({"max_items": 3}, _proposal(ProposalKind.PAGE_CONTENT)) == "Max items: 3"
    assert shown_value(None, _proposal(ProposalKind.PAGE_CONTENT)) == "—"
