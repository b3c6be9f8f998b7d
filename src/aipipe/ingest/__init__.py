"""Getting data into the warehouse: the refresh (acquire → stage → validate → load), and the
ingest of files a user downloaded (SEC companyfacts one by one or in bulk, ECB rate files)."""
