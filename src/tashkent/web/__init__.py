"""The web app: exercises (seats, turns, adjudication, after-action) and the forecast dashboard."""
