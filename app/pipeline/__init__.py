"""The write path: jobs, storing uploads, grouping them into stories, aligning them."""
