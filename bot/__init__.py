"""The Rasa assistant's configuration, custom NLU components, channels and launcher."""
