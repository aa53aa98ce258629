// pattern/printer.h: pieces of the canonical printer (internal), used by error messages.
#pragma once

#include <string>
#include <vector>

#include "pattern/ast.h"

namespace detente::pattern {

void AppendLiteral(std::string* out, const Literal& literal);
void AppendObjectPath(std::string* out, const ObjectPath& path);
void AppendPropTest(std::string* out, const PropTest& test);
void AppendQualifiers(std::string* out, const std::vector<Qualifier>& qualifiers);

}  // namespace detente::pattern
