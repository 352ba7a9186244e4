"""The library: accounts, who owns and sees what, stories, search, document moves."""
