"""nlsh: natural language to shell commands and smart-home actions, on your own machine."""

__version__ = "0.1.0"
