"""vcsim: an agent-based simulator of medial vascular calcification."""

__version__ = "0.1.0"
