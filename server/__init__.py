"""The Rasa server's entry point: Rasa's own CLI with the project's speed-ups and protections."""
