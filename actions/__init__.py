"""The action server's adapters: tracker state in, calls on bot/, messages and events out."""
