"""The learner's word layer: words of a sentence, their lemma, how common they are, and
their counterpart words in an aligned sentence of another language."""
