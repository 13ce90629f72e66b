# Bacs Standard 18 payment files.
rbgate_feed_sources(bacs18/validator.cc bacs18/business_key.cc bacs18/items.cc bacs18/feed.cc)
