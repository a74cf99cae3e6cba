"""Zhengdun (整顿): an education-and-rectification campaign platform."""

__version__ = "0.1.0"
