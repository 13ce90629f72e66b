# Turns a file (IN) into a C++ string constant (NAME, in NAMESPACE) in OUT.
file(READ ${IN} text)
file(WRITE ${OUT} "#include <string_view>\nnamespace ${NAMESPACE} {\nextern const std::string_view ${NAME};\nconst std::string_view ${NAME} = R\"rbgate_embed(${text})rbgate_embed\";\n}\n")
