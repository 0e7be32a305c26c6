"""Reports: the self-contained HTML report of a forecast run (figures embedded, no CDN)."""
