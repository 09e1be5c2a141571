"""A question typed while a form waits for an answer: answered from content/faq.yml, after
which the form asks its own question again (the rules are in assistant/form_questions.py)."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.support import entity_values
from assistant.faq import PolicyAnswer, faq_book
from assistant.form_questions import question_topics


def form_question_answers(tracker: Tracker, context: str) -> List[PolicyAnswer]:
    """The policy answers the latest message asks for, if it is a question ([] otherwise)."""
    text = (tracker.latest_message or {}).get("text") or ""
    topics = question_topics(text, entity_values(tracker, "topic"), context)
    book = faq_book()
    return [answer for answer in (book.answer(topic) for topic in topics) if answer is not None]


def answer_form_question(dispatcher: CollectingDispatcher, tracker: Tracker, context: str) -> bool:
    """Answers a question typed at a form's question; False (saying nothing) for anything else."""
    answers = form_question_answers(tracker, context)
    for answer in answers:
        dispatcher.utter_message(text=answer.for_question((tracker.latest_message or {}).get("text") or ""))
    return bool(answers)
