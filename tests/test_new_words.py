"""The story list's share of new words for a logged-in learner's language."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.words.lemma import lemma
from app.words.share import Share
from app.words.tokens import words
from tests.factories import login, make_user

SHARE = re.compile(r'title="(\d+) of its (\d+) different German words[^"]*">(\d+)% new words')


def _share(client: TestClient) -> tuple[int, int, int] | None:
    found = SHARE.findall(client.get("/").text)
    assert len(found) <= 1  # one story of the seeds has a German text
    return tuple(int(x) for x in found[0]) if found else None  # type: ignore[return-value]


def test_the_story_list_counts_the_words_a_learner_does_not_know(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    assert _share(seeded_client) is None  # anonymous
    make_user(seeded_engine, "lena", role="reader")
    login(seeded_client, "lena")
    assert _share(seeded_client) is None  # no saved words: no language to count in
    saved = {"word": "Botschaft", "lang": "de", "status": "learning"}
    assert seeded_client.post("/api/vocabulary", json=saved).status_code == 201
    new, total, percent = _share(seeded_client) or (0, 0, 0)
    assert new == total > 100 and percent == 100  # a word being learned is still new
    # Mark a sentence's words known: exactly their different lemmas stop counting as new.
    stories = seeded_client.get("/api/stories").json()["items"]
    story = next(s for s in stories if "de" in s["languages"])
    shown = seeded_client.get(f"/api/stories/{story['id']}/alignment").json()
    de = next(d for d in shown["documents"] if d["lang"] == "de")
    text = de["paragraphs"][2]["text"]
    marked = [w.text for w in words(text, "de") if not w.text.isdigit()]
    for word in marked:
        known = {"word": word, "lang": "de", "status": "known", "sentence": text}
        assert seeded_client.post("/api/vocabulary", json=known).status_code == 201
    lemmas = {lemma(w.lower(), "de").lower() for w in marked}
    after = _share(seeded_client)
    assert after is not None and after[1] == total
    assert after[0] == total - len(lemmas) and after[2] == round(100 * after[0] / total) < 100
    # /api/stories gives the same share, on the story with a German text only.
    listed = seeded_client.get("/api/stories").json()["items"]
    shares = {s["id"]: s["new_words"] for s in listed}
    assert shares[story["id"]] == {
        "lang": "de", "new": after[0], "total": total, "percent": after[2],
    }  # fmt: skip
    assert all(v is None for k, v in shares.items() if k != story["id"])


def test_api_stories_has_no_share_for_anonymous_readers_or_learners_without_words(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    def shares() -> list[dict[str, object]]:
        answer = seeded_client.get("/api/stories")
        assert answer.status_code == 200
        return [s["new_words"] for s in answer.json()["items"]]

    assert shares() and not any(shares())  # anonymous
    make_user(seeded_engine, "tomas", role="reader")
    login(seeded_client, "tomas")
    assert not any(shares())
    saved = {"word": "ambassade", "lang": "fr", "status": "learning"}
    assert seeded_client.post("/api/vocabulary", json=saved).status_code == 201
    french = [s for s in shares() if s]
    assert french and all(str(s["lang"]).startswith("fr") for s in french)
    assert all(s["new"] == s["total"] for s in french)


def test_the_share_says_100_only_when_every_word_is_new_and_0_when_none_is() -> None:
    assert [Share("de", n, 500).percent for n in (500, 499, 250, 1, 0)] == [100, 99, 50, 1, 0]
    assert Share("de", 0, 0).percent == 0
