"""Conversation-facing shop services (no Rasa): policy answers, hand-off summaries and
other rules the chat needs on top of the data layer."""
