# The VOA: billing authority reports (built in) and the balancing of lists and schedules (the
# lists and schedules themselves are schema files in this folder).
rbgate_feed_xsd(voa/ba_report.xsd voa)
rbgate_feed_sources(voa/balance.cc voa/smv.cc voa/ba_report.cc voa/store.cc voa/feed.cc)
