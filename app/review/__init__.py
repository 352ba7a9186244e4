"""The editor's desk: link changes and their history, undo, findings, the queue, TMX."""
