"""The web console: server-rendered pages at /console for operators and reviewers
(docs/console.md)."""
