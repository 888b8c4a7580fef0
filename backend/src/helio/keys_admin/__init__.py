"""Key administration: online, batched, resumable key rotations and their CLI."""
