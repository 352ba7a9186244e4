"""Learner tools in the browser: listening with the browser's voices, and where I stopped."""

import pytest

from tests.e2e.test_reader import _story

pytestmark = [pytest.mark.e2e, pytest.mark.model]

# Headless Chromium has no voices: these stand in for an operating system's French voice and
# record what the page asks it to say.
FAKE_VOICES = """
((langs) => {
  const spoken = [];
  window.__spoken = spoken;
  const voices = langs.map((lang) => ({ name: 'Fake ' + lang, lang: lang, localService: true }));
  const synth = {
    getVoices: () => voices, speak: (u) => spoken.push({ text: u.text, lang: u.lang }),
    cancel: () => {}, addEventListener: () => {}, speaking: false,
  };
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})(%s);
"""


def test_listen_appears_only_with_a_voice_for_the_language(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    context = page.context
    quiet = context.new_page()
    quiet.add_init_script(FAKE_VOICES % "[]")  # a browser without any voice
    quiet.goto(f"{live_server}/stories/{story['id']}?p={fr}-2")
    quiet.wait_for_selector(f"#p-{fr}-2.active")
    assert not quiet.is_visible("#listen")
    quiet.close()
    page.add_init_script(FAKE_VOICES % "['fr-FR']")
    page.goto(f"{live_server}/stories/{story['id']}")
    page.click(f"#p-{fr}-2")
    page.wait_for_selector(f"#p-{fr}-2.active[aria-current]")
    assert page.is_visible("#listen")
    page.click("#listen")
    spoken = page.evaluate("window.__spoken")
    assert spoken[0]["lang"] == "fr-FR" and "ambassade" in spoken[0]["text"]
    page.click(f"#p-{de}-2")  # no German voice: the button goes away
    page.wait_for_selector(f"#p-{de}-2.active")
    page.wait_for_function("document.getElementById('listen').hidden", timeout=5000)


def test_the_story_opens_where_the_reader_stopped(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr = story["documents"][0]["id"]
    page.goto(f"{live_server}/stories/{story['id']}")
    box = page.locator(f"#col-{fr} .column-body").bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 100)
    page.mouse.wheel(0, 1500)
    page.wait_for_timeout(500)
    first = page.evaluate(
        f"""() => {{ const body = document.querySelector('#col-{fr} .column-body');
          const top = body.getBoundingClientRect().top;
          return [...body.querySelectorAll('.para')].find(
            p => p.getBoundingClientRect().bottom > top + 4).id; }}"""
    )
    assert first != f"p-{fr}-0"
    page.reload()
    page.wait_for_timeout(200)
    top = page.evaluate(
        f"""() => document.getElementById('{first}').getBoundingClientRect().top -
          document.querySelector('#col-{fr} .column-body').getBoundingClientRect().top"""
    )
    assert -10 <= top <= 40


def test_a_saved_word_keeps_its_sentence_and_counterpart_and_exports_as_csv(
    live_server: str, page
) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr = story["documents"][0]["id"]
    page.goto(f"{live_server}/stories/{story['id']}")
    page.click(f"#p-{fr}-2")
    page.wait_for_selector(f"#p-{fr}-2.active .s[data-sl]")
    # The reader selects the word "ambassade" in the first sentence.
    page.evaluate(
        f"""() => {{ const s = document.querySelector('#p-{fr}-2 .s');
          const node = s.firstChild, at = node.textContent.indexOf('ambassade');
          const range = document.createRange();
          range.setStart(node, at); range.setEnd(node, at + 'ambassade'.length);
          const sel = getSelection(); sel.removeAllRanges(); sel.addRange(range); }}"""
    )
    page.wait_for_selector("#save-word:visible")
    page.click("#save-word")
    saved = page.evaluate("JSON.parse(localStorage.getItem('parallax:vocab'))")
    assert saved[0]["text"] == "ambassade" and saved[0]["lang"] == "fr"
    assert "ambassade" in saved[0]["sentence"] and "Botschaft" in saved[0]["counterpart"]
    assert page.locator(f"#p-{fr}-2.active").count() == 1  # saving did not click anything
    page.click("#vocab-menu summary")
    assert page.inner_text("#vocab-count") == "1"
    with page.expect_download() as download:
        page.click("#vocab-csv")
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.startswith('"word","sentence","counterpart"') and '"ambassade"' in text
    with page.expect_download() as deck:
        page.click("#vocab-anki")
    assert deck.value.suggested_filename.endswith(".apkg")
    assert open(deck.value.path(), "rb").read(2) == b"PK"  # an Anki package is a zip
    page.reload()
    assert page.inner_text("#vocab-count") == "1"  # kept in the browser
