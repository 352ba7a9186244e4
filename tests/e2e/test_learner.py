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


def _double_click_word(page, para: str, word: str) -> None:  # type: ignore[no-untyped-def]
    """Double-click `word` in the first sentence of paragraph `para` that holds it, once the
    page is still: a click's answer still on its way may move the text under the pointer."""
    page.wait_for_selector(".htmx-request", state="detached")
    box = page.evaluate(
        """async ([para, word]) => { const s = [...document.querySelectorAll('#' + para + ' .s')]
              .find((n) => n.textContent.includes(word));
            const node = s.firstChild, at = node.textContent.indexOf(word);
            const r = document.createRange(); r.setStart(node, at); r.setEnd(node, at + word.length);
            r.startContainer.parentElement.scrollIntoView({block: 'center'});
            const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
            let b = r.getBoundingClientRect();
            for (let i = 0; i < 20; i++) {  // until the layout stops moving (smooth scrolls)
              await frame(); await frame();
              const now = r.getBoundingClientRect();
              if (now.x === b.x && now.y === b.y) break;
              b = now;
            }
            return {x: b.x + b.width / 2, y: b.y + b.height / 2}; }""",
        [para, word],
    )
    page.mouse.dblclick(box["x"], box["y"])


def test_double_click_opens_the_word_card_and_a_saved_word_stays_in_the_browser(
    live_server: str, page
) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    page.goto(f"{live_server}/stories/{story['id']}")
    _double_click_word(page, f"p-{fr}-2", "ambassade")
    page.wait_for_selector("#word-card .wc-save")
    assert page.inner_text("#word-card .wc-word") == "ambassade"
    # the counterpart word is lit in the German column, inside its aligned sentence
    assert page.locator(f"#p-{de}-2 mark.w-lit").all_inner_texts() == ["Botschaft"]
    assert "Botschaft" in page.inner_text("#word-card")
    page.click("#word-card .wc-save")
    saved = page.evaluate("JSON.parse(localStorage.getItem('parallax:vocab'))")
    assert saved[0]["text"] == "ambassade" and saved[0]["lang"] == "fr"
    assert "ambassade" in saved[0]["sentence"]
    # the counterpart is one language's sentence, not every column joined
    assert saved[0]["counterpart_lang"] in ("de", "en") and saved[0]["counterpart"]
    assert not ("Botschaft" in saved[0]["counterpart"] and "embassy" in saved[0]["counterpart"])
    page.click("#vocab-menu summary")
    assert page.inner_text("#words-count") == "1"
    with page.expect_download() as download:
        page.click("#words-csv")
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.startswith('"word","sentence","counterpart"') and '"ambassade"' in text
    with page.expect_download() as deck:
        page.click("#words-anki")
    assert open(deck.value.path(), "rb").read(2) == b"PK"  # an Anki package is a zip
    page.reload()
    assert page.inner_text("#words-count") == "1"  # kept in the browser


def test_a_drag_selects_words_without_clicking_the_paragraph(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr = story["documents"][0]["id"]
    page.goto(f"{live_server}/stories/{story['id']}")
    box = page.locator(f"#p-{fr}-4 .s").first.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 8)
    page.mouse.down()
    page.mouse.move(box["x"] + 100, box["y"] + 8, steps=4)
    page.wait_for_timeout(400)  # a slow drag: the card waits for the release
    assert page.locator("#word-card").is_hidden()
    page.mouse.move(box["x"] + 150, box["y"] + 8, steps=2)
    page.mouse.up()
    page.wait_for_selector("#word-card:not([hidden])")
    assert page.locator(f"#p-{fr}-4.active").count() == 0  # the paragraph was not clicked
    assert "?p=" not in page.url


def test_keyboard_walks_the_words_of_a_paragraph(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr = story["documents"][0]["id"]
    page.goto(f"{live_server}/stories/{story['id']}")
    page.focus(f"#p-{fr}-2")
    page.keyboard.press("w")
    first = page.inner_text(f"#p-{fr}-2 mark.w-src")
    page.keyboard.press("ArrowRight")
    second = page.inner_text(f"#p-{fr}-2 mark.w-src")
    assert first != second
    page.keyboard.press("Enter")
    page.wait_for_selector("#word-card .wc-save")
    assert page.inner_text("#word-card .wc-word") == second
    page.keyboard.press("Escape")
    assert page.locator("#word-card").is_hidden()
