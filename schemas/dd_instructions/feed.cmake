# A council's own Direct Debit instructions (its online sign-up form's export).
rbgate_feed_xsd(dd_instructions/dd_instructions.xsd dd_instructions)
rbgate_feed_sources(dd_instructions/feed.cc)
