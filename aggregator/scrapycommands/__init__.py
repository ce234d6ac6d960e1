"""The project's Scrapy commands (``COMMANDS_MODULE``): Scrapy's own, with the news spider's
arguments checked before a crawler starts."""
