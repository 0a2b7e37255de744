"""The held-out NLU test file stays held out: none of its sentences is in the training data."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.nlu.training_data.loading import load_data

ROOT = Path(__file__).resolve().parents[2]


def sentences(*paths: Path) -> set[str]:
    texts: set[str] = set()
    for path in paths:
        texts |= {
            " ".join(example.get("text").casefold().split())
            for example in load_data(str(path)).intent_examples
        }
    return texts


def test_no_test_sentence_is_trained_on() -> None:
    training = sentences(*sorted((ROOT / "data").glob("nlu*.yml")))
    held_out = sentences(ROOT / "tests" / "nlu_test.yml")
    assert len(held_out) >= 150
    assert not held_out & training


def test_every_held_out_intent_is_one_the_model_learns() -> None:
    def intents(*paths: Path) -> set[str]:
        return {e.get("intent") for path in paths for e in load_data(str(path)).intent_examples}

    training = intents(*sorted((ROOT / "data").glob("nlu*.yml")))
    assert intents(ROOT / "tests" / "nlu_test.yml") <= training
