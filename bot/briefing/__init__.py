"""The briefing domain: models, YAML loading, the library and rendering. No Telegram here."""
