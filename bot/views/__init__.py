"""Block Kit views: pure functions from data to Slack message dicts, with no I/O."""
