"""Chat channels the Rasa server listens on, beyond Rasa's own (see credentials.yml)."""
