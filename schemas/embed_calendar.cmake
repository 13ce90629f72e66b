# Turns data/bank-holidays.json into a C++ string constant.
file(READ ${IN} json)
file(WRITE ${OUT} "#include <string_view>\nnamespace rbgate::schemas {\nextern const std::string_view kDefaultBankHolidaysJson;\nconst std::string_view kDefaultBankHolidaysJson = R\"rbgate_json(${json})rbgate_json\";\n}\n")
