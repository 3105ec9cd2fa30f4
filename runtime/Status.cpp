//===- Status.cpp ---------------------------------------------------------===//

#include "runtime/Status.h"

namespace qrt {

const char *errorCodeName(ErrorCode code) {
  switch (code) {
  case ErrorCode::Ok:
    return "Ok";
  case ErrorCode::InvalidArgument:
    return "InvalidArgument";
  case ErrorCode::IoError:
    return "IoError";
  case ErrorCode::FormatError:
    return "FormatError";
  case ErrorCode::Unsupported:
    return "Unsupported";
  case ErrorCode::Internal:
    return "Internal";
  }
  return "Unknown";
}

std::string Status::toString() const {
  if (isOk())
    return "Ok";
  return std::string(errorCodeName(code_)) + ": " + message_;
}

void fatal(const char *file, int line, const char *message) {
  std::fprintf(stderr, "qrt fatal error at %s:%d: %s\n", file, line, message);
  std::abort();
}

} // namespace qrt
