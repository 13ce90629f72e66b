# The banks' XML reports: their XSDs are compiled in.
foreach(report arudd arucs ddic messaging input)
  rbgate_feed_xsd(bacs_reports/${report}.xsd bacs_reports)
endforeach()
rbgate_feed_sources(bacs_reports/arudd.cc bacs_reports/messaging.cc bacs_reports/ddic.cc
                    bacs_reports/input.cc bacs_reports/report_rules.cc bacs_reports/rows.cc
                    bacs_reports/returned_items.cc bacs_reports/reconcile.cc bacs_reports/feed.cc)
