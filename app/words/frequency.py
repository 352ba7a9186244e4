"""How common a word is: wordfreq's Zipf value (log10 of uses per billion words) and a band.

The word lists ship inside the wordfreq package. The "small" lists are used: words used at
least once per million (Zipf 3), about 30,000 a language; anything rarer is "rare". (The
"best" lists add 200 MB to the web process and take seconds to load, for words a card would
only call rare anyway.) The lookup reads the frequency table
directly rather than through wordfreq's tokenizer, which for Chinese and Japanese would need
jieba and MeCab; the reader's words are already segmented (app.words.tokens).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import lru_cache

logger = logging.getLogger(__name__)

#: (lowest Zipf value, band name), most common first
BANDS = (
    (5.0, "very common"),
    (4.0, "common"),
    (3.0, "less common"),
)
UNLISTED = "rare"


@dataclass(frozen=True)
class Frequency:
    zipf: float
    band: str


@lru_cache(maxsize=16)
def _table(lang: str) -> dict[str, float]:
    import wordfreq

    try:
        return dict(wordfreq.get_frequency_dict(lang, wordlist="small"))
    except LookupError:
        logger.info("wordfreq has no word list for %s", lang)
        return {}


def frequency(word: str, lang: str) -> Frequency:
    """The word's Zipf value (0 when unlisted) and its band."""
    base = lang.lower().split("-")[0]
    freq = _table(base).get(word.lower().replace("’", "'"), 0.0)
    zipf = round(math.log10(freq * 1e9), 2) if freq > 0 else 0.0
    band = next((name for low, name in BANDS if zipf >= low), UNLISTED)
    return Frequency(zipf, band)
