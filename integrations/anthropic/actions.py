"""No writes: the app sends Anthropic prompts (client.py) and changes nothing on its side."""
