//===- Status.h - qrt error reporting without exceptions --------*- C++ -*-===//
//
// The public qrt API never throws: the interpreter and emitted programs are
// compiled with -fno-exceptions. Fallible calls return a Status, or an
// Expected<T> that holds either a value or a Status. Internally qrt may use
// libraries that throw (oneDNN's C++ API); those exceptions are caught inside
// qrt's .cpp files and turned into a Status.
//
// Violations of documented preconditions that a verified program cannot hit
// (e.g. reading an f32 tensor as i8 through data<T>()) abort with a message
// via QRT_CHECK instead; they are programmer errors, not data errors.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_STATUS_H
#define QRT_STATUS_H

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>

namespace qrt {

enum class ErrorCode {
  Ok = 0,
  InvalidArgument, // bad shape, dtype, attribute
  IoError,         // file missing, unreadable
  FormatError,     // file present but malformed or truncated
  Unsupported,     // valid request the runtime cannot serve
  Internal,        // a library call failed unexpectedly (e.g. oneDNN)
};

const char *errorCodeName(ErrorCode code);

/// Ok, or an error code with a message. Cheap to return when Ok.
class [[nodiscard]] Status {
public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(ErrorCode code, std::string message) {
    Status s;
    s.code_ = code;
    s.message_ = std::move(message);
    return s;
  }
  bool isOk() const { return code_ == ErrorCode::Ok; }
  explicit operator bool() const { return isOk(); }
  ErrorCode code() const { return code_; }
  const std::string &message() const { return message_; }
  /// "InvalidArgument: conv2d: ..." for logs and test failure messages.
  std::string toString() const;

private:
  ErrorCode code_ = ErrorCode::Ok;
  std::string message_;
};

inline Status invalidArgument(std::string message) {
  return Status::error(ErrorCode::InvalidArgument, std::move(message));
}
inline Status formatError(std::string message) {
  return Status::error(ErrorCode::FormatError, std::move(message));
}
inline Status ioError(std::string message) {
  return Status::error(ErrorCode::IoError, std::move(message));
}
inline Status unsupported(std::string message) {
  return Status::error(ErrorCode::Unsupported, std::move(message));
}

[[noreturn]] void fatal(const char *file, int line, const char *message);

#define QRT_CHECK(cond, msg)                                                   \
  do {                                                                         \
    if (!(cond))                                                               \
      ::qrt::fatal(__FILE__, __LINE__, msg);                                   \
  } while (0)

/// A value or the Status explaining why there is none. Accessing the value of
/// an error aborts (there are no exceptions to throw).
template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : value_(std::move(value)) {}
  Expected(Status status) : status_(std::move(status)) {
    QRT_CHECK(!status_.isOk(), "Expected constructed from an Ok status");
  }
  bool hasValue() const { return value_.has_value(); }
  explicit operator bool() const { return hasValue(); }
  const Status &status() const { return status_; }
  T &value() & {
    QRT_CHECK(hasValue(), status_.message().c_str());
    return *value_;
  }
  const T &value() const & {
    QRT_CHECK(hasValue(), status_.message().c_str());
    return *value_;
  }
  T &&value() && {
    QRT_CHECK(hasValue(), status_.message().c_str());
    return std::move(*value_);
  }
  T &operator*() & { return value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

private:
  std::optional<T> value_;
  Status status_;
};

#define QRT_RETURN_IF_ERROR(expr)                                              \
  do {                                                                         \
    ::qrt::Status qrtStatus_ = (expr);                                         \
    if (!qrtStatus_.isOk())                                                    \
      return qrtStatus_;                                                       \
  } while (0)

} // namespace qrt

#endif // QRT_STATUS_H
