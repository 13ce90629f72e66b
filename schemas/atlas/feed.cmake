# DWP ATLAS notifications.
rbgate_feed_xsd(atlas/atlas.xsd atlas)
rbgate_feed_sources(atlas/atlas.cc atlas/feed.cc)
