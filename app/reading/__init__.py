"""What the reader shows: a story's columns and links, the overview, the print view."""
