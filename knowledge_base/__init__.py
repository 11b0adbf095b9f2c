"""The knowledge base: articles and translations, content files, the search engine, import and export,
and the search and feedback logs."""
