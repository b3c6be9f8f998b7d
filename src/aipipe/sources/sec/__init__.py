"""SEC EDGAR: companyfacts per company, the ticker file and submissions, the watchlist that
names the companies, and the files of a bulk download. Fetch and parse only."""
